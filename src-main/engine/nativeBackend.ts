/**
 * The `native` tfjs backend: a MathBackendCPU (tfjs-backend-cpu) registered under its own
 * name, carrying every cpu kernel, with the kernels that dominate transformer training and
 * scoring (BatchMatMul — tf.matMul in all transpose combinations — and _FusedMatMul)
 * replaced by the N-API addon's BLAS calls, and UnsortedSegmentSum (the embedding gradient)
 * by an O(N) pass instead of the cpu kernel's O(vocabulary · N) masks, and the memory-bound
 * kernels a training-step profile showed next (nativeElementwiseKernels.ts and the layout
 * and reduction modules it gathers), with kernel outputs drawn from a pool of reused arrays
 * (nativeBufferPool.ts). Registration follows tfjs's kernel registry:
 * getKernelsForBackend('cpu') gives the kernel configs, registerKernel re-registers them.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { loadNativeAddon, type NativeAddon } from './nativeAddon.js';
import { makeNativeBatchMatMul, makeNativeFusedMatMul } from './nativeMatMulKernels.js';
import { installFloat32Pool } from './nativeBufferPool.js';
import { registerFusedKernels } from './fusedOps.js';
import { NATIVE_ELEMENTWISE_KERNELS } from './nativeElementwiseKernels.js';
import { cpuUnsortedSegmentSum } from './segmentSum.js';

export const NATIVE_BACKEND = 'native';

/** The kernels the addon replaces; every other kernel is the cpu backend's own. */
export const NATIVE_OVERRIDDEN_KERNELS = [
  'BatchMatMul',
  '_FusedMatMul',
  'UnsortedSegmentSum',
  ...Object.keys(NATIVE_ELEMENTWISE_KERNELS),
];

let registered = false;

/**
 * Registers the `native` backend (once) and returns the addon it uses. Throws with the
 * addon's load failure, in words a user can act on, when the addon is unavailable.
 */
export function registerNativeBackend(): NativeAddon {
  const status = loadNativeAddon();
  if (!status.available) throw new Error(`${status.reason}; ${status.fix}`);
  if (registered) return status.addon;
  // One BLAS thread per core this process may use (availableParallelism honours the CPU
  // affinity mask, which OpenBLAS's own count may not in a container); the BLAS's usual
  // environment variables still win.
  if (!process.env.OPENBLAS_NUM_THREADS && !process.env.OMP_NUM_THREADS) {
    status.addon.setThreads(availableParallelism());
  }
  const cpuFactory = tf.findBackendFactory('cpu');
  if (!cpuFactory) throw new Error('the tfjs cpu backend is not registered (import @tensorflow/tfjs)');

  // Priority -1: tfjs never picks it on its own; initBackend chooses backends explicitly.
  // Each instance gets a pool of output arrays (nativeBufferPool.ts).
  tf.registerBackend(
    NATIVE_BACKEND,
    () => {
      const backend = cpuFactory() as tf.KernelBackend;
      installFloat32Pool(backend);
      return backend;
    },
    -1,
  );
  const overridden = new Set<string>(NATIVE_OVERRIDDEN_KERNELS);
  for (const config of tf.getKernelsForBackend('cpu')) {
    if (!overridden.has(config.kernelName)) tf.registerKernel({ ...config, backendName: NATIVE_BACKEND });
  }
  const cpuBatchMatMul = tf.getKernel('BatchMatMul', 'cpu');
  if (!cpuBatchMatMul) throw new Error('the tfjs cpu backend lacks BatchMatMul');
  const batchMatMul = makeNativeBatchMatMul(status.addon, cpuBatchMatMul.kernelFunc);
  tf.registerKernel({ kernelName: 'BatchMatMul', backendName: NATIVE_BACKEND, kernelFunc: batchMatMul });
  tf.registerKernel({
    kernelName: '_FusedMatMul',
    backendName: NATIVE_BACKEND,
    kernelFunc: makeNativeFusedMatMul(batchMatMul, NATIVE_BACKEND),
  });
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: NATIVE_BACKEND,
    kernelFunc: cpuUnsortedSegmentSum,
  });
  for (const [kernelName, make] of Object.entries(NATIVE_ELEMENTWISE_KERNELS)) {
    const cpuKernel = tf.getKernel(kernelName, 'cpu');
    if (!cpuKernel) throw new Error(`the tfjs cpu backend lacks ${kernelName}`);
    tf.registerKernel({
      kernelName,
      backendName: NATIVE_BACKEND,
      kernelFunc: make(cpuKernel.kernelFunc, status.addon),
    });
  }
  registerFusedKernels(NATIVE_BACKEND, status.addon);
  registered = true;
  return status.addon;
}
