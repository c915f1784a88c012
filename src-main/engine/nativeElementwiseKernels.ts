/**
 * Memory-bound kernels of the `native` backend. A profile of a GPT-style training step
 * (4 layers, d 256, vocabulary 8192, 8×128 tokens) on the tfjs cpu kernels showed that once
 * matmuls go to BLAS, the time goes to broadcasting arithmetic (LayerNorm's x − mean and
 * ·gamma, softmax and cross-entropy's row operations), Exp/Pow/Tanh, Slice/PadV2 (splitting
 * q, k, v and its gradient), Transpose (attention heads), Sum and Softmax: the cpu kernels
 * compute every element's multi-dimensional index with divisions (util.indexToLoc) and call
 * a closure per element. Here the arithmetic and the unary functions run in the addon's C++
 * loops (one odometer over the outer dimensions, a vectorisable innermost loop); the data
 * movement kernels and Sum/Softmax are the same odometer in JavaScript. Kernel time of that
 * step went from 44 s (cpu kernels + BLAS matmul, machine under load) to 1.6 s.
 *
 * Semantics are the cpu kernels' (NumPy broadcasting; tf.slice/tf.pad/tf.transpose); any
 * input that is not float32 goes to the cpu kernel unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from './nativeAddon.js';
import type { CpuBackendLike } from './nativeMatMulKernels.js';

type KernelArgs = Parameters<tf.KernelFunc>[0];

const sizeOf = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(0);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d -= 1) {
    strides[d] = stride;
    stride *= shape[d] ?? 1;
  }
  return strides;
}

/** Strides of `shape` right-aligned to `outShape`, 0 along broadcast dimensions. */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = contiguousStrides(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((_, d) => {
    const i = d - offset;
    return i < 0 || shape[i] === 1 ? 0 : (own[i] ?? 0);
  });
}

function float32Values(backend: CpuBackendLike, info: tf.TensorInfo): Float32Array | undefined {
  const values = backend.data.get(info.dataId).values;
  return info.dtype === 'float32' && values instanceof Float32Array ? values : undefined;
}

const BINARY_OPS = { add: 0, sub: 1, mul: 2, div: 3, pow: 4 } as const;

/** out = a op b with NumPy broadcasting, computed by the addon (vectorised C++ loops). */
function binaryKernel(
  op: keyof typeof BINARY_OPS,
  addon: NativeAddon,
  cpuKernel: tf.KernelFunc,
): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const backend = args.backend as CpuBackendLike;
    const av = float32Values(backend, a);
    const bv = float32Values(backend, b);
    if (!av || !bv) return cpuKernel(args);
    const shape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const out = new Float32Array(sizeOf(shape));
    addon.binary(
      BINARY_OPS[op],
      av,
      bv,
      out,
      Float64Array.from(shape),
      Float64Array.from(broadcastStrides(a.shape, shape)),
      Float64Array.from(broadcastStrides(b.shape, shape)),
    );
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

/**
 * Copies the box `size` starting at `begin` of an array of shape `inShape` into (or, with
 * `scatter`, from) a dense array: the shared loop of Slice and PadV2.
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
    const out = new Float32Array(sizeOf(size));
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
      const out = new Float32Array(sizeOf(size));
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
    const out = new Float32Array(sizeOf(shape));
    if (constantValue !== 0) out.fill(constantValue);
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

function transposeKernel(cpuKernel: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const backend = args.backend as CpuBackendLike;
    const xv = float32Values(backend, x);
    if (!xv) return cpuKernel(args);
    const { perm } = args.attrs as { perm: number[] };
    const rank = perm.length;
    const shape = perm.map((p) => x.shape[p] ?? 1);
    const out = new Float32Array(xv.length);
    if (out.length === 0 || rank === 0) {
      out.set(xv);
      return backend.makeTensorInfo(shape, 'float32', out);
    }
    const inStrides = contiguousStrides(x.shape);
    const s = perm.map((p) => inStrides[p] ?? 0); // input stride along each output dimension
    const n = shape[rank - 1] ?? 1;
    const step = s[rank - 1] ?? 1;
    const rows = out.length / n;
    const index = new Array<number>(rank).fill(0);
    let base = 0;
    for (let row = 0, o = 0; row < rows; row += 1) {
      for (let j = 0, p = base; j < n; j += 1, p += step) out[o++] = xv[p] as number;
      for (let d = rank - 2; d >= 0; d -= 1) {
        base += s[d] ?? 0;
        if ((index[d] = (index[d] ?? 0) + 1) < (shape[d] ?? 1)) break;
        base -= (s[d] ?? 0) * (shape[d] ?? 1);
        index[d] = 0;
      }
    }
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

/** Softmax over the last dimension (the only one tf.softmax accepts), max-subtracted. */
function softmaxKernel(cpuKernel: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { logits } = args.inputs as { logits: tf.TensorInfo };
    const backend = args.backend as CpuBackendLike;
    const xv = float32Values(backend, logits);
    const { dim } = args.attrs as { dim: number };
    const rank = logits.shape.length;
    if (!xv || rank === 0 || (dim !== -1 && dim !== rank - 1)) return cpuKernel(args);
    const n = logits.shape[rank - 1] ?? 1;
    const out = new Float32Array(xv.length);
    for (let start = 0; start < xv.length; start += n) {
      const end = start + n;
      let max = -Infinity;
      for (let i = start; i < end; i += 1) if ((xv[i] as number) > max) max = xv[i] as number;
      let sum = 0;
      for (let i = start; i < end; i += 1) {
        const e = Math.exp((xv[i] as number) - max);
        out[i] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let i = start; i < end; i += 1) out[i] = (out[i] as number) * inv;
    }
    return backend.makeTensorInfo(logits.shape, 'float32', out);
  };
}

