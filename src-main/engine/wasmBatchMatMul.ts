/**
 * A faster BatchMatMul for tfjs-backend-wasm 4.22. Its kernel is fast (XNNPACK) only for a
 * plain 2-D product without transposes; transposed or batched products take a naive loop at
 * ~0.3–1 GFLOP/s against ~8–25 for the XNNPACK path (measured here: [256,1024]ᵀ·[256,768]
 * at 0.3, [32,128,128]·[32,128,64] at 1.0, [1024,256]·[256,768] at 7.7 under load). Those
 * are exactly the products of a transformer's backward pass and of attention.
 *
 * So every product is reduced to 2-D, untransposed ones: each batch's operands are copied
 * (transposed where asked) into fresh wasm tensors and multiplied by the original kernel,
 * and the results are copied into one output. The copies are O(m·k + k·n) against the
 * product's O(m·n·k). Broadcast batch dimensions follow planBatchMatMul.
 */
import type * as tf from '@tensorflow/tfjs';
import { planBatchMatMul } from './nativeMatMulKernels.js';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Copies the rows×cols matrix at `offset` of `src` into `dst`, transposing it when asked. */
function copyMatrix(
  src: tf.TypedArray,
  offset: number,
  rows: number,
  cols: number,
  transpose: boolean,
  dst: tf.TypedArray,
): void {
  if (!transpose) {
    dst.set(src.subarray(offset, offset + rows * cols));
    return;
  }
  // src holds a cols×rows matrix; dst gets its transpose (rows×cols)
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0, p = offset + r; c < cols; c += 1, p += rows) dst[r * cols + c] = src[p] as number;
  }
}

export function makeWasmBatchMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA = false, transposeB = false } = (args.attrs ?? {}) as {
      transposeA?: boolean;
      transposeB?: boolean;
    };
    const plain = !transposeA && !transposeB && a.shape.length === 2 && b.shape.length === 2;
    if (plain || a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);
    const backend = args.backend as WasmBackendLike;
    const plan = planBatchMatMul(a.shape, b.shape, transposeA, transposeB);
    const { m, n, k } = plan;
    const count = plan.aOffsets.length;
    const out = backend.makeOutput(plan.outShape, 'float32');
    if (count * m * n === 0) return out;
    if (k === 0) {
      backend.typedArrayFromHeap(out).fill(0);
      return out;
    }
    // Fresh operands for every product: the wasm kernel caches XNNPACK's packed copy of b by
    // tensor id until that tensor is disposed, so a reused b would multiply by stale weights.
    for (let i = 0; i < count; i += 1) {
      const ai = backend.makeOutput([m, k], 'float32');
      const bi = backend.makeOutput([k, n], 'float32');
      try {
        // Heap views are re-taken after every allocation: the heap may grow and move.
        copyMatrix(
          backend.typedArrayFromHeap(a),
          plan.aOffsets[i] ?? 0,
          m,
          k,
          transposeA,
          backend.typedArrayFromHeap(ai),
        );
        copyMatrix(
          backend.typedArrayFromHeap(b),
          plan.bOffsets[i] ?? 0,
          k,
          n,
          transposeB,
          backend.typedArrayFromHeap(bi),
        );
        const ci = original({
          inputs: { a: ai, b: bi },
          backend: args.backend,
          attrs: { transposeA: false, transposeB: false },
        }) as tf.TensorInfo;
        backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(ci), i * m * n);
        backend.disposeData(ci.dataId, true);
      } finally {
        backend.disposeData(ai.dataId, true);
        backend.disposeData(bi.dataId, true);
      }
    }
    return out;
  };
}
