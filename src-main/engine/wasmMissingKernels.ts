/**
 * Kernels that tfjs-backend-wasm 4.22 lacks but training needs, registered for 'wasm':
 *
 * - UnsortedSegmentSum: the gradient of tf.gather (embedding lookups), computed on the wasm
 *   heap directly by segmentSum.ts's single pass.
 * - Einsum, Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter/-Input: run by the
 *   tfjs cpu kernel on a private cpu backend (inputs copied in, the result copied back).
 *   Rare in a transformer step, so correctness matters more than speed for them.
 *
 * And BatchMatMul, which wasm has but runs at ~1 GFLOP/s when transposed or batched, is
 * wrapped by wasmBatchMatMul.ts.
 *
 * Which kernels are missing is computed, not assumed: getKernelsForBackend('cpu') minus
 * getKernelsForBackend('wasm') (see test/unit/engine/wasmMissingKernels.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { accumulateSegments, segmentSumShape } from './segmentSum.js';
import { makeWasmBatchMatMul } from './wasmBatchMatMul.js';

/** The part of tfjs-backend-wasm's BackendWasm used here. */
interface WasmBackendLike {
  readSync(dataId: tf.DataId): tf.BackendValues;
  makeOutput(
    shape: number[],
    dtype: tf.DataType,
    memoryOffset?: number,
    values?: tf.BackendValues,
  ): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

interface CpuBackendLike {
  write(values: tf.BackendValues, shape: number[], dtype: tf.DataType): tf.DataId;
  readSync(dataId: tf.DataId): tf.BackendValues;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Missing kernels delegated to the cpu implementation. */
export const WASM_CPU_DELEGATED_KERNELS = [
  'Einsum',
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
] as const;

export const WASM_ADDED_KERNELS = ['UnsortedSegmentSum', ...WASM_CPU_DELEGATED_KERNELS] as const;

const unsortedSegmentSum: tf.KernelFunc = (args: KernelArgs) => {
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = args.attrs as { numSegments: number };
  const backend = args.backend as WasmBackendLike;
  const { outShape, inner } = segmentSumShape(x.shape, segmentIds.shape, numSegments);
  const ids = backend.readSync(segmentIds.dataId) as tf.TypedArray;
  const out = backend.makeOutput(outShape, x.dtype === 'int32' ? 'int32' : 'float32');
  // Views of the heap are taken after makeOutput, which may grow (and move) the heap.
  const outValues = backend.typedArrayFromHeap(out);
  outValues.fill(0);
  accumulateSegments(outValues, backend.typedArrayFromHeap(x), ids, inner, numSegments);
  return out;
};

/** A kernel that runs `kernelName`'s cpu implementation on copies of its inputs. */
function delegateToCpu(kernelName: string, cpu: CpuBackendLike): tf.KernelFunc {
  return (args: KernelArgs) => {
    const kernel = tf.getKernel(kernelName, 'cpu');
    if (!kernel) throw new Error(`Kernel '${kernelName}' not registered for backend 'cpu'`);
    const wasm = args.backend as WasmBackendLike;
    // Some kernels (Einsum) take their inputs as an array, most as a named map: keep the form.
    const cpuInputs: Record<string, tf.TensorInfo> = Array.isArray(args.inputs) ? ([] as never) : {};
    for (const [name, info] of Object.entries(args.inputs)) {
      if (!info) continue;
      const values = wasm.readSync(info.dataId);
      cpuInputs[name] = {
        dataId: cpu.write(values, info.shape, info.dtype),
        shape: info.shape,
        dtype: info.dtype,
      };
    }
    try {
      const result = kernel.kernelFunc({
        inputs: cpuInputs as tf.NamedTensorInfoMap,
        backend: cpu,
        attrs: args.attrs,
      });
      const outputs = Array.isArray(result) ? result : [result];
      const copied = outputs.map((info) => {
        const values = cpu.readSync(info.dataId);
        cpu.disposeData(info.dataId, true);
        return wasm.makeOutput(info.shape, info.dtype, undefined, values);
      });
      return Array.isArray(result) ? copied : (copied[0] as tf.TensorInfo);
    } finally {
      for (const info of Object.values(cpuInputs)) cpu.disposeData(info.dataId, true);
    }
  };
}

let registered = false;

/** Registers the missing kernels for 'wasm' (once; kernels wasm already has are left alone). */
export function registerWasmMissingKernels(): void {
  if (registered) return;
  const cpuFactory = tf.findBackendFactory('cpu');
  if (!cpuFactory) throw new Error('the tfjs cpu backend is not registered (import @tensorflow/tfjs)');
  let cpu: CpuBackendLike | undefined;
  const privateCpu = (): CpuBackendLike => (cpu ??= cpuFactory() as unknown as CpuBackendLike);
  for (const kernelName of WASM_ADDED_KERNELS) {
    if (tf.getKernel(kernelName, 'wasm')) continue;
    const kernelFunc: tf.KernelFunc =
      kernelName === 'UnsortedSegmentSum'
        ? unsortedSegmentSum
        : (args) => delegateToCpu(kernelName, privateCpu())(args);
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
  // Not missing but slow: route transposed and batched products to the XNNPACK 2-D path.
  const batchMatMul = tf.getKernel('BatchMatMul', 'wasm');
  if (batchMatMul) {
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel({ ...batchMatMul, kernelFunc: makeWasmBatchMatMul(batchMatMul.kernelFunc) });
  }
  registered = true;
}