/** Sum over `axes` (reduced dims dropped, or kept as 1 with keepDims), accumulated in float64. */
function sumKernel(cpuKernel: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const backend = args.backend as CpuBackendLike;
    const xv = float32Values(backend, x);
    if (!xv) return cpuKernel(args);
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = new Set(tf.util.parseAxisParam(axis, x.shape));
    const keptShape = x.shape.map((d, i) => (axes.has(i) ? 1 : d));
    const outShape = keepDims ? keptShape : x.shape.filter((_, i) => !axes.has(i));
    const acc = new Float64Array(sizeOf(keptShape));
    if (xv.length > 0 && rank > 0) {
      const so = broadcastStrides(keptShape, x.shape); // 0 along reduced dims
      const n = x.shape[rank - 1] ?? 1;
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
          if ((index[d] = (index[d] ?? 0) + 1) < (x.shape[d] ?? 1)) break;
          base -= (so[d] ?? 0) * (x.shape[d] ?? 1);
          index[d] = 0;
        }
      }
    } else if (rank === 0) {
      acc[0] = xv[0] ?? 0;
    }
    return backend.makeTensorInfo(outShape, 'float32', Float32Array.from(acc));
  };
}

const UNARY_OPS = { Exp: 0, Log: 1, Tanh: 2, Sqrt: 3, Rsqrt: 4, Neg: 5, Square: 6 } as const;

/** An elementwise float32 function, computed by the addon. */
function unaryKernel(op: number, addon: NativeAddon, cpuKernel: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const backend = args.backend as CpuBackendLike;
    const xv = float32Values(backend, x);
    if (!xv) return cpuKernel(args);
    const out = new Float32Array(xv.length);
    addon.unary(op, xv, out);
    return backend.makeTensorInfo(x.shape, 'float32', out);
  };
}

type KernelFactory = (cpuKernel: tf.KernelFunc, addon: NativeAddon) => tf.KernelFunc;

/** Kernel name → factory of its native version (given the cpu kernel to fall back on). */
export const NATIVE_ELEMENTWISE_KERNELS: Record<string, KernelFactory> = {
  ...Object.fromEntries(
    (Object.keys(BINARY_OPS) as Array<keyof typeof BINARY_OPS>).map(
      (op) =>
        [
          { add: 'Add', sub: 'Sub', mul: 'Multiply', div: 'RealDiv', pow: 'Pow' }[op],
          ((cpu, addon) => binaryKernel(op, addon, cpu)) as KernelFactory,
        ] as const,
    ),
  ),
  ...Object.fromEntries(
    Object.entries(UNARY_OPS).map(
      ([name, op]) => [name, ((cpu, addon) => unaryKernel(op, addon, cpu)) as KernelFactory] as const,
    ),
  ),
  Slice: sliceKernel,
  SplitV: splitVKernel,
  PadV2: padKernel,
  Transpose: transposeKernel,
  Softmax: softmaxKernel,
  Sum: sumKernel,
};
