/**
 * Fused versions of chains of small ops that dominate a transformer step on the `native`
 * backend, each one kernel forward and one backward instead of a chain of elementwise
 * kernels (each allocating and keeping an activation-sized tensor for the gradient):
 *
 *  - geluTanh: GELU, tanh approximation (Hendrycks & Gimpel 2016, "Gaussian Error Linear
 *    Units"; GPT-2's gelu_new): x/2 · (1 + tanh(√(2/π) (x + 0.044715 x³))). The chain
 *    x·0.5, x·x·x, ·0.044715, +x, ·c, tanh, +1, · is 8 kernels forward and ~15 backward, and
 *    keeps 6 tensors of [B, T, 4C] for the gradient; fused, 1 + 1 kernels and only x kept.
 *
 *  - layerNorm: LayerNorm (Ba, Kiros & Hinton 2016) over the last axis,
 *    (x − mean) / sqrt(var + eps) · γ + β: tf.moments + 4 broadcasting kernels forward and
 *    ~20 backward, fused to one kernel each way (the gradient recomputes mean and variance
 *    from x, so only x is kept).
 *
 *  - logProbRows: the log-softmax of each row of logits at one target index,
 *    x[r, t_r] − log Σ_j exp(x[r, j]) — a language model's token log-likelihood. Composed
 *    (logSumExp + gather), the backward pass over [B, T, vocabulary] runs Equal, Cast,
 *    Multiply, Exp, Sub, a vocabulary-wide UnsortedSegmentSum … each a full logits-sized
 *    tensor (206 MB apiece for GPT-2 at 8×128 tokens); fused, the gradient
 *    dy·(onehot − softmax) is written once, and nothing but the logits is kept.
 *
 * On any other backend, or for a non-float32 input, the same function is composed from
 * tfjs ops (the formula of src-main/model/layers.ts), so callers need not check.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from './nativeAddon.js';
import { outputFloat32 } from './nativeBufferPool.js';
import type { CpuBackendLike } from './nativeMatMulKernels.js';
import { float32Values, type KernelArgs } from './nativeKernelShared.js';

export const GELU_TANH_KERNEL = 'ConfidantGeluTanh';
export const GELU_TANH_GRAD_KERNEL = 'ConfidantGeluTanhGrad';

export const LAYER_NORM_KERNEL = 'ConfidantLayerNorm';
export const LAYER_NORM_GRAD_KERNEL = 'ConfidantLayerNormGrad';

export const LOG_PROB_ROWS_KERNEL = 'ConfidantLogProbRows';
export const LOG_PROB_ROWS_GRAD_KERNEL = 'ConfidantLogProbRowsGrad';

const GELU_UNARY_OP = 8;
const GELU_GRAD_BINARY_OP = 8;

/** GELU (tanh approximation) composed from tfjs ops: any backend, any float dtype. */
export function geluTanhComposed(x: tf.Tensor): tf.Tensor {
  const c = Math.sqrt(2 / Math.PI);
  return x.mul(0.5).mul(tf.tanh(x.add(x.mul(x).mul(x).mul(0.044715)).mul(c)).add(1));
}

let nativeBackendName: string | undefined;

/** GELU (tanh approximation): one fused kernel each way on the `native` backend. */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  if (nativeBackendName === undefined || tf.getBackend() !== nativeBackendName || x.dtype !== 'float32') {
    return geluTanhComposed(x);
  }
  return tf.engine().runKernel(GELU_TANH_KERNEL, { x }) as tf.Tensor;
}

/** LayerNorm over the last axis composed from tfjs ops (the formula of src-main/model/layers.ts). */
export function layerNormComposed(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).div(variance.add(eps).sqrt()).mul(gamma).add(beta);
}

