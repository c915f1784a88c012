/**
 * UnsortedSegmentSum — the gradient of tf.gather, i.e. of every embedding lookup — as one
 * O(N) pass: out[ids[i], …] += x[i, …], with ids outside [0, numSegments) dropped, as in
 * TensorFlow's tf.math.unsorted_segment_sum.
 *
 * The tfjs cpu kernel builds a mask per segment (O(numSegments · N) work and four
 * intermediate tensors per segment): for a GPT-2 vocabulary of 50,257 rows that is hours
 * per step, so every CPU backend Confidant uses (native, wasm) gets this one instead.
 */
import type * as tf from '@tensorflow/tfjs';

/** Shape of the result and the length of one segment row, validated. */
export function segmentSumShape(
  xShape: readonly number[],
  idsShape: readonly number[],
  numSegments: number,
): { outShape: number[]; inner: number; count: number } {
  const count = idsShape.reduce((p, d) => p * d, 1);
  const xSize = xShape.reduce((p, d) => p * d, 1);
  const leading = xShape.slice(0, idsShape.length);
  if (leading.length !== idsShape.length || leading.some((d, i) => d !== idsShape[i])) {
    throw new Error(`UnsortedSegmentSum: segmentIds shape ${idsShape} must lead x shape ${xShape}`);
  }
  const inner = count === 0 ? 0 : xSize / count;
  return { outShape: [numSegments, ...xShape.slice(idsShape.length)], inner, count };
}

/** Adds each x row into its segment's row of `out` (which the caller has zeroed). */
export function accumulateSegments(
  out: tf.TypedArray,
  x: tf.TypedArray,
  ids: tf.TypedArray,
  inner: number,
  numSegments: number,
): void {
  for (let i = 0; i < ids.length; i += 1) {
    const seg = ids[i] ?? -1;
    if (seg < 0 || seg >= numSegments) continue;
    const src = i * inner;
    const dst = seg * inner;
    for (let j = 0; j < inner; j += 1) out[dst + j] = (out[dst + j] ?? 0) + (x[src + j] ?? 0);
  }
}

/** The part of tfjs-backend-cpu's MathBackendCPU this kernel uses. */
interface CpuBackendLike {
  data: { get(dataId: tf.DataId): { values?: tf.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.BackendValues): tf.TensorInfo;
}

/** UnsortedSegmentSum for a MathBackendCPU-based backend (the `native` one). */
export const cpuUnsortedSegmentSum: tf.KernelFunc = (args) => {
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = args.attrs as { numSegments: number };
  const backend = args.backend as CpuBackendLike;
  const { outShape, inner } = segmentSumShape(x.shape, segmentIds.shape, numSegments);
  const dtype = x.dtype === 'int32' ? 'int32' : 'float32';
  const size = outShape.reduce((p, d) => p * d, 1);
  const out = dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
  const xValues = backend.data.get(x.dataId).values as tf.TypedArray;
  const ids = backend.data.get(segmentIds.dataId).values as tf.TypedArray;
  accumulateSegments(out, xValues, ids, inner, numSegments);
  return backend.makeTensorInfo(outShape, dtype, out);
};
