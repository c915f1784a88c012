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
 * A second profile (bundled model, LoRA step, 2.4 s) showed the cross-entropy's Max
 * gradient — Equal over the [B, T, vocabulary] logits and the Multiply by its Cast mask,
 * which the cpu kernels computed element by element because the cast mask kept its
 * Uint8Array — at 45 % of the step: Equal/NotEqual/Less/LessEqual/Greater/GreaterEqual now
 * run in the addon too, Cast to float32 materialises a Float32Array, and every kernel
 * converts a float32 tensor held in another typed array (nativeKernelShared.ts).
 * The addon splits large loops across its thread pool. The data movement kernels are in
 * nativeLayoutKernels.ts, the reductions and Softmax in nativeReductionKernels.ts.
 *
 * Semantics are the cpu kernels' (NumPy broadcasting; tf.slice/tf.pad/tf.transpose); any
 * input that is not float32 goes to the cpu kernel unchanged.
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
import { NATIVE_LAYOUT_KERNELS } from './nativeLayoutKernels.js';
import { NATIVE_REDUCTION_KERNELS } from './nativeReductionKernels.js';

const BINARY_OPS = {
  Add: 0,
  Sub: 1,
  Multiply: 2,
  RealDiv: 3,
  Pow: 4,
  Maximum: 5,
  Minimum: 6,
  SquaredDifference: 7,
} as const;

const COMPARE_OPS = { Equal: 0, NotEqual: 1, Less: 2, LessEqual: 3, Greater: 4, GreaterEqual: 5 } as const;

/**
 * out = a op b with NumPy broadcasting, computed by the addon (vectorised C++ loops):
 * arithmetic into float32, comparisons into bool (a Uint8Array, as the cpu kernels).
 */
function binaryKernel(
  op: number,
  compare: boolean,
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
    const layout = [
      Float64Array.from(shape),
      Float64Array.from(broadcastStrides(a.shape, shape)),
      Float64Array.from(broadcastStrides(b.shape, shape)),
    ] as const;
    if (compare) {
      const out = new Uint8Array(sizeOf(shape));
      addon.compare(op, av, bv, out, ...layout);
      return backend.makeTensorInfo(shape, 'bool', out);
    }
    const out = outputFloat32(backend, sizeOf(shape));
    addon.binary(op, av, bv, out, ...layout);
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

const UNARY_OPS = { Exp: 0, Log: 1, Tanh: 2, Sqrt: 3, Rsqrt: 4, Neg: 5, Square: 6, Sigmoid: 7 } as const;

/** An elementwise float32 function, computed by the addon. */
function unaryKernel(op: number, addon: NativeAddon, cpuKernel: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const backend = args.backend as CpuBackendLike;
    const xv = float32Values(backend, x);
    if (!xv) return cpuKernel(args);
    const out = outputFloat32(backend, xv.length);
    addon.unary(op, xv, out);
    return backend.makeTensorInfo(x.shape, 'float32', out);
  };
}

/**
 * Cast to float32 of a bool or int32 tensor into a Float32Array (the cpu kernel keeps the
 * source array for these casts, which sends every later kernel on it to the slow path).
 */
function castKernel(cpuKernel: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { dtype } = args.attrs as { dtype: tf.DataType };
    const backend = args.backend as CpuBackendLike;
    const values = backend.data.get(x.dataId).values;
    if (dtype !== 'float32' || (x.dtype !== 'bool' && x.dtype !== 'int32')) return cpuKernel(args);
    if (!(values instanceof Uint8Array) && !(values instanceof Int32Array)) return cpuKernel(args);
    const out = outputFloat32(backend, values.length);
    out.set(values);
    return backend.makeTensorInfo(x.shape, 'float32', out);
  };
}

/** Kernel name → factory of its native version (given the cpu kernel to fall back on). */
export const NATIVE_ELEMENTWISE_KERNELS: Record<string, KernelFactory> = {
  ...Object.fromEntries(
    Object.entries(BINARY_OPS).map(
      ([name, op]) => [name, ((cpu, addon) => binaryKernel(op, false, addon, cpu)) as KernelFactory] as const,
    ),
  ),
  ...Object.fromEntries(
    Object.entries(COMPARE_OPS).map(
      ([name, op]) => [name, ((cpu, addon) => binaryKernel(op, true, addon, cpu)) as KernelFactory] as const,
    ),
  ),
  ...Object.fromEntries(
    Object.entries(UNARY_OPS).map(
      ([name, op]) => [name, ((cpu, addon) => unaryKernel(op, addon, cpu)) as KernelFactory] as const,
    ),
  ),
  Cast: castKernel,
  ...NATIVE_LAYOUT_KERNELS,
  ...NATIVE_REDUCTION_KERNELS,
};