/** LayerNorm over the last axis: one fused kernel each way on the `native` backend. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const channels = x.shape[x.rank - 1];
  if (
    nativeBackendName === undefined ||
    tf.getBackend() !== nativeBackendName ||
    x.rank === 0 ||
    [x, gamma, beta].some((t) => t.dtype !== 'float32') ||
    gamma.rank !== 1 ||
    beta.rank !== 1 ||
    gamma.size !== channels ||
    beta.size !== channels ||
    channels === 0
  ) {
    return layerNormComposed(x, gamma, beta, eps);
  }
  return tf.engine().runKernel(LAYER_NORM_KERNEL, { x, gamma, beta }, { eps }) as tf.Tensor;
}

function layerNormKernel(addon: NativeAddon): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x, gamma, beta } = args.inputs as Record<'x' | 'gamma' | 'beta', tf.TensorInfo>;
    const { eps } = args.attrs as { eps: number };
    const backend = args.backend as CpuBackendLike;
    const [xv, gv, bv] = [x, gamma, beta].map((t) => float32Values(backend, t));
    if (!xv || !gv || !bv) throw new Error(`${LAYER_NORM_KERNEL} needs float32 inputs`);
    const out = outputFloat32(backend, xv.length);
    addon.layerNorm(xv, gv, bv, out, gv.length, eps);
    return backend.makeTensorInfo(x.shape, 'float32', out);
  };
}

function layerNormGradKernel(addon: NativeAddon): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x, gamma, dy } = args.inputs as Record<'x' | 'gamma' | 'dy', tf.TensorInfo>;
    const { eps } = args.attrs as { eps: number };
    const backend = args.backend as CpuBackendLike;
    const [xv, gv, dv] = [x, gamma, dy].map((t) => float32Values(backend, t));
    if (!xv || !gv || !dv) throw new Error(`${LAYER_NORM_GRAD_KERNEL} needs float32 inputs`);
    const dx = outputFloat32(backend, xv.length);
    const dgamma = outputFloat32(backend, gv.length);
    const dbeta = outputFloat32(backend, gv.length);
    addon.layerNormGrad(xv, gv, dv, dx, dgamma, dbeta, gv.length, eps);
    return [
      backend.makeTensorInfo(x.shape, 'float32', dx),
      backend.makeTensorInfo(gamma.shape, 'float32', dgamma),
      backend.makeTensorInfo(gamma.shape, 'float32', dbeta),
    ];
  };
}

/** logProbRows composed from tfjs ops: logits [N, V], targets int32 [N] → [N]. */
export function logProbRowsComposed(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const [rows, vocab] = logits.shape;
  const index = tf.range(0, rows, 1, 'int32').mul(tf.scalar(vocab, 'int32')).add(targets);
  return tf.gather(logits.reshape([-1]), index).sub(tf.logSumExp(logits, -1)) as tf.Tensor1D;
}

/**
 * For each row r of logits [N, V]: logits[r, targets[r]] − log Σ_j exp(logits[r, j]), the
 * log-probability of the target token; targets int32 [N], each in [0, V). One fused kernel
 * each way on the `native` backend.
 */
export function logProbRows(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  if (
    nativeBackendName === undefined ||
    tf.getBackend() !== nativeBackendName ||
    logits.dtype !== 'float32' ||
    targets.dtype !== 'int32' ||
    logits.shape[1] === 0
  ) {
    return logProbRowsComposed(logits, targets);
  }
  return tf.engine().runKernel(LOG_PROB_ROWS_KERNEL, { logits, targets }) as tf.Tensor1D;
}

function int32Values(backend: CpuBackendLike, info: tf.TensorInfo): Int32Array | undefined {
  const values = backend.data.get(info.dataId).values;
  return info.dtype === 'int32' && values instanceof Int32Array ? values : undefined;
}

function logProbRowsKernel(addon: NativeAddon): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { logits, targets } = args.inputs as Record<'logits' | 'targets', tf.TensorInfo>;
    const backend = args.backend as CpuBackendLike;
    const xv = float32Values(backend, logits);
    const tv = int32Values(backend, targets);
    if (!xv || !tv || logits.shape.length !== 2 || targets.shape[0] !== logits.shape[0]) {
      throw new Error(`${LOG_PROB_ROWS_KERNEL} needs float32 logits [N, V] and int32 targets [N]`);
    }
    const out = outputFloat32(backend, tv.length);
    addon.logProbRows(xv, tv, out, logits.shape[1] ?? 1);
    return backend.makeTensorInfo([tv.length], 'float32', out);
  };
}

