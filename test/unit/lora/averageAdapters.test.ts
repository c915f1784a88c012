/**
 * averageAdapters: k LoRA adapters become one adapter of rank k·r whose update is exactly the
 * weighted average of theirs, ΔW = Σ w_i (α/r) B_i A_i (checked against the products computed
 * directly with the scale the forward pass uses), for LoRA and rsLoRA scaling; mismatched adapters
 * are refused. Used to combine the shards of a SISA run (Bourtoule et al. 2021).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { averageAdapters, LoraAdapter, type LoraOptions } from '../../../src-main/lora/index.js';
import { parseModelConfig, randomModel, type CausalLm } from '../../../src-main/model/index.js';
import { TINY_GPT2 } from '../model/tinyModels.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function trained(model: CausalLm, options: LoraOptions, seed: number): LoraAdapter {
  const adapter = LoraAdapter.create(model, options, seed);
  for (const m of adapter.modules) m.b.assign(tf.randomNormal(m.b.shape, 0, 0.2, 'float32', seed * 31 + 7));
  return adapter;
}

function delta(adapter: LoraAdapter, module: number): tf.Tensor2D {
  const m = adapter.modules[module]!;
  return tf.mul(tf.matMul(m.b, m.a), adapter.scale) as tf.Tensor2D;
}

function maxAbs(a: tf.Tensor, b: tf.Tensor): number {
  return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
}

describe('averageAdapters', () => {
  const model = randomModel(parseModelConfig(TINY_GPT2), 2, { std: 0.2, biasStd: 0.05 });

  for (const useRslora of [false, true]) {
    it(`is the weighted average of the updates (${useRslora ? 'rsLoRA' : 'LoRA'} scaling)`, () => {
      const options: LoraOptions = { r: 4, alpha: 8, dropout: 0, targetModules: ['c_attn'], useRslora };
      const adapters = [trained(model, options, 1), trained(model, options, 2), trained(model, options, 3)];
      const weights = [5, 3, 2]; // normalised inside: 0.5, 0.3, 0.2
      const combined = averageAdapters(model, adapters, weights);
      expect(combined.options.r).toBe(12);
      expect(combined.modules).toHaveLength(adapters[0]!.modules.length);
      combined.modules.forEach((_, i) => {
        const expected = tf.addN(adapters.map((a, j) => tf.mul(delta(a, i), weights[j]! / 10)));
        expect(maxAbs(delta(combined, i), expected)).toBeLessThan(1e-5);
      });
      for (const a of adapters) a.dispose();
      combined.dispose();
    });
  }

  it('equal weights by default; a single adapter is returned unchanged in effect', () => {
    const options: LoraOptions = { r: 2, alpha: 4, dropout: 0, targetModules: ['c_attn'] };
    const a = trained(model, options, 4);
    const b = trained(model, options, 5);
    const combined = averageAdapters(model, [a, b]);
    const expected = tf.mul(tf.add(delta(a, 0), delta(b, 0)), 0.5);
    expect(maxAbs(delta(combined, 0), expected)).toBeLessThan(1e-5);
    const alone = averageAdapters(model, [a]);
    expect(maxAbs(delta(alone, 0), delta(a, 0))).toBeLessThan(1e-6);
  });

  it('refuses adapters with different ranks or modules, and bad weights', () => {
    const a = trained(model, { r: 2, alpha: 4, dropout: 0, targetModules: ['c_attn'] }, 1);
    const b = trained(model, { r: 4, alpha: 4, dropout: 0, targetModules: ['c_attn'] }, 2);
    expect(() => averageAdapters(model, [a, b])).toThrow(/same rank/);
    expect(() => averageAdapters(model, [a, a], [1, -1])).toThrow(/non-negative/);
    expect(() => averageAdapters(model, [])).toThrow(/Cannot average 0/);
  });
});
