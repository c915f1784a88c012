/**
 * The fused WebGPU executor (engine/webgpu) against the tfjs reference path (cpu backend):
 * log-probabilities, per-example LoRA gradients, the summed gradient, and whole DP-SGD and
 * non-private steps, for GPT-2 and Llama (GQA, RoPE with llama3 scaling, untied head), with
 * right padding, at record and patient level. fp32 on both sides: log-probabilities within
 * 2e-4 absolute, gradients within 2e-3 of their largest entry (the GPU sums in another order).
 * Runs on Mesa's software WebGPU where no GPU exists; CONFIDANT_REQUIRE_WEBGPU=1 turns a
 * missing adapter into a failure instead of a skip.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accumulateClipped } from '../../../src-main/dp/clipping.js';
import type { FusedExecutor } from '../../../src-main/engine/webgpu/fusedExecutor.js';
import { LoraAdapter } from '../../../src-main/lora/index.js';
import { parseModelConfig, randomModel, tokenLogProbs } from '../../../src-main/model/index.js';
import type { CausalLm } from '../../../src-main/model/index.js';
import { AdamW } from '../../../src-main/train/adamW.js';
import { fusedExecutorFor } from '../../../src-main/train/fusedExecutorBridge.js';
import { packMicroBatches } from '../../../src-main/train/microBatches.js';
import { perExampleGradients, summedGradient } from '../../../src-main/train/perExampleGradients.js';
import type { TrainingExample } from '../../../src-main/train/trainingData.js';
import { TINY_GPT2, TINY_LLAMA } from '../model/tinyModels.js';

let gpu = true;
beforeAll(async () => {
  await tf.setBackend('cpu');
  try {
    const { openGpuRuntime } = await import('../../../src-main/engine/webgpu/gpuDevice.js');
    await openGpuRuntime();
  } catch (error) {
    if (process.env.CONFIDANT_REQUIRE_WEBGPU === '1') throw error;
    gpu = false;
  }
});

const examples: TrainingExample[] = [
  { recordId: 1, unit: 0, ids: [3, 1, 4, 1, 5, 9, 2] },
  { recordId: 2, unit: 1, ids: [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5, 6] },
  { recordId: 3, unit: 0, ids: [6, 6, 6] },
  { recordId: 4, unit: 2, ids: [10, 20, 30, 40, 50] },
  { recordId: 5, unit: 1, ids: [11, 12, 13, 14, 15, 16, 17, 18, 19] },
];

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** max |actual − expected| ≤ relative · scale (scale: the largest |expected|, or a given one). */
function expectClose(
  actual: Float32Array,
  expected: Float32Array,
  relative: number,
  what: string,
  scaleOf?: number,
): void {
  expect(actual.length, what).toBe(expected.length);
  const scale = Math.max(1e-6, scaleOf ?? maxAbs(expected));
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst / scale, `${what}: max |Δ| ${worst} vs scale ${scale}`).toBeLessThan(relative);
}

/** A LoRA adapter whose B is non-zero, so every gradient path is exercised. */
function adapterFor(model: CausalLm, targets: string[]): LoraAdapter {
  const adapter = LoraAdapter.create(model, { r: 4, alpha: 8, dropout: 0, targetModules: targets }, 7);
  adapter.modules.forEach((m, i) => m.b.assign(tf.randomNormal(m.b.shape, 0, 0.05, 'float32', 100 + i)));
  return adapter;
}

const cases = [
  { name: 'GPT-2', config: TINY_GPT2, targets: ['c_attn', 'c_proj', 'c_fc'] },
  {
    name: 'Llama (GQA, llama3 RoPE)',
    config: TINY_LLAMA,
    targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
  },
];