function logProbRowsGradKernel(addon: NativeAddon): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { logits, targets, dy } = args.inputs as Record<'logits' | 'targets' | 'dy', tf.TensorInfo>;
    const backend = args.backend as CpuBackendLike;
    const xv = float32Values(backend, logits);
    const tv = int32Values(backend, targets);
    const dv = float32Values(backend, dy);
    if (!xv || !tv || !dv)
      throw new Error(`${LOG_PROB_ROWS_GRAD_KERNEL} needs float32 logits and dy, int32 targets`);
    const dx = outputFloat32(backend, xv.length);
    addon.logProbRowsGrad(xv, tv, dv, dx, logits.shape[1] ?? 1);
    return backend.makeTensorInfo(logits.shape, 'float32', dx);
  };
}

function geluKernel(addon: NativeAddon): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const backend = args.backend as CpuBackendLike;
    const xv = float32Values(backend, x);
    if (!xv) throw new Error(`${GELU_TANH_KERNEL} needs a float32 input, got ${x.dtype}`);
    const out = outputFloat32(backend, xv.length);
    addon.unary(GELU_UNARY_OP, xv, out);
    return backend.makeTensorInfo(x.shape, 'float32', out);
  };
}

function geluGradKernel(addon: NativeAddon): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const backend = args.backend as CpuBackendLike;
    const xv = float32Values(backend, x);
    const dv = float32Values(backend, dy);
    if (!xv || !dv || xv.length !== dv.length) {
      throw new Error(`${GELU_TANH_GRAD_KERNEL} needs float32 x and dy of one shape`);
    }
    const out = outputFloat32(backend, xv.length);
    const flat = Float64Array.of(xv.length);
    const unit = Float64Array.of(1);
    addon.binary(GELU_GRAD_BINARY_OP, xv, dv, out, flat, unit, unit);
    return backend.makeTensorInfo(x.shape, 'float32', out);
  };
}

/** Registers the fused kernels for `backendName` and their gradients (once per process). */
export function registerFusedKernels(backendName: string, addon: NativeAddon): void {
  if (nativeBackendName !== undefined) return;
  tf.registerKernel({ kernelName: GELU_TANH_KERNEL, backendName, kernelFunc: geluKernel(addon) });
  tf.registerKernel({ kernelName: GELU_TANH_GRAD_KERNEL, backendName, kernelFunc: geluGradKernel(addon) });
  tf.registerGradient({
    kernelName: GELU_TANH_KERNEL,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as [tf.Tensor];
      return {
        x: () => tf.engine().runKernel(GELU_TANH_GRAD_KERNEL, { x, dy: dy as tf.Tensor }) as tf.Tensor,
      };
    },
  });
  tf.registerKernel({ kernelName: LAYER_NORM_KERNEL, backendName, kernelFunc: layerNormKernel(addon) });
  tf.registerKernel({
    kernelName: LAYER_NORM_GRAD_KERNEL,
    backendName,
    kernelFunc: layerNormGradKernel(addon),
  });
  tf.registerGradient({
    kernelName: LAYER_NORM_KERNEL,
    inputsToSave: ['x', 'gamma'],
    gradFunc: (dy, saved, attrs) => {
      const [x, gamma] = saved as [tf.Tensor, tf.Tensor];
      // All three at once, here: tfjs runs each input's closure in its own tidy, which would
      // dispose the other two outputs (the unused ones go with the backward pass's scope).
      const [dx, dgamma, dbeta] = tf
        .engine()
        .runKernel(
          LAYER_NORM_GRAD_KERNEL,
          { x, gamma, dy: dy as tf.Tensor },
          { eps: (attrs as { eps: number }).eps },
        ) as [tf.Tensor, tf.Tensor, tf.Tensor];
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    },
  });
  tf.registerKernel({ kernelName: LOG_PROB_ROWS_KERNEL, backendName, kernelFunc: logProbRowsKernel(addon) });
  tf.registerKernel({
    kernelName: LOG_PROB_ROWS_GRAD_KERNEL,
    backendName,
    kernelFunc: logProbRowsGradKernel(addon),
  });
  tf.registerGradient({
    kernelName: LOG_PROB_ROWS_KERNEL,
    inputsToSave: ['logits', 'targets'],
    gradFunc: (dy, saved) => {
      const [logits, targets] = saved as [tf.Tensor, tf.Tensor];
      return {
        logits: () =>
          tf
            .engine()
            .runKernel(LOG_PROB_ROWS_GRAD_KERNEL, { logits, targets, dy: dy as tf.Tensor }) as tf.Tensor,
        targets: () => tf.zerosLike(targets),
      };
    },
  });
  nativeBackendName = backendName;
}
