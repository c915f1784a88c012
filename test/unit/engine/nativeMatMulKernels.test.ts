// The `native` backend's overridden kernels (BatchMatMul, _FusedMatMul) against the tfjs cpu
// backend, within 1e-5 relative, on random shapes and edge shapes: 1×N, N×1, sizes that are
// not multiples of the cpu kernel's block size (48) nor of BLAS register blocks, batched,
// transposed (all four combinations) and broadcast batch dimensions. Where the cpu kernel's
// own broadcasting is not NumPy's (it indexes batches modulo), the reference is an explicit
// tile-then-matmul on cpu.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../../../src-main/engine/nativeAddon';
import { NATIVE_OVERRIDDEN_KERNELS, registerNativeBackend } from '../../../src-main/engine/nativeBackend';
import { planBatchMatMul } from '../../../src-main/engine/nativeMatMulKernels';
import { randomValues, sizeOf } from './nativeKernelCheck';

tf.env().set('PROD', true);
const addon = loadNativeAddon();

const size = sizeOf;

async function onBackend(
  name: string,
  f: () => tf.Tensor,
): Promise<{ shape: number[]; values: Float32Array }> {
  expect(await tf.setBackend(name)).toBe(true);
  const t = tf.tidy(f);
  const values = (await t.data()) as Float32Array;
  const shape = t.shape;
  t.dispose();
  return { shape, values };
}

/**
 * Relative error of each product element against the dot product's own scale: the standard
 * float error bound |fl(x·y) − x·y| ≤ γ_k Σ|x_i·y_i| (Higham, Accuracy and Stability of
 * Numerical Algorithms, 2nd ed., §3.1), so `bound` is |A|·|B| (plus |bias|). A plain
 * |got−ref|/|ref| is meaningless where cancellation makes ref ≈ 0. The cpu kernel sums in
 * float64 and rounds once, so it is the near-exact reference.
 */
function maxRelativeError(got: Float32Array, ref: Float32Array, bound: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < ref.length; i += 1) {
    worst = Math.max(worst, Math.abs((got[i] ?? NaN) - (ref[i] ?? NaN)) / ((bound[i] ?? NaN) + 1e-30));
  }
  return worst;
}

/** max|got−ref| / max|ref|: relative error in the max norm. */
function maxNormRelativeError(got: Float32Array, ref: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i += 1) {
    const r = ref[i] ?? NaN;
    diff = Math.max(diff, Math.abs((got[i] ?? NaN) - r));
    scale = Math.max(scale, Math.abs(r));
  }
  return diff / (scale + 1e-30);
}

describe('planBatchMatMul (offsets for broadcast batches)', () => {
  it('broadcasts batch dims as NumPy does and rejects mismatched inner dims', () => {
    const plan = planBatchMatMul([2, 1, 3, 4], [3, 4, 5], false, false);
    expect(plan.outShape).toEqual([2, 3, 3, 5]);
    expect([plan.m, plan.n, plan.k]).toEqual([3, 5, 4]);
    // out batch (i, j) uses a batch i and b batch j
    expect(Array.from(plan.aOffsets)).toEqual([0, 0, 0, 12, 12, 12]);
    expect(Array.from(plan.bOffsets)).toEqual([0, 20, 40, 0, 20, 40]);
    expect(planBatchMatMul([4, 3], [5, 4], true, true).outShape).toEqual([3, 5]);
    expect(() => planBatchMatMul([2, 3], [4, 5], false, false)).toThrow(/inner shapes/);
    expect(() => planBatchMatMul([2, 2, 3], [3, 3, 5], false, false)).toThrow();
  });
});

