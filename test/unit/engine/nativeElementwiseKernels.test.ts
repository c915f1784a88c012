// The `native` backend's memory-bound kernels (broadcasting Add/Sub/Multiply/RealDiv/Pow,
// Slice, SplitV, PadV2, Transpose, Softmax, Sum, and the unary Exp/Log/Tanh/Neg/Square/Sqrt/Rsqrt)
// against the tfjs cpu backend within 1e-5 relative (max-norm), on random and edge shapes:
// scalars, size-1 dims, broadcasting on either side and in the middle, empty tensors,
// non-contiguous slices, every transpose permutation of a rank-4 tensor, reductions over
// inner, outer and mixed axes. And the embedding gradient (UnsortedSegmentSum).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../../../src-main/engine/nativeAddon';
import { registerNativeBackend } from '../../../src-main/engine/nativeBackend';
import { compareWithCpu, randomValues, sizeOf } from './nativeKernelCheck';

tf.env().set('PROD', true);

const size = sizeOf;
const compare = (f: () => tf.Tensor): Promise<void> => compareWithCpu(f);

describe.skipIf(!loadNativeAddon().available)('native elementwise kernels vs cpu', () => {
  const pairs: Array<[number[], number[]]> = [
    [[], []],
    [[7], []],
    [[], [7]],
    [
      [3, 5],
      [3, 5],
    ],
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
      [2, 3, 4, 5],
      [3, 1, 5],
    ],
    [
      [2, 1, 4, 1],
      [1, 3, 1, 5],
    ],
    [[8, 16, 33], [33]],
    [
      [8, 16, 33],
      [8, 16, 1],
    ],
    [[0, 4], [4]],
  ];
  const ops: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
    ['add', tf.add],
    ['sub', tf.sub],
    ['mul', tf.mul],
    ['div', tf.div],
    ['pow', tf.pow],
  ];

  it.each(pairs)('broadcasting binary ops %j ∘ %j', async (aShape, bShape) => {
    registerNativeBackend();
    const a = randomValues(size(aShape), 3, 0.5, 2); // positive bases for pow
    const b = randomValues(size(bShape), 4, -2, 2);
    for (const [, op] of ops) await compare(() => op(tf.tensor(a, aShape), tf.tensor(b, bShape)));
  });

  it('int32 arithmetic still goes through the cpu kernels', async () => {
    registerNativeBackend();
    await compare(() => tf.add(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([4, 5, 6], 'int32')));
    await compare(() => tf.mul(tf.tensor2d([[1, 2]], [1, 2], 'int32'), tf.scalar(3, 'int32')));
  });

  it('slice (contiguous and not) and pad, the slice gradient', async () => {
    registerNativeBackend();
    const x = randomValues(4 * 6 * 10, 5);
    const t = () => tf.tensor3d(x, [4, 6, 10]);
    await compare(() => tf.slice(t(), [1, 0, 0], [2, 6, 10]));
    await compare(() => tf.slice(t(), [0, 2, 3], [4, 3, 5]));
    await compare(() => tf.slice(t(), [3, 5, 9], [1, 1, 1]));
    await compare(() => tf.slice(t(), [0, 0, 0], [4, 0, 10]));
    await compare(() => tf.slice(tf.tensor1d(x), [7], [20]));
    await compare(() =>
      tf.pad(t(), [
        [1, 0],
        [0, 2],
        [3, 1],
      ]),
    );
    await compare(() =>
      tf.pad(
        t(),
        [
          [0, 0],
          [1, 1],
          [0, 0],
        ],
        2.5,
      ),
    );
    await compare(() => tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.slice(v, [0, 1, 2], [3, 4, 5]))))(t()));
  });

  it('split along each axis, equal and uneven parts (the fused q/k/v split of attention)', async () => {
    const x = randomValues(4 * 6 * 12, 11);
    const t = () => tf.tensor3d(x, [4, 6, 12]);
    await compare(() => tf.concat(tf.split(t(), 3, 2), 0));
    await compare(() => tf.concat(tf.split(t(), [1, 3, 2], 1), 1));
    await compare(() => tf.concat(tf.split(t(), [3, 1], 0), 0));
    await compare(() => tf.split(t(), [5, 7], -1)[1]!);
  });

  it('transpose in every permutation of a rank-4 tensor', async () => {
    registerNativeBackend();
    const x = randomValues(2 * 3 * 4 * 5, 6);
    const perms: number[][] = [];
    const permute = (rest: number[], acc: number[]) => {
      if (rest.length === 0) perms.push(acc);
      rest.forEach((v, i) => permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...acc, v]));
    };
    permute([0, 1, 2, 3], []);
    expect(perms).toHaveLength(24);
    for (const perm of perms) await compare(() => tf.transpose(tf.tensor4d(x, [2, 3, 4, 5]), perm));
    await compare(() => tf.transpose(tf.tensor2d(x.subarray(0, 1 * 17), [1, 17])));
  });

  it('softmax and log-softmax over the last dimension, with large logits', async () => {
    registerNativeBackend();
    const x = randomValues(3 * 5 * 37, 7, -40, 40);
    await compare(() => tf.softmax(tf.tensor3d(x, [3, 5, 37])));
    await compare(() => tf.logSoftmax(tf.tensor3d(x, [3, 5, 37])));
    await compare(() => tf.softmax(tf.tensor1d(x.subarray(0, 1))));
    await compare(() =>
      tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.softmax(v), tf.tensor(x, [3, 5, 37]))))(
        tf.tensor(x, [3, 5, 37]),
      ),
    );
  });

  it('sum over inner, outer, mixed and all axes, with and without keepDims', async () => {
    registerNativeBackend();
    const x = randomValues(3 * 4 * 5 * 6, 8);
    const t = () => tf.tensor4d(x, [3, 4, 5, 6]);
    for (const axis of [3, 0, 1, [0, 2], [1, 3], [0, 1, 2, 3], -1]) {
      await compare(() => tf.sum(t(), axis));
      await compare(() => tf.sum(t(), axis, true));
    }
    await compare(() => tf.sum(tf.scalar(4.5)));
    await compare(() => tf.mean(t(), [0, 1]));
    await compare(() => tf.moments(t(), -1, true).variance);
  });

  it('unary Exp, Log, Tanh, Neg, Square, Sqrt, Rsqrt', async () => {
    registerNativeBackend();
    const x = randomValues(257, 9, 0.01, 5);
    const t = () => tf.tensor1d(x);
    for (const f of [tf.exp, tf.log, tf.tanh, tf.neg, tf.square, tf.sqrt, tf.rsqrt])
      await compare(() => f(t()));
  });

  it('the gather gradient (UnsortedSegmentSum) with repeated and batched ids', async () => {
    registerNativeBackend();
    const table = randomValues(13 * 7, 10);
    const up = randomValues(3 * 5 * 7, 11);
    const ids = [0, 12, 3, 3, 3, 5, 0, 9, 12, 1, 2, 3, 4, 5, 6];
    await compare(() =>
      tf.grad((w: tf.Tensor) =>
        tf.sum(tf.mul(tf.gather(w, tf.tensor2d(ids, [3, 5], 'int32')), tf.tensor3d(up, [3, 5, 7]))),
      )(tf.tensor2d(table, [13, 7])),
    );
  });
});
