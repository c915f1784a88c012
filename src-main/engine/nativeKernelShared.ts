/**
 * Helpers shared by the `native` backend's kernel modules: shape arithmetic and the
 * float32 view of a tensor's data. A float32 tensor's data may be held in another typed
 * array (the cpu kernel Cast from bool or int32 keeps the source's Uint8Array/Int32Array
 * under the float32 dtype); it is converted once here, so the native kernels still apply.
 */
import type * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from './nativeAddon.js';
import type { CpuBackendLike } from './nativeMatMulKernels.js';

export type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Kernel name → factory of its native version (given the cpu kernel to fall back on). */
export type KernelFactory = (cpuKernel: tf.KernelFunc, addon: NativeAddon) => tf.KernelFunc;

export const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(0);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d -= 1) {
    strides[d] = stride;
    stride *= shape[d] ?? 1;
  }
  return strides;
}

/** Strides of `shape` right-aligned to `outShape`, 0 along broadcast dimensions. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = contiguousStrides(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((_, d) => {
    const i = d - offset;
    return i < 0 || shape[i] === 1 ? 0 : (own[i] ?? 0);
  });
}

/** The values of a float32 tensor as a Float32Array; undefined for any other dtype. */
export function float32Values(backend: CpuBackendLike, info: tf.TensorInfo): Float32Array | undefined {
  if (info.dtype !== 'float32') return undefined;
  const values = backend.data.get(info.dataId).values;
  if (values instanceof Float32Array) return values;
  if (values instanceof Uint8Array || values instanceof Int32Array) return new Float32Array(values);
  return undefined;
}
