/**
 * Reductions and Softmax of the `native` backend, computed by the addon (float64 sums,
 * rows split across its thread pool): Sum, Mean, Max and Min over any set of axes that is
 * one contiguous run once size-1 axes are ignored (LayerNorm's mean and variance over the
 * last axis, bias gradients over the leading axes, logSumExp's max over the vocabulary),
 * Softmax over the last axis. The cpu kernels transpose the reduced axes to the end and
 * then loop with a closure per element (Mean of a [8, 128, 256] activation: 8 ms). Other
 * axis sets use a JavaScript odometer (Sum) or the cpu kernel (Mean, Max, Min).
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from './nativeAddon.js';
import { outputFloat32 } from './nativeBufferPool.js';
import type { CpuBackendLike } from './nativeMatMulKernels.js';
import {
  broadcastStrides,
  float32Values,
  type KernelArgs,
  type KernelFactory,
  sizeOf,
} from './nativeKernelShared.js';

const REDUCE_OPS = { Sum: 0, Mean: 1, Max: 2, Min: 3 } as const;
type ReduceName = keyof typeof REDUCE_OPS;

/**
 * x [..] reduced over `axes` as [outer, size, inner] (outer: the axes before the reduced
 * run, inner: the axes after it), or undefined when the reduced axes, ignoring size-1
 * axes, are not one contiguous run.
 */
export function reductionView(
  shape: readonly number[],
  axes: readonly number[],
): { outer: number; size: number; inner: number } | undefined {
  const reduced = new Set(axes);
  const live = shape.map((d, i) => ({ d, reduced: reduced.has(i) })).filter((a) => a.d !== 1);
  const first = live.findIndex((a) => a.reduced);
  if (first < 0) return { outer: sizeOf(shape), size: 1, inner: 1 };
  let last = first;
  while (last + 1 < live.length && live[last + 1]?.reduced) last += 1;
  if (live.slice(last + 1).some((a) => a.reduced)) return undefined;
  const product = (xs: Array<{ d: number }>) => xs.reduce((p, a) => p * a.d, 1);
  return {
    outer: product(live.slice(0, first)),
    size: product(live.slice(first, last + 1)),
    inner: product(live.slice(last + 1)),
  };
}

/** Sum over `axes` by an odometer in JavaScript, accumulated in float64 (any axis set). */
function sumByOdometer(
  xv: Float32Array,
  shape: readonly number[],
  axes: Set<number>,
  keptShape: number[],
): Float32Array {
  const rank = shape.length;
  const acc = new Float64Array(sizeOf(keptShape));
  if (xv.length > 0 && rank > 0) {
    const so = broadcastStrides(keptShape, shape); // 0 along reduced dims
    const n = shape[rank - 1] ?? 1;
    const step = so[rank - 1] ?? 0;
    const rows = xv.length / n;
    const index = new Array<number>(rank).fill(0);
    let base = 0;
    for (let row = 0, i = 0; row < rows; row += 1) {
      if (step === 0) {
        let total = 0;
        for (let j = 0; j < n; j += 1) total += xv[i++] as number;
        acc[base] = (acc[base] as number) + total;
      } else {
        for (let j = 0, p = base; j < n; j += 1, p += 1) acc[p] = (acc[p] as number) + (xv[i++] as number);
      }
      for (let d = rank - 2; d >= 0; d -= 1) {
        base += so[d] ?? 0;
        if ((index[d] = (index[d] ?? 0) + 1) < (shape[d] ?? 1)) break;
        base -= (so[d] ?? 0) * (shape[d] ?? 1);
        index[d] = 0;
      }
    }
  } else if (rank === 0) {
    acc[0] = xv[0] ?? 0;
  }
  return Float32Array.from(acc);
}

/** Sum, Mean, Max or Min over `axis` (Max names it reductionIndices), keepDims as tfjs. */
function reduceKernel(name: ReduceName, cpuKernel: tf.KernelFunc, addon: NativeAddon): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const backend = args.backend as CpuBackendLike;
    const xv = float32Values(backend, x);
    if (!xv || xv.length === 0) return cpuKernel(args);
    const attrs = args.attrs as {
      axis?: number | number[];
      reductionIndices?: number | number[];
      keepDims: boolean;
    };
    const axisAttr = name === 'Max' ? (attrs.reductionIndices ?? attrs.axis) : attrs.axis;
    // null or undefined: every axis
    const axes = tf.util.parseAxisParam(axisAttr as number | number[], x.shape);
    const axisSet = new Set(axes);
    const keptShape = x.shape.map((d, i) => (axisSet.has(i) ? 1 : d));
    const outShape = attrs.keepDims ? keptShape : x.shape.filter((_, i) => !axisSet.has(i));
    const view = reductionView(x.shape, axes);
    if (!view) {
      if (name !== 'Sum') return cpuKernel(args);
      return backend.makeTensorInfo(outShape, 'float32', sumByOdometer(xv, x.shape, axisSet, keptShape));
    }
    const out = outputFloat32(backend, view.outer * view.inner);
    addon.reduce(REDUCE_OPS[name], xv, out, view.outer, view.size, view.inner);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

/** Softmax over the last dimension (the only one tf.softmax accepts), max-subtracted. */
function softmaxKernel(cpuKernel: tf.KernelFunc, addon: NativeAddon): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { logits } = args.inputs as { logits: tf.TensorInfo };
    const backend = args.backend as CpuBackendLike;
    const xv = float32Values(backend, logits);
    const { dim } = args.attrs as { dim: number };
    const rank = logits.shape.length;
    if (!xv || rank === 0 || (dim !== -1 && dim !== rank - 1)) return cpuKernel(args);
    const out = outputFloat32(backend, xv.length);
    addon.softmax(xv, out, logits.shape[rank - 1] ?? 1);
    return backend.makeTensorInfo(logits.shape, 'float32', out);
  };
}

export const NATIVE_REDUCTION_KERNELS: Record<string, KernelFactory> = {
  ...Object.fromEntries(
    (Object.keys(REDUCE_OPS) as ReduceName[]).map(
      (name) => [name, ((cpu, addon) => reduceKernel(name, cpu, addon)) as KernelFactory] as const,
    ),
  ),
  Softmax: softmaxKernel,
};