describe.skipIf(!addon.available)('native backend kernels vs cpu', () => {
  it('overrides exactly the matmul kernels and inherits every other cpu kernel', () => {
    registerNativeBackend();
    const native = new Set(tf.getKernelsForBackend('native').map((k) => k.kernelName));
    for (const k of tf.getKernelsForBackend('cpu')) expect(native.has(k.kernelName)).toBe(true);
    for (const name of NATIVE_OVERRIDDEN_KERNELS) {
      expect(tf.getKernel(name, 'native')?.kernelFunc).not.toBe(tf.getKernel(name, 'cpu')?.kernelFunc);
    }
  });

  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[1, 1], [1, 1], false, false],
    [[1, 300], [300, 7], false, false], // row vector (GEMV path)
    [[7, 300], [300, 1], false, false], // column result (GEMV path)
    [[300, 7], [1, 300], true, true], // 1×N with both transposed
    [[49, 97], [97, 50], false, false], // just past the cpu kernel's 48 block
    [[97, 49], [97, 50], true, false],
    [[49, 97], [50, 97], false, true],
    [[97, 49], [50, 97], true, true],
    [[3, 17, 33], [3, 33, 9], false, false], // batched
    [[3, 33, 17], [3, 9, 33], true, true],
    [[2, 4, 16, 8], [2, 4, 16, 8], false, true], // attention scores q·kᵀ
    [[2, 4, 16, 16], [2, 4, 16, 8], false, false], // attention · v
    [[5, 16, 12], [12, 20], false, false], // broadcast: weights shared over the batch
    [[16, 12], [5, 12, 20], false, false],
    [[5, 12, 16], [20, 12], true, true],
    [[0, 5], [5, 3], false, false], // empty
    [[4, 0], [0, 3], false, false], // empty inner dimension: zeros
  ];

  it.each(cases)(
    'matMul %j × %j (transposeA=%s, transposeB=%s) equals cpu',
    async (aShape, bShape, ta, tb) => {
      registerNativeBackend();
      const av = randomValues(size(aShape), 1 + aShape.length);
      const bv = randomValues(size(bShape), 7 + bShape.length);
      const run = () => tf.matMul(tf.tensor(av, aShape), tf.tensor(bv, bShape), ta, tb);
      const ref = await onBackend('cpu', run);
      const bound = await onBackend('cpu', () =>
        tf.matMul(tf.abs(tf.tensor(av, aShape)), tf.abs(tf.tensor(bv, bShape)), ta, tb),
      );
      const got = await onBackend('native', run);
      expect(got.shape).toEqual(ref.shape);
      expect(maxRelativeError(got.values, ref.values, bound.values)).toBeLessThan(1e-5);
    },
  );

  it('broadcasts batch dims the cpu kernel gets wrong ([2,1,m,k]·[3,k,n]) like an explicit tile', async () => {
    registerNativeBackend();
    const av = randomValues(2 * 1 * 6 * 5, 11);
    const bv = randomValues(3 * 5 * 4, 12);
    const got = await onBackend('native', () =>
      tf.matMul(tf.tensor(av, [2, 1, 6, 5]), tf.tensor(bv, [3, 5, 4])),
    );
    const tiled = (f: (x: tf.Tensor) => tf.Tensor) => () =>
      tf.matMul(
        tf.tile(f(tf.tensor(av, [2, 1, 6, 5])), [1, 3, 1, 1]),
        tf.tile(f(tf.tensor(bv, [1, 3, 5, 4])), [2, 1, 1, 1]),
      );
    const ref = await onBackend(
      'cpu',
      tiled((x) => x),
    );
    const bound = await onBackend(
      'cpu',
      tiled((x) => tf.abs(x)),
    );
    expect(got.shape).toEqual([2, 3, 6, 4]);
    expect(maxRelativeError(got.values, ref.values, bound.values)).toBeLessThan(1e-5);
  });

  it.each([
    ['linear', false],
    ['relu', true],
    ['elu', true],
    ['sigmoid', true],
    ['leakyrelu', true],
    ['relu6', false],
    ['prelu', true],
  ] as const)('fused matMul with %s activation (bias: %s) equals cpu', async (activation, withBias) => {
    registerNativeBackend();
    const av = randomValues(3 * 13 * 21, 21);
    const bv = randomValues(21 * 10, 22);
    const biasv = randomValues(10, 23);
    const alphav = randomValues(10, 24);
    for (const [ta, tb] of [
      [false, false],
      [true, true],
    ] as const) {
      const run = () =>
        tf.fused.matMul({
          a: ta ? tf.transpose(tf.tensor(av, [3, 13, 21]), [0, 2, 1]) : tf.tensor(av, [3, 13, 21]),
          b: tb ? tf.transpose(tf.tensor(bv, [21, 10])) : tf.tensor(bv, [21, 10]),
          transposeA: ta,
          transposeB: tb,
          bias: withBias ? tf.tensor(biasv, [10]) : undefined,
          activation,
          preluActivationWeights: activation === 'prelu' ? tf.tensor(alphav, [10]) : undefined,
          leakyreluAlpha: 0.1,
        });
      const ref = await onBackend('cpu', run);
      // Every activation here is 1-Lipschitz (prelu/leakyrelu slopes are < 1), so |A|·|B| + |bias| bounds it.
      const bound = await onBackend('cpu', () =>
        tf.add(
          tf.matMul(tf.abs(tf.tensor(av, [3, 13, 21])), tf.abs(tf.tensor(bv, [21, 10]))),
          tf.abs(tf.tensor(biasv)),
        ),
      );
      const got = await onBackend('native', run);
      expect(got.shape).toEqual(ref.shape);
      expect(maxRelativeError(got.values, ref.values, bound.values)).toBeLessThan(1e-5);
    }
  });

  // tfjs 4.22's BatchMatMul gradient does not sum over broadcast batch dims (a [4,9,31] ·
  // b [31,11] fails with "gradient of input 'b' has shape 4,31,11"), on every backend: models
  // must flatten to 2-D before multiplying by a shared weight.
  it('gradients through matMul (transposed products) equal cpu', async () => {
    registerNativeBackend();
    const av = randomValues(36 * 31, 31);
    const bv = randomValues(31 * 11, 32);
    const grads = async (backend: string): Promise<Float32Array[]> => {
      expect(await tf.setBackend(backend)).toBe(true);
      const gs = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a, b))))([
        tf.tensor(av, [36, 31]),
        tf.tensor(bv, [31, 11]),
      ]);
      return Promise.all(gs.map(async (g) => (await g.data()) as Float32Array));
    };
    const ref = await grads('cpu');
    const got = await grads('native');
    expect(got).toHaveLength(2);
    ref.forEach((r, i) =>
      expect(maxNormRelativeError(got[i] ?? new Float32Array(r.length), r)).toBeLessThan(1e-5),
    );
  });

  it('int32 matMul falls back to the cpu kernel', async () => {
    registerNativeBackend();
    const run = () => tf.matMul(tf.tensor([[1, 2]], [1, 2], 'int32'), tf.tensor([[3], [4]], [2, 1], 'int32'));
    const got = await onBackend('native', run);
    expect(Array.from(got.values)).toEqual([11]);
  });

  it('rejects out-of-bounds offsets in the addon instead of reading past an array', () => {
    if (!addon.available) return;
    const a = new Float32Array(4);
    const c = new Float32Array(4);
    expect(() =>
      addon.addon.gemmBatch(a, a, c, 2, 2, 2, false, false, new Float64Array([1]), new Float64Array([0])),
    ).toThrow(/outside/);
    expect(() =>
      addon.addon.gemmBatch(
        a,
        a,
        new Float32Array(3),
        2,
        2,
        2,
        false,
        false,
        new Float64Array([0]),
        new Float64Array([0]),
      ),
    ).toThrow(/too short/);
    const f64 = (...v: number[]) => Float64Array.from(v);
    // strides that would walk past b (2 elements) for a [2, 2] output
    expect(() => addon.addon.binary(0, a, new Float32Array(2), c, f64(2, 2), f64(2, 1), f64(1, 1))).toThrow(
      /do not match/,
    );
    expect(() => addon.addon.unary(0, a, new Float32Array(3))).toThrow(/differ/);
  });
});
