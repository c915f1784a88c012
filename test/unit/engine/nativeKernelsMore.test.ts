// The `native` backend's kernels added after the second training-step profile, against the
// tfjs cpu backend within 1e-5 relative (max-norm): comparisons (bool outputs, NaN, ties),
// Maximum/Minimum/SquaredDifference, Cast to float32, Sum/Mean/Max/Min over contiguous and
// non-contiguous axis sets, Softmax, Transpose (cache-blocked tiles, odd sizes, rows larger
// than a thread's share), GatherV2, Concat, Tile, Sigmoid/Exp/Tanh over float32's range,
// and the gradients that use them (logSumExp's Max gradient, the LayerNorm of the models).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../../../src-main/engine/nativeAddon';
import { registerNativeBackend } from '../../../src-main/engine/nativeBackend';
import { compareWithCpu as compare, randomValues, sizeOf } from './nativeKernelCheck';

tf.env().set('PROD', true);

describe.skipIf(!loadNativeAddon().available)('native kernels vs cpu (profile round 2)', () => {
  const pairs: Array<[number[], number[]]> = [
    [[], []],
    [[7], []],
    [[3, 5], [5]],
    [
      [3, 5],
      [3, 1],
    ],
    [
      [1, 5],
      [3, 1],
    ],
    [
      [2, 1, 4, 1],
      [1, 3, 1, 5],
    ],
    [
      [8, 16, 333],
      [8, 16, 1],
    ],
    [[0, 4], [4]],
  ];

  it.each(pairs)('comparisons, maximum, minimum, squared difference %j ∘ %j', async (aShape, bShape) => {
    registerNativeBackend();
    // values on a coarse grid so that ties (==, <=, >=) happen
    const a = randomValues(sizeOf(aShape), 21, -3, 3).map(Math.round);
    const b = randomValues(sizeOf(bShape), 22, -3, 3).map(Math.round);
    const ops = [
      tf.equal,
      tf.notEqual,
      tf.less,
      tf.lessEqual,
      tf.greater,
      tf.greaterEqual,
      tf.maximum,
      tf.minimum,
      tf.squaredDifference,
    ];
    for (const op of ops) await compare(() => op(tf.tensor(a, aShape), tf.tensor(b, bShape)));
  });

  it('NaN in comparisons and in maximum/minimum, as the cpu kernels', async () => {
    registerNativeBackend();
    const a = tf.tensor1d([NaN, 1, NaN, -2]);
    const b = tf.tensor1d([NaN, NaN, 3, -2]);
    for (const op of [tf.equal, tf.notEqual, tf.less, tf.greaterEqual, tf.maximum, tf.minimum]) {
      await compare(() => op(a.clone(), b.clone()));
    }
  });

  it('cast of bool and int32 to float32 feeds the native kernels with the same values', async () => {
    registerNativeBackend();
    const x = randomValues(6 * 50, 23, -2, 2);
    await compare(() =>
      tf.cast(tf.greater(tf.tensor2d(x, [6, 50]), 0), 'float32').mul(tf.tensor2d(x, [6, 50])),
    );
    await compare(() => tf.cast(tf.tensor1d([1, -7, 123456], 'int32'), 'float32').add(0.5));
    await compare(() => tf.cast(tf.tensor2d(x, [6, 50]), 'int32'));
  });

  it('sum, mean, max, min over contiguous and non-contiguous axes, keepDims, size-1 dims', async () => {
    registerNativeBackend();
    const shape = [3, 1, 4, 5, 6];
    const x = randomValues(sizeOf(shape), 24, -5, 5);
    const t = () => tf.tensor(x, shape);
    const axesList: Array<number | number[] | undefined> = [
      4,
      0,
      [2, 3],
      [1, 2],
      [0, 2],
      [0, 1, 2, 3, 4],
      [3, 4],
      [0, 4],
      -1,
      undefined,
    ];
    for (const axes of axesList) {
      for (const keep of [false, true]) {
        await compare(() => tf.sum(t(), axes, keep));
        await compare(() => tf.mean(t(), axes, keep));
        await compare(() => tf.max(t(), axes, keep));
        await compare(() => tf.min(t(), axes, keep));
      }
    }
  });

  it('reductions over long rows and many columns (split across threads), NaN propagates in max', async () => {
    registerNativeBackend();
    const x = randomValues(12 * 9000, 25, -1, 1);
    await compare(() => tf.sum(tf.tensor2d(x, [12, 9000]), 1));
    await compare(() => tf.mean(tf.tensor2d(x, [12, 9000]), 0));
    await compare(() => tf.max(tf.tensor2d(x, [12, 9000]), 0));
    await compare(() => tf.min(tf.tensor2d(x, [4, 27000]), 1));
    await compare(() => tf.max(tf.tensor1d([1, NaN, 3])));
    await compare(() => tf.min(tf.tensor2d([1, 2, NaN, 0], [2, 2]), 0));
  });

  it('softmax over long rows, masked rows (−1e9) and its gradient', async () => {
    registerNativeBackend();
    const x = randomValues(6 * 7000, 26, -30, 30);
    await compare(() => tf.softmax(tf.tensor2d(x, [6, 7000])));
    const masked = Float32Array.from(x.subarray(0, 4 * 9), (v, i) => (i % 9 > i / 9 ? -1e9 : v));
    await compare(() => tf.softmax(tf.tensor2d(masked, [4, 9])));
    await compare(() =>
      tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.softmax(v), tf.tensor2d(x.subarray(0, 60), [4, 15]))))(
        tf.tensor2d(x.subarray(60, 120), [4, 15]),
      ),
    );
  });

  it('transpose: tiles with ragged edges, batched matrix transposes, heads, 1×N and N×1', async () => {
    registerNativeBackend();
    const cases: Array<[number[], number[]]> = [
      [
        [37, 70],
        [1, 0],
      ],
      [
        [1, 129],
        [1, 0],
      ],
      [
        [129, 1],
        [1, 0],
      ],
      [
        [3, 33, 65],
        [0, 2, 1],
      ],
      [
        [3, 33, 65],
        [2, 0, 1],
      ],
      [
        [3, 33, 65],
        [1, 2, 0],
      ],
      [
        [2, 64, 257],
        [0, 2, 1],
      ], // more than one thread's share
      [
        [4, 128, 6, 16],
        [0, 2, 1, 3],
      ], // attention heads
      [
        [4, 6, 128, 16],
        [0, 1, 3, 2],
      ],
      [[5], [0]],
    ];
    for (const [shape, perm] of cases) {
      const x = randomValues(sizeOf(shape), 27);
      await compare(() => tf.transpose(tf.tensor(x, shape), perm));
    }
  });

  it('gather along each axis with batched indices; out-of-range indices throw', async () => {
    registerNativeBackend();
    const x = randomValues(5 * 6 * 7, 28);
    const t = () => tf.tensor3d(x, [5, 6, 7]);
    const ids = (values: number[], shape: number[]) => tf.tensor(values, shape, 'int32');
    await compare(() => tf.gather(t(), ids([4, 0, 0, 2], [2, 2]), 0));
    await compare(() => tf.gather(t(), ids([5, 1, 3], [3]), 1));
    await compare(() => tf.gather(t(), ids([6, 0, 6, 1, 2, 3], [3, 2]), 2));
    await compare(() => tf.gather(t(), ids([], [0]), 1));
    await compare(() => tf.gather(tf.tensor1d([1, 2, 3], 'int32'), ids([2, 0], [2]))); // int32: cpu
    await tf.setBackend('native');
    expect(() => tf.gather(t(), ids([0, 5], [2]), 0)).toThrow(/index value 5/);
  });

  it('concat of unequal parts along each axis, and with an empty part', async () => {
    registerNativeBackend();
    const a = randomValues(2 * 3 * 4, 29);
    const b = randomValues(2 * 3 * 5, 30);
    await compare(() => tf.concat([tf.tensor3d(a, [2, 3, 4]), tf.tensor3d(b, [2, 3, 5])], 2));
    await compare(() => tf.concat([tf.tensor3d(a, [2, 4, 3]), tf.tensor3d(b, [2, 5, 3])], 1));
    await compare(() => tf.concat([tf.tensor3d(a, [4, 2, 3]), tf.tensor3d(b, [5, 2, 3])], 0));
    await compare(() => tf.concat([tf.tensor2d(a, [4, 6]), tf.zeros([4, 0]), tf.tensor2d(a, [4, 6])], 1));
  });

  it('tile with repeats on every axis (DP-SGD per-example adapter copies)', async () => {
    registerNativeBackend();
    const x = randomValues(2 * 3 * 4, 31);
    for (const reps of [
      [1, 1, 1],
      [3, 1, 1],
      [1, 2, 1],
      [1, 1, 3],
      [2, 3, 2],
    ]) {
      await compare(() => tf.tile(tf.tensor3d(x, [2, 3, 4]), reps));
    }
    await compare(() => tf.tile(tf.tensor1d(x.subarray(0, 5)), [4]));
    await compare(() => tf.tile(tf.tensor3d(x.subarray(0, 8), [1, 8, 1]), [5, 1, 1]));
  });

  it('exp, tanh, sigmoid over float32 range (large arrays split across threads), ±inf and NaN', async () => {
    registerNativeBackend();
    const x = randomValues(100_003, 32, -100, 100);
    const small = randomValues(1000, 33, -1e-3, 1e-3);
    const special = tf.tensor1d([0, -0, Infinity, -Infinity, NaN, 88.7, -103, 1e-8, -1e-30]);
    for (const f of [tf.tanh, tf.sigmoid]) {
      await compare(() => f(tf.tensor1d(x)));
      await compare(() => f(tf.tensor1d(small)));
      await compare(() => f(special.clone()));
    }
    await compare(() => tf.exp(tf.tensor1d(x.map((v) => v * 0.85)))); // up to float32's largest
    await compare(() => tf.exp(special.clone()));
  });

  it('per-element accuracy of tanh and exp: within 2 float32 ulps of Math', async () => {
    registerNativeBackend();
    await tf.setBackend('native');
    const x = randomValues(20_000, 34, -12, 12);
    const check = async (f: (t: tf.Tensor) => tf.Tensor, ref: (v: number) => number) => {
      const got = await f(tf.tensor1d(x)).data();
      x.forEach((v, i) => {
        const r = Math.fround(ref(v));
        const ulp = Math.max(Math.abs(r) * 2 ** -23, 2 ** -149);
        expect(Math.abs((got[i] as number) - r)).toBeLessThanOrEqual(2 * ulp);
      });
    };
    await check(tf.tanh, Math.tanh);
    await check(tf.exp, Math.exp);
    await check(tf.sigmoid, (v) => 1 / (1 + Math.exp(-v)));
  });

  it('gradients through logSumExp (Max gradient: Equal, Cast, Multiply) and LayerNorm', async () => {
    registerNativeBackend();
    const x = randomValues(4 * 9 * 50, 35, -4, 4);
    const w = randomValues(4 * 9 * 50, 36);
    await compare(() =>
      tf.grad((v: tf.Tensor) =>
        tf.sum(tf.mul(tf.logSumExp(v, -1, true), tf.tensor3d(w.subarray(0, 36), [4, 9, 1]))),
      )(tf.tensor3d(x, [4, 9, 50])),
    );
    await compare(
      () =>
        tf.grad((v: tf.Tensor) => {
          const { mean, variance } = tf.moments(v, -1, true);
          return tf.sum(tf.mul(v.sub(mean).div(variance.add(1e-5).sqrt()), tf.tensor3d(w, [4, 9, 50])));
        })(tf.tensor3d(x, [4, 9, 50])),
      1e-4,
    );
  });
});
