// The `native` backend's pool of reused kernel-output arrays (nativeBufferPool.ts): arrays
// are reused (the pool's point), and never while anything can still see them — an array
// read out with data()/dataSync(), an array the caller passed to tf.tensor, a view a cpu
// kernel made of it (tf.unstack's slices) keep their values after their tensors are
// disposed and same-sized kernels run. Reused arrays hold old values (NaN here): every
// kernel that draws from the pool must overwrite all of its output (GEMV with beta 0, pad
// with 0, …), checked against the cpu backend.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../../../src-main/engine/nativeAddon';
import { registerNativeBackend } from '../../../src-main/engine/nativeBackend';
import { float32PoolOf } from '../../../src-main/engine/nativeBufferPool';
import { compareWithCpu, randomValues, sizeOf } from './nativeKernelCheck';

tf.env().set('PROD', true);

async function nativePool() {
  registerNativeBackend();
  expect(await tf.setBackend('native')).toBe(true);
  const pool = float32PoolOf(tf.backend());
  if (!pool) throw new Error('the native backend has no pool');
  return pool;
}

/** Leaves `count` NaN-filled arrays of `length` in the pool (made by a native kernel). */
function poisonPool(length: number, count = 2): void {
  const zeros = tf.zeros([length]);
  const nans = Array.from({ length: count }, () => tf.div(zeros, zeros));
  tf.dispose([zeros, ...nans]);
}

describe.skipIf(!loadNativeAddon().available)('native backend output pool', () => {
  it('reuses the arrays of disposed kernel outputs', async () => {
    const pool = await nativePool();
    const x = tf.tensor2d(randomValues(64 * 64, 1), [64, 64]);
    const before = pool.reused;
    for (let i = 0; i < 5; i += 1) {
      tf.tidy(() => {
        x.mul(2).add(1).tanh();
      });
    }
    expect(pool.reused - before).toBeGreaterThanOrEqual(12); // all three outputs, after the first round
    x.dispose();
  });

  it('never reuses an array that was read out', async () => {
    await nativePool();
    const a = tf.tensor1d(randomValues(4096, 2));
    const y = a.mul(3);
    const synced = y.dataSync();
    const copy = Float32Array.from(synced);
    const y2 = a.add(5);
    const awaited = await y2.data();
    const copy2 = Float32Array.from(awaited);
    tf.dispose([y, y2]);
    for (let i = 0; i < 6; i += 1) tf.tidy(() => a.sub(100).neg().exp());
    expect(synced).toEqual(copy);
    expect(awaited).toEqual(copy2);
    a.dispose();
  });

  it('never reuses an array passed to tf.tensor, nor one a cpu kernel made a view of', async () => {
    await nativePool();
    const values = randomValues(1024, 3);
    const copy = Float32Array.from(values);
    const t = tf.tensor1d(values);
    const doubled = t.mul(2); // a native kernel's output: pooled
    const rows = tf.unstack(doubled.reshape([4, 256])); // the cpu Unpack: views of doubled's array
    const rowValues = await Promise.all(rows.map(async (r) => Float32Array.from(await r.data())));
    t.dispose();
    doubled.dispose();
    for (let i = 0; i < 6; i += 1) tf.tidy(() => tf.tensor1d(copy).mul(-7).add(1));
    expect(values).toEqual(copy);
    for (const [i, r] of rows.entries()) expect(await r.data()).toEqual(rowValues[i]);
    tf.dispose(rows);
  });

  it('kernels drawing from a pool of NaN-filled arrays overwrite every element', async () => {
    const cases: Array<[number[], () => tf.Tensor]> = [];
    const a = randomValues(1 * 48, 4);
    const b = randomValues(48 * 40, 5);
    cases.push([[1, 40], () => tf.matMul(tf.tensor2d(a, [1, 48]), tf.tensor2d(b, [48, 40]))]); // GEMV
    cases.push([[40, 1], () => tf.matMul(tf.tensor2d(b, [40, 48]), tf.tensor2d(a, [48, 1]))]); // GEMV
    cases.push([[40, 40], () => tf.matMul(tf.tensor2d(b, [40, 48]), tf.tensor2d(b, [48, 40]))]);
    cases.push([[3, 0 + 48], () => tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 48]))]); // k = 0
    cases.push([
      [6, 10],
      () =>
        tf.pad(tf.tensor2d(b.subarray(0, 32), [4, 8]), [
          [1, 1],
          [1, 1],
        ]),
    ]);
    cases.push([
      [8, 12],
      () => tf.concat([tf.tensor2d(b.subarray(0, 32), [8, 4]), tf.tensor2d(b.subarray(0, 64), [8, 8])], 1),
    ]);
    cases.push([[6, 12], () => tf.tile(tf.tensor2d(b.subarray(0, 12), [3, 4]), [2, 3])]);
    cases.push([[40], () => tf.sum(tf.tensor2d(b, [48, 40]), 0)]);
    cases.push([[48], () => tf.max(tf.tensor2d(b, [48, 40]), 1)]);
    cases.push([[40, 48], () => tf.transpose(tf.tensor2d(b, [48, 40]))]);
    cases.push([[3, 40], () => tf.gather(tf.tensor2d(b, [48, 40]), tf.tensor1d([5, 0, 47], 'int32'))]);
    cases.push([[48, 40], () => tf.softmax(tf.tensor2d(b, [48, 40]))]);
    cases.push([[48, 40], () => tf.cast(tf.greater(tf.tensor2d(b, [48, 40]), 0), 'float32')]);
    for (const [shape, f] of cases) {
      await compareWithCpu(() => {
        if (tf.getBackend() === 'native') poisonPool(sizeOf(shape));
        return f();
      });
    }
  });

  it('clear() empties the pool', async () => {
    const pool = await nativePool();
    poisonPool(777);
    expect(pool.pooledElements).toBeGreaterThan(0);
    pool.clear();
    expect(pool.pooledElements).toBe(0);
  });
});
