/**
 * BatchMatMul and _FusedMatMul for the `native` tfjs backend: the same contract as the tfjs
 * cpu kernels (tfjs-backend-cpu/src/kernels/BatchMatMul.ts, _FusedMatMul.ts), with the
 * products computed by the addon's batched SGEMM on the tensors' own Float32Arrays.
 *
 * Batch dimensions broadcast as in NumPy's matmul: a [2,1,m,k] times b [3,k,n] gives
 * [2,3,m,n]. Each output matrix's A and B start offsets are computed here, so a broadcast
 * operand is never copied. Non-float32 inputs fall through to the cpu kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from './nativeAddon.js';
import { outputFloat32 } from './nativeBufferPool.js';

/** The part of tfjs-backend-cpu's MathBackendCPU the kernels use. */
export interface CpuBackendLike {
  data: { get(dataId: tf.DataId): { values?: tf.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.BackendValues): tf.TensorInfo;
  disposeIntermediateTensorInfo(info: tf.TensorInfo): void;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

export interface MatmulPlan {
  outShape: number[];
  m: number;
  n: number;
  k: number;
  aOffsets: Float64Array;
  bOffsets: Float64Array;
}

/** Shapes, broadcast batch and per-matrix offsets of op(a)·op(b); throws on a mismatch. */
export function planBatchMatMul(
  aShape: readonly number[],
  bShape: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): MatmulPlan {
  const ar = aShape.length;
  const br = bShape.length;
  if (ar < 2 || br < 2) throw new Error(`matMul needs rank >= 2, got ${ar} and ${br}`);
  const dim = (shape: readonly number[], fromEnd: number) => shape[shape.length - fromEnd] ?? 0;
  const m = transposeA ? dim(aShape, 1) : dim(aShape, 2);
  const kA = transposeA ? dim(aShape, 2) : dim(aShape, 1);
  const kB = transposeB ? dim(bShape, 1) : dim(bShape, 2);
  const n = transposeB ? dim(bShape, 2) : dim(bShape, 1);
  if (kA !== kB) {
    throw new Error(
      `Error in matMul: inner shapes (${kA}) and (${kB}) of Tensors with shapes ${aShape} and ` +
        `${bShape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const outerA = aShape.slice(0, -2);
  const outerB = bShape.slice(0, -2);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const count = outer.reduce((p, d) => p * d, 1);
  const aOffsets = new Float64Array(count);
  const bOffsets = new Float64Array(count);
  const aMatrix = m * kA;
  const bMatrix = kB * n;
  const aStrides = batchStrides(outerA, outer.length);
  const bStrides = batchStrides(outerB, outer.length);
  for (let i = 0; i < count; i += 1) {
    let rest = i;
    let ai = 0;
    let bi = 0;
    for (let d = outer.length - 1; d >= 0; d -= 1) {
      const extent = outer[d] ?? 1;
      const coord = rest % extent;
      rest = (rest - coord) / extent;
      ai += coord * (aStrides[d] ?? 0);
      bi += coord * (bStrides[d] ?? 0);
    }
    aOffsets[i] = ai * aMatrix;
    bOffsets[i] = bi * bMatrix;
  }
  return { outShape: [...outer, m, n], m, n, k: kA, aOffsets, bOffsets };
}

/** Strides (in matrices) of a batch shape right-aligned to `rank` dims; 0 where it broadcasts. */
function batchStrides(shape: readonly number[], rank: number): number[] {
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d -= 1) {
    const extent = shape[d] ?? 1;
    strides[rank - shape.length + d] = extent === 1 ? 0 : stride;
    stride *= extent;
  }
  return strides;
}

export function makeNativeBatchMatMul(addon: NativeAddon, cpuFallback: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA = false, transposeB = false } = (args.attrs ?? {}) as {
      transposeA?: boolean;
      transposeB?: boolean;
    };
    const backend = args.backend as CpuBackendLike;
    const aValues = backend.data.get(a.dataId).values;
    const bValues = backend.data.get(b.dataId).values;
    if (
      a.dtype !== 'float32' ||
      b.dtype !== 'float32' ||
      !(aValues instanceof Float32Array) ||
      !(bValues instanceof Float32Array)
    ) {
      return cpuFallback(args);
    }
    const plan = planBatchMatMul(a.shape, b.shape, transposeA, transposeB);
    const out = outputFloat32(backend, plan.aOffsets.length * plan.m * plan.n);
    addon.gemmBatch(
      aValues,
      bValues,
      out,
      plan.m,
      plan.n,
      plan.k,
      transposeA,
      transposeB,
      plan.aOffsets,
      plan.bOffsets,
    );
    return backend.makeTensorInfo(plan.outShape, 'float32', out);
  };
}

/** Activation name (as _FusedMatMul's attrs say it) → the cpu kernel that applies it. */
const ACTIVATION_KERNELS: Record<string, string> = {
  linear: 'Identity',
  relu: 'Relu',
  elu: 'Elu',
  relu6: 'Relu6',
  prelu: 'Prelu',
  leakyrelu: 'LeakyRelu',
  sigmoid: 'Sigmoid',
};

/** matmul natively, then bias and activation with the cpu kernels, as the cpu kernel does. */
export function makeNativeFusedMatMul(batchMatMul: tf.KernelFunc, backendName: string): tf.KernelFunc {
  const run = (kernelName: string, args: KernelArgs): tf.TensorInfo => {
    const kernel = tf.getKernel(kernelName, backendName);
    if (!kernel) throw new Error(`Kernel '${kernelName}' not registered for backend '${backendName}'`);
    return kernel.kernelFunc(args) as tf.TensorInfo;
  };
  return (args: KernelArgs) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = (args.attrs ?? {}) as {
      transposeA?: boolean;
      transposeB?: boolean;
      activation?: string;
      leakyreluAlpha?: number;
    };
    const backend = args.backend as CpuBackendLike;
    const intermediates: tf.TensorInfo[] = [];
    let current = batchMatMul({
      inputs: { a: a as tf.TensorInfo, b: b as tf.TensorInfo },
      backend: args.backend,
      attrs: { transposeA: attrs.transposeA ?? false, transposeB: attrs.transposeB ?? false },
    }) as tf.TensorInfo;
    if (bias) {
      intermediates.push(current);
      current = run('Add', { inputs: { a: current, b: bias }, backend: args.backend });
    }
    if (attrs.activation) {
      const kernelName = ACTIVATION_KERNELS[attrs.activation];
      if (!kernelName)
        throw new Error(`Activation ${attrs.activation} is not implemented for the native backend.`);
      intermediates.push(current);
      current = run(kernelName, {
        inputs:
          attrs.activation === 'prelu'
            ? { x: current, alpha: preluActivationWeights as tf.TensorInfo }
            : { x: current },
        backend: args.backend,
        attrs: attrs.activation === 'leakyrelu' ? { alpha: attrs.leakyreluAlpha ?? 0.2 } : {},
      });
    }
    for (const info of intermediates) backend.disposeIntermediateTensorInfo(info);
    return current;
  };
}
