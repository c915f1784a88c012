// Kernels tfjs-backend-wasm 4.22 lacks, registered by wasmMissingKernels.ts, checked against
// the tfjs cpu backend. UnsortedSegmentSum (the gradient of gather) follows TensorFlow's
// tf.math.unsorted_segment_sum: ids outside [0, numSegments) are dropped.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateBackend } from '../../../src-main/engine/backendProbe';
import { WASM_ADDED_KERNELS } from '../../../src-main/engine/wasmMissingKernels';

async function run(backend: string, f: () => tf.Tensor): Promise<{ shape: number[]; values: number[] }> {
  expect(await tf.setBackend(backend)).toBe(true);
  const t = tf.tidy(f);
  const out = { shape: t.shape, values: Array.from(await t.data()) };
  t.dispose();
  return out;
}

describe('kernels added to the wasm backend', () => {
  beforeAll(async () => {
    await activateBackend('wasm');
  });

  it('fills every numeric kernel the cpu backend has and wasm lacked, except complex/string/ragged ones', () => {
    const wasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
    for (const name of WASM_ADDED_KERNELS) expect(wasm.has(name)).toBe(true);
    const stillMissing = tf
      .getKernelsForBackend('cpu')
      .map((k) => k.kernelName)
      .filter((name) => !wasm.has(name))
      .sort();
    // Complex numbers, FFTs, ragged and string tensors, canvas drawing: not used by Confidant.
    expect(stillMissing).toEqual([
      'Complex',
      'ComplexAbs',
      'Draw',
      'FFT',
      'IFFT',
      'Imag',
      'RaggedGather',
      'RaggedRange',
      'RaggedTensorToTensor',
      'Real',
      'StaticRegexReplace',
    ]);
  });

  it('UnsortedSegmentSum sums rows into segments and drops out-of-range ids', async () => {
    const f = () =>
      tf.unsortedSegmentSum(
        tf.tensor2d([
          [1, 2],
          [3, 4],
          [5, 6],
          [7, 8],
        ]),
        tf.tensor1d([2, 0, 2, 5], 'int32'),
        3,
      );
    const wasm = await run('wasm', f);
    expect(wasm.shape).toEqual([3, 2]);
    expect(wasm.values).toEqual([3, 4, 0, 0, 6, 8]);
  });

  it('the gradient of gather (embedding lookup) equals the cpu backend, repeated ids included', async () => {
    const table = Array.from({ length: 11 * 6 }, (_, i) => Math.sin(i));
    const ids = [3, 0, 3, 10, 7, 3, 1, 0];
    const upstream = Array.from({ length: 2 * 4 * 6 }, (_, i) => Math.cos(i * 0.7));
    const f = () =>
      tf.grad((w: tf.Tensor) =>
        tf.sum(tf.mul(tf.gather(w, tf.tensor2d(ids, [2, 4], 'int32')), tf.tensor3d(upstream, [2, 4, 6]))),
      )(tf.tensor2d(table, [11, 6]));
    const cpu = await run('cpu', f);
    const wasm = await run('wasm', f);
    expect(wasm.shape).toEqual([11, 6]);
    cpu.values.forEach((v, i) => expect(wasm.values[i]).toBeCloseTo(v, 5));
    // row 3 received three lookups (positions 0, 2, 5): its gradient is the sum of their upstream rows
    const up = (row: number) => upstream[row * 6] ?? NaN;
    expect(wasm.values[3 * 6]).toBeCloseTo(up(0) + up(2) + up(5), 5);
  });

  it('Einsum and the conv backprop filters run (through the cpu kernels) and agree with cpu', async () => {
    const a = Array.from({ length: 2 * 3 * 4 }, (_, i) => i / 7 - 1);
    const b = Array.from({ length: 2 * 4 * 5 }, (_, i) => Math.sin(i));
    const einsum = () => tf.einsum('bij,bjk->bik', tf.tensor3d(a, [2, 3, 4]), tf.tensor3d(b, [2, 4, 5]));
    const cpu = await run('cpu', einsum);
    const wasm = await run('wasm', einsum);
    expect(wasm.shape).toEqual([2, 3, 5]);
    cpu.values.forEach((v, i) => expect(wasm.values[i]).toBeCloseTo(v, 5));

    const x = Array.from({ length: 1 * 6 * 6 * 2 }, (_, i) => Math.cos(i));
    const convGrad = () =>
      tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(tf.tensor4d(x, [1, 6, 6, 2]), w as tf.Tensor4D, 1, 'same')))(
        tf.ones([3, 3, 2, 4]),
      );
    const cpuConv = await run('cpu', convGrad);
    const wasmConv = await run('wasm', convGrad);
    expect(wasmConv.shape).toEqual([3, 3, 2, 4]);
    cpuConv.values.forEach((v, i) => expect(wasmConv.values[i]).toBeCloseTo(v, 4));
  });

  it('BatchMatMul, routed through 2-D XNNPACK products, equals cpu for transposes, batches and broadcasts', async () => {
    const cases: Array<[number[], number[], boolean, boolean]> = [
      [[9, 13], [13, 7], false, false],
      [[13, 9], [13, 7], true, false],
      [[9, 13], [7, 13], false, true],
      [[13, 9], [7, 13], true, true],
      [[1, 13], [7, 13], false, true],
      [[3, 2, 9, 13], [3, 2, 7, 13], false, true],
      [[3, 2, 13, 9], [3, 2, 13, 7], true, false],
      [[4, 9, 13], [13, 7], false, false],
      [[9, 13], [4, 13, 7], false, false],
      [[2, 0, 5], [2, 5, 3], false, false],
    ];
    for (const [aShape, bShape, ta, tb] of cases) {
      const av = Array.from({ length: aShape.reduce((p, d) => p * d, 1) }, (_, i) => Math.sin(i * 1.3));
      const bv = Array.from({ length: bShape.reduce((p, d) => p * d, 1) }, (_, i) => Math.cos(i * 0.7));
      const f = () => tf.matMul(tf.tensor(av, aShape), tf.tensor(bv, bShape), ta, tb);
      const cpu = await run('cpu', f);
      // twice: a stale cached weight packing would show on the second run
      for (let repeat = 0; repeat < 2; repeat += 1) {
        const wasm = await run('wasm', f);
        expect(wasm.shape).toEqual(cpu.shape);
        cpu.values.forEach((v, i) => expect(wasm.values[i]).toBeCloseTo(v, 4));
      }
    }
  });
});
