/**
 * Published configs of the models clinicians use parse into the normalised form, and the
 * parameter groups the memory plan counts add up to each model's published parameter
 * count and to the weight specs the loader reads (gpt2.ts, llama.ts).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../../../src-main/model/config.js';
import { parameterCount } from '../../../src-main/model/loadModel.js';
import { parameterGroups } from '../../../src-main/model/modelShapes.js';
import { ConfidantError } from '../../../src-main/shared/confidantError.js';
import { TINY_GPT2, TINY_LLAMA, TINY_MISTRAL, TINY_QWEN2, TINY_SMOLLM2 } from './tinyModels.js';

const configs = resolve(import.meta.dirname, '../../fixtures/model/configs');
const read = (name: string) =>
  parseModelConfig(JSON.parse(readFileSync(join(configs, name, 'config.json'), 'utf8')));

// Parameter counts as published (model cards; 2 × count = the bf16 checkpoints' total_size).
const published = [
  { name: 'llama-3.1-8b', parameters: 8_030_261_248, modelType: 'llama', tied: false },
  { name: 'llama-3.2-1b', parameters: 1_235_814_400, modelType: 'llama', tied: true },
  { name: 'qwen2.5-0.5b', parameters: 494_032_768, modelType: 'qwen2', tied: true },
  { name: 'mistral-7b-v0.1', parameters: 7_241_732_096, modelType: 'mistral', tied: false },
  { name: 'smollm2-135m', parameters: 134_515_008, modelType: 'llama', tied: true },
];

describe('published model configs', () => {
  for (const p of published) {
    it(`${p.name}: ${p.parameters.toLocaleString('en-US')} parameters`, () => {
      const c = read(p.name);
      expect(c.modelType).toBe(p.modelType);
      expect(c.architecture === 'llama' && c.tieWordEmbeddings).toBe(p.tied);
      expect(parameterGroups(c).total).toBe(p.parameters);
      expect(parameterCount(c)).toBe(p.parameters);
    });
  }

  it('Llama 3.1: llama3 rope scaling and GQA are read', () => {
    expect(read('llama-3.1-8b')).toMatchObject({
      nKvHeads: 8,
      headDim: 128,
      ropeTheta: 500000,
      ropeScaling: {
        type: 'llama3',
        factor: 8,
        lowFreqFactor: 1,
        highFreqFactor: 4,
        originalContextLength: 8192,
      },
      slidingWindow: null,
    });
  });

  it('Qwen2.5 has q/k/v biases and ignores its unused sliding_window; Mistral keeps its window', () => {
    expect(read('qwen2.5-0.5b')).toMatchObject({ qkvBias: true, oBias: false, slidingWindow: null });
    expect(read('mistral-7b-v0.1')).toMatchObject({ qkvBias: false, slidingWindow: 4096 });
  });

  it('Qwen2 with use_sliding_window is refused, not silently run without it', () => {
    const json = JSON.parse(readFileSync(join(configs, 'qwen2.5-0.5b', 'config.json'), 'utf8'));
    let caught: unknown;
    try {
      parseModelConfig({ ...json, use_sliding_window: true });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfidantError);
    expect((caught as ConfidantError).options.where?.field).toBe('use_sliding_window');
  });

  it('parameter groups match the loader weight specs on the tiny models', () => {
    for (const cfg of [TINY_GPT2, TINY_LLAMA, TINY_QWEN2, TINY_MISTRAL, TINY_SMOLLM2]) {
      const c = parseModelConfig(cfg);
      expect(parameterGroups(c).total).toBe(parameterCount(c));
    }
  });
});
