/**
 * config.json validation and model loading errors: supported architectures parse into the
 * normalised form (defaults as in transformers' GPT2Config / LlamaConfig / Qwen2Config);
 * anything else fails with a ConfidantError naming the field.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadModel,
  parameterCount,
  parseModelConfig,
  readModelConfig,
  writeSafetensors,
} from '../../../src-main/model/index.js';
import type { TensorToWrite } from '../../../src-main/model/index.js';
import { ConfidantError } from '../../../src-main/shared/confidantError.js';
import { TINY_GPT2, TINY_LLAMA, TINY_QWEN2, writeRandomModel } from './tinyModels.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('parseModelConfig', () => {
  it('normalises GPT-2, Llama and Qwen2 configs', () => {
    const g = parseModelConfig(TINY_GPT2);
    expect(g).toMatchObject({ architecture: 'gpt2', dModel: 32, ffnDim: 128, contextLength: 48 });
    const l = parseModelConfig(TINY_LLAMA);
    expect(l).toMatchObject({
      architecture: 'llama',
      nKvHeads: 2,
      headDim: 8,
      qkvBias: false,
      tieWordEmbeddings: false,
    });
    expect(l.architecture === 'llama' && l.ropeScaling.type).toBe('llama3');
    const q = parseModelConfig(TINY_QWEN2);
    expect(q).toMatchObject({ modelType: 'qwen2', qkvBias: true, oBias: false, tieWordEmbeddings: true });
  });

  it('GPT-2 small has 124,439,808 parameters (the published count)', () => {
    const cfg = parseModelConfig({
      model_type: 'gpt2',
      vocab_size: 50257,
      n_positions: 1024,
      n_embd: 768,
      n_layer: 12,
      n_head: 12,
    });
    expect(parameterCount(cfg)).toBe(124_439_808);
  });

  const bad: [string, unknown, RegExp, string?][] = [
    ['unsupported architecture', { model_type: 'bert' }, /supports gpt2, llama, qwen2/, 'model_type'],
    ['no model_type', { vocab_size: 3 }, /not supported/, 'model_type'],
    ['not an object', 'gpt2', /not a JSON object/],
    ['negative size', { ...TINY_GPT2, n_embd: -32 }, /not valid/, 'n_embd'],
    ['heads not dividing width', { ...TINY_GPT2, n_head: 5 }, /divisible/, 'n_head'],
    ['absurd layer count', { ...TINY_LLAMA, num_hidden_layers: 1e9 }, /not valid/, 'num_hidden_layers'],
    [
      'kv heads not dividing heads',
      { ...TINY_LLAMA, num_key_value_heads: 3 },
      /multiple/,
      'num_key_value_heads',
    ],
    [
      'dynamic rope scaling',
      { ...TINY_LLAMA, rope_scaling: { type: 'dynamic', factor: 2 } },
      /'linear' and 'llama3'/,
      'rope_scaling',
    ],
    ['non-silu activation', { ...TINY_LLAMA, hidden_act: 'gelu' }, /not valid/, 'hidden_act'],
  ];
  for (const [name, json, pattern, field] of bad) {
    it(`rejects: ${name}`, () => {
      let error: unknown;
      try {
        parseModelConfig(json, '/m/config.json');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfidantError);
      expect((error as ConfidantError).message).toMatch(pattern);
      expect((error as ConfidantError).describe()).toContain('/m/config.json');
      if (field) expect((error as ConfidantError).options.where?.field).toBe(field);
    });
  }

  it('config.json that is missing or not JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confidant-cfg-'));
    await expect(readModelConfig(dir)).rejects.toMatchObject({ code: 'MODEL_CONFIG_MISSING' });
    writeFileSync(join(dir, 'config.json'), '{"model_type": "gpt2",');
    await expect(readModelConfig(dir)).rejects.toMatchObject({ code: 'MODEL_CONFIG_INVALID' });
  });
});

describe('loadModel checks the weights against config.json', () => {
  it('a missing weight is named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confidant-load-'));
    await writeRandomModel(dir, TINY_LLAMA);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...TINY_LLAMA, num_hidden_layers: 3 }));
    await expect(loadModel(dir)).rejects.toThrow(/model\.layers\.2\.input_layernorm\.weight/);
  });
  it('a shape mismatch is named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confidant-load-'));
    await writeRandomModel(dir, TINY_GPT2);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...TINY_GPT2, vocab_size: 98 }));
    await expect(loadModel(dir)).rejects.toMatchObject({
      code: 'MODEL_SHAPE_MISMATCH',
      options: { where: { field: 'transformer.wte.weight' } },
    });
  });
  it('an untied Llama without lm_head.weight explains why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confidant-load-'));
    await writeRandomModel(dir, { ...TINY_LLAMA, tie_word_embeddings: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(TINY_LLAMA));
    await expect(loadModel(dir)).rejects.toThrow(/lm_head\.weight/);
  });
  it('a sharded checkpoint loads the same weights as a single file', async () => {
    const single = mkdtempSync(join(tmpdir(), 'confidant-load-'));
    const arrays = await writeRandomModel(single, TINY_LLAMA, { seed: 4 });
    const sharded = mkdtempSync(join(tmpdir(), 'confidant-load-'));
    writeFileSync(join(sharded, 'config.json'), JSON.stringify(TINY_LLAMA));
    const names = [...arrays.keys()];
    const weightMap: Record<string, string> = {};
    for (const [part, slice] of [names.slice(0, 9), names.slice(9)].entries()) {
      const file = `model-0000${part + 1}-of-00002.safetensors`;
      const tensors: Record<string, TensorToWrite> = {};
      for (const n of slice) {
        tensors[n] = { shape: arrays.get(n)!.shape, dtype: 'F32', data: arrays.get(n)!.data };
        weightMap[n] = file;
      }
      await writeSafetensors(join(sharded, file), tensors);
    }
    writeFileSync(
      join(sharded, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: {}, weight_map: weightMap }),
    );
    const a = await loadModel(single);
    const b = await loadModel(sharded);
    const ids = tf.tensor2d([[1, 5, 9, 33]], [1, 4], 'int32');
    const la = a.model.forward(ids);
    const lb = b.model.forward(ids);
    expect(tf.max(tf.abs(la.sub(lb))).dataSync()[0]).toBe(0);
    tf.dispose([la, lb, ids]);
    a.model.dispose();
    b.model.dispose();
  });

  it('BF16 weights load as float32', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confidant-load-'));
    await writeRandomModel(dir, TINY_QWEN2, { dtype: 'BF16' });
    const { model, storedDtype } = await loadModel(dir);
    expect(storedDtype).toBe('BF16');
    expect(model.weights.get('model.norm.weight')!.dtype).toBe('float32');
    model.dispose();
  });
  it('a hostile weight file in a model folder is rejected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confidant-load-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(TINY_GPT2));
    await writeSafetensors(join(dir, 'model.safetensors'), {
      x: { shape: [1], dtype: 'F32', data: new Float32Array(1) },
    });
    await expect(loadModel(dir)).rejects.toThrow(/transformer\.wte\.weight/);
  });
});
