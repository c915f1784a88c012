/**
 * A training step leaks no tensor: the tfjs path's step (per-example gradients, private
 * gradient, AdamW, the adapter set from the host arrays with LoraAdapter.setValues, as the
 * trainer, gradient-ascent unlearning and the training benchmark do) leaves tf.memory()'s
 * tensor count and bytes exactly where they were after the first step, over 12 steps, on
 * every backend this machine has (cpu always; native, wasm and webgpu where available;
 * CONFIDANT_REQUIRE_NATIVE / CONFIDANT_REQUIRE_WEBGPU make a missing one a failure).
 * Before the fix, `v.assign(tf.tensor(...))` kept one adapter-sized tensor per step.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/initBackend.js';
import { LoraAdapter } from '../../../src-main/lora/index.js';
import { parseModelConfig, randomModel } from '../../../src-main/model/index.js';
import { AdamW } from '../../../src-main/train/adamW.js';
import { packMicroBatches } from '../../../src-main/train/microBatches.js';
import { perExampleGradients } from '../../../src-main/train/perExampleGradients.js';
import { privateGradient } from '../../../src-main/train/privateGradient.js';
import type { TrainingExample } from '../../../src-main/train/trainingData.js';
import { seededRandomSource } from '../../helpers/seededRandomSource.js';
import { TINY_GPT2 } from '../model/tinyModels.js';

const examples: TrainingExample[] = [
  { recordId: 1, unit: 0, ids: [3, 1, 4, 1, 5, 9, 2] },
  { recordId: 2, unit: 1, ids: [2, 7, 1, 8, 2, 8] },
];

const required: Record<string, string | undefined> = {
  native: process.env.CONFIDANT_REQUIRE_NATIVE,
  webgpu: process.env.CONFIDANT_REQUIRE_WEBGPU,
};

describe.each(['cpu', 'native', 'wasm', 'webgpu'] as const)(
  'no tensor leaks per training step on %s',
  (backend) => {
    it('tensor count and bytes stay flat over 12 steps', { timeout: 240_000 }, async () => {
      try {
        await initBackend(backend);
      } catch (error) {
        if (required[backend] === '1') throw error;
        return; // this machine has no such backend
      }
      const model = randomModel(parseModelConfig(TINY_GPT2), 3);
      const adapter = LoraAdapter.create(model, { r: 4, alpha: 8, dropout: 0, targetModules: ['c_attn'] }, 1);
      const sizes = adapter.trainableVariables.map((v) => v.size);
      const params = await Promise.all(
        adapter.trainableVariables.map(async (v) => (await v.data()) as Float32Array),
      );
      const optimizer = new AdamW({ beta1: 0.9, beta2: 0.999, weightDecay: 0 }, sizes);
      const random = seededRandomSource(4);
      const step = async (): Promise<void> => {
        const units: Float32Array[][] = [];
        for (const batch of packMicroBatches(examples, 2))
          units.push(...(await perExampleGradients(model, adapter, batch)).perRow);
        const pg = privateGradient(
          units,
          sizes,
          { noiseMultiplier: 1, clipNorm: 1, clipping: 'flat', expectedBatchSize: 2 },
          random,
        );
        optimizer.step(params, pg.gradient, 1e-3);
        adapter.setValues(params);
      };
      await step();
      const after1 = tf.memory();
      for (let i = 0; i < 11; i++) await step();
      const after12 = tf.memory();
      expect(after12.numTensors).toBe(after1.numTensors);
      expect(after12.numBytes).toBe(after1.numBytes);
      adapter.dispose();
      model.dispose();
    });
  },
);
