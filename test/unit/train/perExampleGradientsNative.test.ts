/**
 * DP-SGD's per-example LoRA gradients (Abadi et al. 2016; computed by per-example adapter
 * copies, src-main/train/perExampleGradients.ts) are the same on the `native` backend (BLAS
 * matmuls, C++ elementwise/reduction/layout kernels, pooled output arrays) as on the tfjs
 * cpu backend, within 1e-4 relative to each gradient tensor's largest entry: for a small
 * random GPT-2 and a small random Llama (GQA, RoPE, RMSNorm, SiLU), in padded micro-batches.
 * So are the summed (non-private) gradient, the per-row losses, and the model's forward
 * logits; a larger GPT-2 pushes the kernels past their thread-split sizes. The first step is
 * repeated so the second runs on reused (pooled) arrays. Skipped only where the native addon
 * is not built (CI builds it).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../../../src-main/engine/nativeAddon.js';
import { registerNativeBackend } from '../../../src-main/engine/nativeBackend.js';
import { LoraAdapter } from '../../../src-main/lora/index.js';
import { parseModelConfig, randomModel } from '../../../src-main/model/index.js';
import type { CausalLm } from '../../../src-main/model/index.js';
import { packMicroBatches } from '../../../src-main/train/microBatches.js';
import { perExampleGradients, summedGradient } from '../../../src-main/train/perExampleGradients.js';
import type { TrainingExample } from '../../../src-main/train/trainingData.js';
import { TINY_GPT2, TINY_LLAMA } from '../model/tinyModels.js';

const TOLERANCE = 1e-4;
const native = loadNativeAddon().available;

afterAll(async () => {
  await tf.setBackend('cpu');
});

const SMALL_GPT2 = { ...TINY_GPT2, vocab_size: 320, n_positions: 64, n_embd: 64, n_head: 4, n_layer: 2 };

function examplesFor(vocab: number, lengths: number[]): TrainingExample[] {
  let x = 977;
  return lengths.map((n, i) => ({
    recordId: i + 1,
    unit: i,
    ids: Array.from({ length: n }, () => (x = (x * 1103515245 + 12345) % 2 ** 31) % vocab),
  }));
}

interface Run {
  perRow: Float32Array[][];
  losses: number[];
  sum: Float32Array[];
  logits: Float32Array;
}

/** Builds the model and adapter on `backend` (same seeds every time) and runs one step twice. */
async function runOn(
  backend: string,
  raw: Record<string, unknown>,
  examples: TrainingExample[],
): Promise<Run> {
  expect(await tf.setBackend(backend)).toBe(true);
  const model: CausalLm = randomModel(parseModelConfig(raw), 3, { std: 0.2 });
  const adapter = LoraAdapter.create(model, { r: 4, alpha: 8, dropout: 0, targetModules: '.*' }, 7);
  adapter.modules.forEach((m, i) => m.b.assign(tf.randomNormal(m.b.shape, 0, 0.05, 'float32', 100 + i)));
  const [batch] = packMicroBatches(examples, examples.length + 1); // one dummy (padding) row
  let result: Run | undefined;
  for (let repeat = 0; repeat < 2; repeat += 1) {
    const { perRow, losses } = await perExampleGradients(model, adapter, batch!);
    const { sum } = await summedGradient(model, adapter, batch!);
    const ids = tf.tensor2d(batch!.ids, [batch!.ids.length, batch!.ids[0]!.length], 'int32');
    const logitsTensor = model.forward(ids, { attentionMask: batch!.mask, adapters: adapter.adapterMap() });
    const logits = Float32Array.from(await logitsTensor.data());
    tf.dispose([ids, logitsTensor]);
    result = { perRow, losses, sum: sum.map((s) => Float32Array.from(s)), logits };
  }
  adapter.dispose?.();
  model.dispose();
  return result!;
}

function relativeDifference(got: Float32Array, ref: Float32Array): number {
  expect(got.length).toBe(ref.length);
  let diff = 0;
  let scale = 0;
  ref.forEach((r, i) => {
    diff = Math.max(diff, Math.abs((got[i] ?? NaN) - r));
    scale = Math.max(scale, Math.abs(r));
  });
  expect(scale).toBeGreaterThan(0); // a zero gradient would compare trivially
  return diff / scale;
}

describe.skipIf(!native)('per-example LoRA gradients: native backend equals cpu', () => {
  it.each([
    ['gpt2', TINY_GPT2, [7, 11, 3, 5]],
    ['llama', TINY_LLAMA, [9, 4, 12]],
    ['gpt2, larger (thread-split sizes)', SMALL_GPT2, [40, 33, 17]],
  ] as const)(
    '%s',
    async (_name, raw, lengths) => {
      registerNativeBackend();
      const examples = examplesFor(raw.vocab_size, [...lengths]);
      const ref = await runOn('cpu', raw, examples);
      const got = await runOn('native', raw, examples);
      expect(got.perRow).toHaveLength(examples.length);
      got.perRow.forEach((row, r) =>
        row.forEach((g, k) =>
          expect(relativeDifference(g, ref.perRow[r]![k]!), `row ${r} tensor ${k}`).toBeLessThan(TOLERANCE),
        ),
      );
      got.sum.forEach((g, k) =>
        expect(relativeDifference(g, ref.sum[k]!), `sum ${k}`).toBeLessThan(TOLERANCE),
      );
      expect(relativeDifference(Float32Array.from(got.losses), Float32Array.from(ref.losses))).toBeLessThan(
        TOLERANCE,
      );
      expect(relativeDifference(got.logits, ref.logits)).toBeLessThan(TOLERANCE);
    },
    60_000,
  );
});
