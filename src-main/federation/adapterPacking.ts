/**
 * Flattens an adapter delta (one Float32Array per LoRA tensor, in a fixed order) into one
 * float64 vector, splits it into chunks of the CKKS slot count, and back. The layout (the
 * tensors' lengths) travels in the clear with every update: it is the adapter's shape, not data.
 */
import { ConfidantError } from '../shared/confidantError.js';

export function layoutOf(tensors: readonly Float32Array[]): number[] {
  return tensors.map((t) => t.length);
}

export function totalLength(layout: readonly number[]): number {
  return layout.reduce((n, len) => n + len, 0);
}

/** Concatenates the tensors, each value multiplied by `factor` (in float64). */
export function flattenScaled(tensors: readonly Float32Array[], factor: number): Float64Array {
  const out = new Float64Array(totalLength(layoutOf(tensors)));
  let offset = 0;
  for (const t of tensors) {
    for (let i = 0; i < t.length; i++) out[offset + i] = (t[i] as number) * factor;
    offset += t.length;
  }
  return out;
}

/** Splits a flat vector into tensors of the given lengths. */
export function unflatten(values: Float64Array, layout: readonly number[]): Float32Array[] {
  if (values.length < totalLength(layout)) {
    throw new ConfidantError(
      'fed.layout-mismatch',
      `the vector has ${values.length} values but the adapter layout needs ${totalLength(layout)}`,
      { hint: 'every site must train the same adapter (same model, rank and target modules)' },
    );
  }
  const tensors: Float32Array[] = [];
  let offset = 0;
  for (const len of layout) {
    tensors.push(Float32Array.from(values.subarray(offset, offset + len)));
    offset += len;
  }
  return tensors;
}

/** Number of ciphertexts needed for `length` values. */
export function chunkCount(length: number, slotCount: number): number {
  return Math.max(1, Math.ceil(length / slotCount));
}

/** Chunk `index` of `values`, zero-padded to exactly `slotCount` values. */
export function chunk(values: Float64Array, index: number, slotCount: number): Float64Array {
  const out = new Float64Array(slotCount);
  out.set(values.subarray(index * slotCount, Math.min(values.length, (index + 1) * slotCount)));
  return out;
}
