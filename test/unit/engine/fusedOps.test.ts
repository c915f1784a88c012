// The fused GELU (tanh approximation; Hendrycks & Gimpel 2016) of the `native` backend —
// one kernel forward, one backward — against the composed tfjs-op formula on the cpu
// backend within 1e-5 relative (values and gradients, with a non-uniform upstream
// gradient), against a float64 reference per element, and the composed fallback on other
// backends and dtypes.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { geluTanh, geluTanhComposed, layerNorm, logProbRows } from '../../../src-main/engine/fusedOps';
import { loadNativeAddon } from '../../../src-main/engine/nativeAddon';
import { registerNativeBackend } from '../../../src-main/engine/nativeBackend';
import { compareWithCpu, randomValues, sizeOf } from './nativeKernelCheck';

tf.env().set('PROD', true);

const reference = (x: number) => {
  const u = Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3);
  return 0.5 * x * (1 + Math.tanh(u));
};
const referenceGrad = (x: number) => {
  const c = Math.sqrt(2 / Math.PI);
  const t = Math.tanh(c * (x + 0.044715 * x ** 3));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
};

describe.skipIf(!loadNativeAddon().available)('fused GELU on the native backend', () => {
  it.each([[[7]], [[3, 5, 33]], [[4, 16, 1030]]])(
    'forward and gradient equal the composed ops on cpu, shape %j',
    async (shape) => {
      registerNativeBackend();
      const x = randomValues(sizeOf(shape), 41, -6, 6);
      const up = randomValues(sizeOf(shape), 42, -1, 1);
      // on cpu, geluTanh is the composed formula; on native, the fused kernels
      await compareWithCpu(() => geluTanh(tf.tensor(x, shape)));
      await compareWithCpu(() =>
        tf.grad((v: tf.Tensor) => tf.sum(tf.mul(geluTanh(v), tf.tensor(up, shape))))(tf.tensor(x, shape)),
      );
    },
  );

  it('per element: within 2.5e-7 relative (float32 rounding; 1e-12 absolute where 1 + tanh cancels) of a float64 reference, gradient too', async () => {
    registerNativeBackend();
    await tf.setBackend('native');
    const x = Float32Array.from([...randomValues(5000, 43, -12, 12), 0, -0, 1e-6, -1e-6, 30, -30, 1e4, -1e4]);
    const y = await geluTanh(tf.tensor1d(x)).data();
    const g = await tf
      .grad((v: tf.Tensor) => tf.sum(geluTanh(v)))(tf.tensor1d(x))
      .data();
    x.forEach((v, i) => {
      const r = reference(v);
      expect(Math.abs((y[i] as number) - r)).toBeLessThanOrEqual(2.5e-7 * Math.abs(r) + 1e-12);
      const rg = referenceGrad(v);
      expect(Math.abs((g[i] as number) - rg)).toBeLessThanOrEqual(2.5e-7 * Math.abs(rg) + 1e-12);
    });
  });

  it('uses the fused kernel only on native float32; the composed ops elsewhere', async () => {
    registerNativeBackend();
    await tf.setBackend('native');
    const x = tf.tensor1d([-1, 0.5, 2]);
    const before = tf.memory().numTensors;
    const fused = geluTanh(x);
    expect(tf.memory().numTensors - before).toBe(1); // one kernel, no intermediates
    const composed0 = tf.tidy(() => geluTanhComposed(x));
    const [f, c] = [await fused.data(), await composed0.data()];
    f.forEach((v, i) => expect(v).toBeCloseTo(c[i]!, 6));
    tf.dispose([x, fused, composed0]);
    await tf.setBackend('cpu');
    const composed = geluTanh(tf.tensor1d([-1, 0.5, 2]));
    const expected = [-1, 0.5, 2].map(reference);
    (await composed.data()).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });
});

describe.skipIf(!loadNativeAddon().available)('fused LayerNorm on the native backend', () => {
  it.each([[[1, 8]], [[3, 5, 33]], [[4, 16, 768]], [[2, 3]]])(
    'forward and gradients (x, γ, β) equal the composed ops on cpu, shape %j',
    async (shape) => {
      registerNativeBackend();
      const c = shape[shape.length - 1]!;
      const x = randomValues(sizeOf(shape), 51, -3, 5);
      const gamma = randomValues(c, 52, 0.5, 1.5);
      const beta = randomValues(c, 53, -0.5, 0.5);
      const up = randomValues(sizeOf(shape), 54, -1, 1);
      const f = (v: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(layerNorm(v, g, b, 1e-5), tf.tensor(up, shape)));
      await compareWithCpu(() => layerNorm(tf.tensor(x, shape), tf.tensor1d(gamma), tf.tensor1d(beta), 1e-5));
      for (let i = 0; i < 3; i += 1) {
        await compareWithCpu(
          () => tf.grads(f)([tf.tensor(x, shape), tf.tensor1d(gamma), tf.tensor1d(beta)])[i]!,
          1e-4, // the composed gradient on cpu sums float32 products in another order
        );
      }
    },
  );

  it('falls back to the composed ops for shapes the kernel does not take (γ broadcast on two axes)', async () => {
    registerNativeBackend();
    const x = randomValues(2 * 3 * 4, 55);
    const gamma = randomValues(3 * 4, 56);
    await compareWithCpu(() =>
      layerNorm(tf.tensor3d(x, [2, 3, 4]), tf.tensor2d(gamma, [3, 4]), tf.scalar(0.1), 1e-5),
    );
  });
});

describe.skipIf(!loadNativeAddon().available)('fused token log-probabilities on the native backend', () => {
  it.each([
    [1, 5],
    [7, 97],
    [16, 1500],
  ])(
    'log-softmax at the targets and its gradient equal the composed ops on cpu, %i rows × %i',
    async (rows, vocab) => {
      registerNativeBackend();
      const x = randomValues(rows * vocab, 61, -8, 8);
      const targets = Array.from(randomValues(rows, 62, 0, vocab), Math.floor);
      const up = randomValues(rows, 63, -1, 1).map((v, i) => (i % 3 === 2 ? 0 : v)); // some rows without gradient
      const logits = () => tf.tensor2d(x, [rows, vocab]);
      const ids = () => tf.tensor1d(targets, 'int32');
      await compareWithCpu(() => logProbRows(logits(), ids()));
      await compareWithCpu(() =>
        tf.grad((v: tf.Tensor) => tf.sum(tf.mul(logProbRows(v as tf.Tensor2D, ids()), tf.tensor1d(up))))(
          logits(),
        ),
      );
    },
  );

  it('large logits and masked (−1e9) entries stay finite; a target out of range throws', async () => {
    registerNativeBackend();
    const x = [1000, -1e9, 999, 3, -1e9, -1e9, 0.5, 0.25, 0];
    // float64 reference (the composed float32 ops on cpu lose 5e-5 near a logit of 1000)
    const ref = [0, 0, 2].map((t, r) => {
      const row = x.slice(3 * r, 3 * r + 3);
      const max = Math.max(...row);
      return (row[t] as number) - max - Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
    });
    await tf.setBackend('native');
    const got = await logProbRows(tf.tensor2d(x, [3, 3]), tf.tensor1d([0, 0, 2], 'int32')).data();
    got.forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 5));
    expect(() => logProbRows(tf.tensor2d(x, [3, 3]), tf.tensor1d([0, 3, 1], 'int32'))).toThrow(/target 3/);
  });
});