describe.each(cases)('fused executor equals tfjs: $name', ({ config, targets }) => {
  let model: CausalLm;
  let adapter: LoraAdapter;
  let executor: FusedExecutor;
  const rows = 4;
  const batches = packMicroBatches(examples, rows);

  beforeAll(async () => {
    if (!gpu) return;
    model = randomModel(parseModelConfig(config), 3, { std: 0.2, biasStd: 0.05 });
    adapter = adapterFor(model, targets);
    executor = await fusedExecutorFor(model, adapter, { rows, maxTime: 16 });
  });
  afterAll(() => executor?.dispose());

  it('log-probabilities of every real position (right padding)', async ({ skip }) => {
    if (!gpu) skip();
    for (const batch of batches) {
      const time = batch.ids[0]!.length;
      const ids = tf.tensor2d(batch.ids, [rows, time], 'int32');
      const ref = (await tokenLogProbs(model, ids, {
        attentionMask: batch.mask,
        adapters: adapter.adapterMap(),
      }).array()) as number[][];
      ids.dispose();
      const got = await executor.logProbs(batch);
      batch.mask.forEach((m, b) => {
        for (let t = 0; t + 1 < time; t++) {
          if (!m[t + 1]) continue;
          expect(Math.abs(got[b]![t]! - ref[b]![t]!), `row ${b} position ${t}`).toBeLessThan(2e-4);
        }
      });
    }
  });

  it('per-example LoRA gradients and row losses', async ({ skip }) => {
    if (!gpu) skip();
    for (const batch of batches) {
      const ref = await perExampleGradients(model, adapter, batch);
      const got = await executor.rowGradients(batch);
      ref.perRow.forEach((row, r) => {
        expect(Math.abs(got.losses[r]! - ref.losses[r]!)).toBeLessThan(2e-4);
        const rowScale = Math.max(...row.map(maxAbs));
        row.forEach((g, k) => expectClose(got.perRow[r]![k]!, g, 2e-3, `row ${r} tensor ${k}`, rowScale));
      });
    }
  });

  it('summed gradient over micro-batches', async ({ skip }) => {
    if (!gpu) skip();
    const sizes = adapter.trainableVariables.map((v) => v.size);
    const ref = sizes.map((n) => new Float32Array(n));
    for (const batch of batches) {
      const res = await summedGradient(model, adapter, batch);
      res.sum.forEach((g, k) => g.forEach((v, i) => (ref[k]![i]! += v)));
    }
    const got = await executor.summedGradient(batches);
    ref.forEach((g, k) => expectClose(got.sum[k]!, g, 2e-3, `tensor ${k}`));
  });

  it.each(['flat', 'per-layer'] as const)(
    'a patient-level DP-SGD step (%s clipping) equals clip-sum-noise-AdamW on the host',
    async (clipping) => {
      if (!gpu) return;
      const sizes = adapter.trainableVariables.map((v) => v.size);
      const start = await Promise.all(
        adapter.trainableVariables.map(async (v) => (await v.data()) as Float32Array),
      );
      executor.setParams(start);
      executor.setOptimizerState(
        sizes.map((n) => new Float32Array(n)),
        sizes.map((n) => new Float32Array(n)),
      );
      // host reference: units = patients (a patient's rows summed, then clipped once)
      const unitGrads = new Map<number, Float32Array[]>();
      for (const batch of batches) {
        const res = await perExampleGradients(model, adapter, batch);
        batch.examples.forEach((e, r) => {
          const acc = unitGrads.get(e.unit);
          if (!acc)
            unitGrads.set(
              e.unit,
              res.perRow[r]!.map((g) => g.slice()),
            );
          else res.perRow[r]!.forEach((g, k) => g.forEach((v, i) => (acc[k]![i]! += v)));
        });
      }
      const clipNorm = 0.05; // small: every unit is clipped
      const sigma = 0.7;
      const expectedBatch = 2.5;
      const noise = sizes.map((n, k) => Float32Array.from({ length: n }, (_, i) => Math.sin(13 * i + 7 * k)));
      const sum = sizes.map((n) => new Float32Array(n));
      const units = [...unitGrads.keys()].sort((a, b) => a - b);
      const perLayer =
        clipping === 'per-layer' ? sizes.map(() => clipNorm / Math.sqrt(sizes.length)) : undefined;
      accumulateClipped(
        units.map((u) => unitGrads.get(u)!),
        sum,
        clipNorm,
        perLayer,
      );
      const grad = sum.map((s, k) => s.map((v, i) => (v + sigma * clipNorm * noise[k]![i]!) / expectedBatch));
      const adam = { lr: 1e-2, beta1: 0.9, beta2: 0.999, weightDecay: 0.01 };
      const params = start.map((p) => p.slice());
      new AdamW(adam, sizes).step(params, grad, adam.lr);

      const slotOf = new Map(units.map((u, i) => [u, i]));
      const result = await executor.privateStep({
        batches: batches.map((batch) => ({
          batch,
          slots: batch.ids.map((_, r) =>
            r < batch.examples.length ? slotOf.get(batch.examples[r]!.unit)! : -1,
          ),
        })),
        units: units.length,
        clipNorm,
        clipping,
        noiseMultiplier: sigma,
        expectedBatchSize: expectedBatch,
        noise,
        adam: { lr: adam.lr, beta1: adam.beta1, beta2: adam.beta2, weightDecay: adam.weightDecay },
        step: 1,
      });
      const got = await executor.readParams();
      params.forEach((p, k) => expectClose(got[k]!, p, 2e-3, `param ${k}`));
      expect(result.clippedFraction).toBe(1);
      expect(result.unitNorms).toHaveLength(units.length);
      // the noise check sees exactly the noise that was added: ‖σC·z‖ / (σC√d)
      let zz = 0;
      let d = 0;
      for (const z of noise) {
        for (const v of z) zz += v * v;
        d += z.length;
      }
      expect(result.noiseRatio).toBeCloseTo(Math.sqrt(zz / d), 3);
      executor.setParams(start);
    },
  );
});
