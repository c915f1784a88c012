/**
 * Data-movement kernels of the `native` backend: Slice, SplitV, PadV2 and Concat as box
 * copies (TypedArray.set of whole rows), Tile as row copies, Transpose and GatherV2 in the
 * addon (a cache-blocked transpose, a row gather; both split across its thread pool). The
 * cpu kernels compute each element's multi-dimensional index with divisions; a profile of
 * a LoRA step showed Concat (the gradient of splitting q, k, v), Transpose (attention
 * heads), GatherV2 (embeddings) and Tile (DP-SGD's per-example adapter copies) among the
 * top kernels. Semantics are the cpu kernels'; inputs that are not float32 (and GatherV2
 * with batchDims) go to the cpu kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { outputFloat32 } from './nativeBufferPool.js';
import type { CpuBackendLike } from './nativeMatMulKernels.js';
import {
  contiguousStrides,
  float32Values,
  type KernelArgs,
  type KernelFactory,
  sizeOf,
} from './nativeKernelShared.js';

/**
 * Copies the box `box` starting at `srcBegin` of an array of shape `srcShape` into the box
 * at `dstBegin` of an array of shape `dstShape`: the shared loop of Slice, SplitV and PadV2.
 */
function copyBox(
  src: Float32Array,
  srcShape: readonly number[],
  dst: Float32Array,
  dstShape: readonly number[],
  box: readonly number[],
  srcBegin: readonly number[],
  dstBegin: readonly number[],
): void {
  const rank = box.length;
  if (sizeOf(box) === 0) return;
  if (rank === 0) {
    dst[0] = src[0] as number;
    return;
  }
  const ss = contiguousStrides(srcShape);
  const ds = contiguousStrides(dstShape);
  const n = box[rank - 1] ?? 1;
  let si = srcBegin.reduce((p, b, d) => p + b * (ss[d] ?? 0), 0);
  let di = dstBegin.reduce((p, b, d) => p + b * (ds[d] ?? 0), 0);
  const rows = sizeOf(box) / n;
  const index = new Array<number>(rank).fill(0);
  for (let row = 0; row < rows; row += 1) {
    dst.set(src.subarray(si, si + n), di);
    for (let d = rank - 2; d >= 0; d -= 1) {
      si += ss[d] ?? 0;
      di += ds[d] ?? 0;
      if ((index[d] = (index[d] ?? 0) + 1) < (box[d] ?? 1)) break;
      si -= (ss[d] ?? 0) * (box[d] ?? 1);
      di -= (ds[d] ?? 0) * (box[d] ?? 1);
      index[d] = 0;
    }
  }
}

function sliceKernel(cpuKernel: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const backend = args.backend as CpuBackendLike;
    const xv = float32Values(backend, x);
    if (!xv) return cpuKernel(args);
    const attrs = args.attrs as { begin: number | number[]; size: number | number[] };
    const [begin = [], size = []] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
    const out = outputFloat32(backend, sizeOf(size));
    copyBox(xv, x.shape, out, size, size, begin, new Array<number>(size.length).fill(0));
    return backend.makeTensorInfo(size, 'float32', out);
  };
}

/** SplitV as a series of box copies (the cpu backend's generic slice made it 10× slower than the matmuls). */
function splitVKernel(cpuKernel: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const backend = args.backend as CpuBackendLike;
    const xv = float32Values(backend, x);
    if (!xv) return cpuKernel(args);
    const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
    const rank = x.shape.length;
    const dim = tf.util.parseAxisParam(axis, x.shape)[0] ?? 0;
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, dim);
    const begin = new Array<number>(rank).fill(0);
    return sizes.map((part) => {
      const size = x.shape.map((d, i) => (i === dim ? part : d));
      const out = outputFloat32(backend, sizeOf(size));
      copyBox(xv, x.shape, out, size, size, [...begin], new Array<number>(rank).fill(0));
      begin[dim] = (begin[dim] ?? 0) + part;
      return backend.makeTensorInfo(size, 'float32', out);
    });
  };
}

