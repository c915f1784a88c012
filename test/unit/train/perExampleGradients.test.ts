/**
 * DP-SGD's per-unit gradients (Abadi et al. 2016): the batched per-example-copies gradients
 * equal a slow reference (one backward pass per example, as Opacus's tests compare
 * GradSampleModule against microbatch size 1) within 1e-5; clipped units have norm ≤ C;
 * patient-level clipping (a patient's records summed, then clipped as one unit) equals its
 * slow reference; and the non-private summed gradient equals the sum of per-example ones.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { accumulateClipped, l2Norm } from '../../../src-main/dp/clipping.js';
import { LoraAdapter } from '../../../src-main/lora/index.js';
import { parseModelConfig, randomModel, tokenLogProbs } from '../../../src-main/model/index.js';
import type { CausalLm } from '../../../src-main/model/index.js';
import { packMicroBatches } from '../../../src-main/train/microBatches.js';
import { perExampleGradients, summedGradient } from '../../../src-main/train/perExampleGradients.js';
import type { TrainingExample } from '../../../src-main/train/trainingData.js';
import { TINY_GPT2, TINY_LLAMA } from '../model/tinyModels.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const examples: TrainingExample[] = [
  { recordId: 1, unit: 0, ids: [3, 1, 4, 1, 5, 9, 2] },
  { recordId: 2, unit: 1, ids: [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4] },
  { recordId: 3, unit: 0, ids: [6, 6, 6] },
  { recordId: 4, unit: 2, ids: [10, 20, 30, 40, 50] },
  { recordId: 5, unit: 1, ids: [11, 12, 13, 14, 15, 16, 17, 18, 19] },
];

/** One backward pass for one example alone, through the shared variables. */
async function slowGradient(
  model: CausalLm,
  adapter: LoraAdapter,
  ids: readonly number[],
): Promise<Float32Array[]> {
  const x = tf.tensor2d([[...ids]], [1, ids.length], 'int32');
  const vars = adapter.trainableVariables;
  const { grads, value } = tf.variableGrads(
    () => tokenLogProbs(model, x, { adapters: adapter.adapterMap() }).mean().neg() as tf.Scalar,
    vars,
  );
  value.dispose();
  x.dispose();
  return Promise.all(vars.map(async (v) => (await grads[v.name]!.data()) as Float32Array));
}

/** A trained-looking adapter: B random too, so every gradient is non-zero. */
function adapterWithRandomB(model: CausalLm): LoraAdapter {
  const adapter = LoraAdapter.create(model, { r: 4, alpha: 8, dropout: 0, targetModules: '.*' }, 7);
  adapter.modules.forEach((m, i) => m.b.assign(tf.randomNormal(m.b.shape, 0, 0.05, 'float32', 100 + i)));
  return adapter;
}

function maxAbsDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let d = 0;
  a.forEach((x, k) => x.forEach((v, i) => (d = Math.max(d, Math.abs(v - b[k]![i]!)))));
  return d;
}

describe.each([
  ['gpt2', TINY_GPT2],
  ['llama', TINY_LLAMA],
])('per-example LoRA gradients (%s)', (_name, raw) => {
  const model = randomModel(parseModelConfig(raw), 3, { std: 0.2 });
  const adapter = adapterWithRandomB(model);

  it('equal one backward pass per example within 1e-5, in fixed padded micro-batches', async () => {
    const batches = packMicroBatches(examples, 3); // 5 examples → 3 + (2 real + 1 dummy)
    expect(batches).toHaveLength(2);
    expect(batches[1]!.ids).toHaveLength(3);
    for (const batch of batches) {
      const { perRow, losses, tokens } = await perExampleGradients(model, adapter, batch);
      expect(perRow).toHaveLength(batch.examples.length);
      for (const [r, e] of batch.examples.entries()) {
        const slow = await slowGradient(model, adapter, e.ids);
        expect(maxAbsDiff(perRow[r]!, slow)).toBeLessThan(1e-5);
        expect(tokens[r]).toBe(e.ids.length - 1);
        expect(Number.isFinite(losses[r])).toBe(true);
      }
    }
  });

  it('the non-private summed gradient is the sum of the per-example gradients', async () => {
    const [batch] = packMicroBatches(examples, 5);
    const { perRow } = await perExampleGradients(model, adapter, batch!);
    const { sum } = await summedGradient(model, adapter, batch!);
    const expected = sum.map((s) => new Float32Array(s.length));
    for (const row of perRow) row.forEach((g, k) => g.forEach((v, i) => (expected[k]![i]! += v)));
    expect(maxAbsDiff(sum, expected)).toBeLessThan(1e-5);
  });

  it('patient-level clipping: records summed per patient, each patient clipped to C, equals the slow reference', async () => {
    const clipNorm = 0.01; // small enough that every unit is clipped
    const sizes = adapter.trainableVariables.map((v) => v.size);
    const units = new Map<number, Float32Array[]>();
    for (const batch of packMicroBatches(examples, 2)) {
      const { perRow } = await perExampleGradients(model, adapter, batch);
      batch.examples.forEach((e, r) => {
        const acc = units.get(e.unit) ?? sizes.map((n) => new Float32Array(n));
        perRow[r]!.forEach((g, k) => g.forEach((v, i) => (acc[k]![i]! += v)));
        units.set(e.unit, acc);
      });
    }
    const fast = sizes.map((n) => new Float32Array(n));
    const stats = accumulateClipped([...units.values()], fast, clipNorm);
    expect(stats.clippedCount).toBe(3);

    const slow = sizes.map((n) => new Float32Array(n));
    for (const unit of [0, 1, 2]) {
      const g = sizes.map((n) => new Float32Array(n));
      for (const e of examples.filter((x) => x.unit === unit)) {
        (await slowGradient(model, adapter, e.ids)).forEach((part, k) =>
          part.forEach((v, i) => (g[k]![i]! += v)),
        );
      }
      const factor = Math.min(1, clipNorm / l2Norm(g));
      const clipped = g.map((part) => part.map((v) => v * factor));
      expect(l2Norm(clipped)).toBeLessThanOrEqual(clipNorm * (1 + 1e-6));
      clipped.forEach((part, k) => part.forEach((v, i) => (slow[k]![i]! += v)));
    }
    expect(maxAbsDiff(fast, slow)).toBeLessThan(1e-6);
    expect(l2Norm(fast)).toBeLessThanOrEqual(3 * clipNorm * (1 + 1e-6));
  });
});