function padKernel(cpuKernel: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const backend = args.backend as CpuBackendLike;
    const xv = float32Values(backend, x);
    if (!xv) return cpuKernel(args);
    const { paddings, constantValue } = args.attrs as {
      paddings: Array<[number, number]>;
      constantValue: number;
    };
    const shape = x.shape.map((d, i) => (paddings[i]?.[0] ?? 0) + d + (paddings[i]?.[1] ?? 0));
    const out = outputFloat32(backend, sizeOf(shape));
    out.fill(constantValue);
    copyBox(
      xv,
      x.shape,
      out,
      shape,
      x.shape,
      x.shape.map(() => 0),
      x.shape.map((_, i) => paddings[i]?.[0] ?? 0),
    );
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

/** Concat along `axis`: per outer index, each input's contiguous block in turn. */
function concatKernel(cpuKernel: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const inputs = args.inputs as unknown as tf.TensorInfo[];
    const backend = args.backend as CpuBackendLike;
    const first = inputs[0];
    if (!first || inputs.length < 2) return cpuKernel(args);
    const values = inputs.map((t) => float32Values(backend, t));
    if (values.some((v) => !v)) return cpuKernel(args);
    const { axis } = args.attrs as { axis: number };
    const dim = tf.util.parseAxisParam(axis, first.shape)[0] ?? 0;
    const shapes = inputs.map((t) => t.shape);
    tf.backend_util.assertParamsConsistent(shapes, dim);
    const outShape = tf.backend_util.computeOutShape(shapes, dim);
    const out = outputFloat32(backend, sizeOf(outShape));
    const outer = sizeOf(first.shape.slice(0, dim));
    const blocks = shapes.map((s) => sizeOf(s.slice(dim)));
    const rowLength = blocks.reduce((p, b) => p + b, 0);
    for (let o = 0; o < outer; o += 1) {
      let dst = o * rowLength;
      for (let i = 0; i < inputs.length; i += 1) {
        const n = blocks[i] ?? 0;
        out.set((values[i] as Float32Array).subarray(o * n, o * n + n), dst);
        dst += n;
      }
    }
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

/** Tile: each output row (all axes but the last) is its source row repeated reps[last] times. */
function tileKernel(cpuKernel: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const backend = args.backend as CpuBackendLike;
    const xv = float32Values(backend, x);
    const { reps } = args.attrs as { reps: number[] };
    const rank = x.shape.length;
    if (!xv || rank === 0 || reps.length !== rank) return cpuKernel(args);
    const outShape = x.shape.map((d, i) => d * (reps[i] ?? 1));
    const out = outputFloat32(backend, sizeOf(outShape));
    if (out.length === 0) return backend.makeTensorInfo(outShape, 'float32', out);
    const strides = contiguousStrides(x.shape);
    const n = x.shape[rank - 1] ?? 1;
    const repeat = reps[rank - 1] ?? 1;
    const rows = out.length / (n * repeat);
    const index = new Array<number>(rank).fill(0); // output row index over axes 0..rank-2
    let src = 0; // input offset of the current output row's source row
    for (let row = 0, o = 0; row < rows; row += 1) {
      const source = xv.subarray(src, src + n);
      for (let k = 0; k < repeat; k += 1, o += n) out.set(source, o);
      for (let d = rank - 2; d >= 0; d -= 1) {
        const extent = outShape[d] ?? 1;
        const own = x.shape[d] ?? 1;
        index[d] = (index[d] ?? 0) + 1;
        // moving to the next output index: the source index wraps at the input's extent
        if ((index[d] ?? 0) % own === 0) src -= (own - 1) * (strides[d] ?? 0);
        else src += strides[d] ?? 0;
        if ((index[d] ?? 0) < extent) break;
        index[d] = 0;
      }
    }
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

function transposeKernel(cpuKernel: tf.KernelFunc, addon: Parameters<KernelFactory>[1]): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const backend = args.backend as CpuBackendLike;
    const xv = float32Values(backend, x);
    if (!xv) return cpuKernel(args);
    const { perm } = args.attrs as { perm: number[] };
    const shape = perm.map((p) => x.shape[p] ?? 1);
    const out = outputFloat32(backend, xv.length);
    addon.transpose(xv, out, Float64Array.from(x.shape), Float64Array.from(perm));
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

/** GatherV2 along `axis` (batchDims 0) with int32 indices: rows of x copied by the addon. */
function gatherKernel(cpuKernel: tf.KernelFunc, addon: Parameters<KernelFactory>[1]): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const backend = args.backend as CpuBackendLike;
    const xv = float32Values(backend, x);
    const iv = backend.data.get(indices.dataId).values;
    const { axis, batchDims = 0 } = args.attrs as { axis: number; batchDims?: number };
    if (!xv || indices.dtype !== 'int32' || !(iv instanceof Int32Array) || batchDims !== 0) {
      return cpuKernel(args);
    }
    const dim = tf.util.parseAxisParam(axis, x.shape)[0] ?? 0;
    const outShape = [...x.shape.slice(0, dim), ...indices.shape, ...x.shape.slice(dim + 1)];
    const out = outputFloat32(backend, sizeOf(outShape));
    addon.gather(
      xv,
      iv,
      out,
      sizeOf(x.shape.slice(0, dim)),
      x.shape[dim] ?? 1,
      sizeOf(x.shape.slice(dim + 1)),
    );
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

export const NATIVE_LAYOUT_KERNELS: Record<string, KernelFactory> = {
  Slice: sliceKernel,
  SplitV: splitVKernel,
  PadV2: padKernel,
  Concat: concatKernel,
  Tile: tileKernel,
  Transpose: transposeKernel,
  GatherV2: gatherKernel,
};
