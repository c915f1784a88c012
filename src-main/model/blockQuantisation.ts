/**
 * Block-wise absmax quantisers for frozen base weights, as pure functions with their
 * inverse. Each run of QUANT_BLOCK_SIZE consecutive values (row-major; the last block may
 * be shorter) shares one fp32 scale, its largest magnitude (absmax).
 *
 * - int8: q = round(127 · x / absmax), dequantised as q · absmax / 127 (the block-wise
 *   absmax int8 of Dettmers et al. 2022, "8-bit Optimizers via Block-wise Quantization").
 * - nf4: 4-bit NormalFloat from QLoRA (Dettmers et al. 2023, "QLoRA: Efficient Finetuning
 *   of Quantized LLMs", arXiv:2305.14314, §3 and Appendix E): x / absmax is rounded to the
 *   nearest of 16 values that are quantiles of N(0, 1) scaled to [-1, 1], with an exact 0;
 *   blocks of 64 as in the paper, without its second-level ("double") quantisation of the
 *   scales. Codes are packed two to a byte, element 2k in the low nibble of byte k, so a
 *   little-endian u32 holds elements 8j..8j+7 at bits 4·(i mod 8): the layout a shader
 *   unpacks with `(word >> (4u * (i % 8u))) & 15u`.
 */

/** Values per scale. */
export const QUANT_BLOCK_SIZE = 64;

/**
 * The NF4 code book as published (QLoRA Appendix E; bitsandbytes csrc/kernels.cu), in
 * increasing order; the code of a value is its index here.
 */
export const NF4_CODE_BOOK: readonly number[] = [
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
  -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
  0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
];

/** Midpoints between neighbouring code values: a value at or above bounds[i] gets a code > i. */
const NF4_BOUNDS = NF4_CODE_BOOK.slice(1).map((v, i) => (v + NF4_CODE_BOOK[i]!) / 2);

export interface Int8Blocks {
  readonly format: 'int8';
  readonly length: number;
  readonly codes: Int8Array;
  /** One absmax per block. */
  readonly scales: Float32Array;
}

export interface Nf4Blocks {
  readonly format: 'nf4';
  readonly length: number;
  /** Two codes a byte (ceil(length / 2) bytes, padded to a multiple of 4 for u32 upload). */
  readonly codes: Uint8Array;
  readonly scales: Float32Array;
}

function blockScales(x: Float32Array): Float32Array {
  const scales = new Float32Array(Math.ceil(x.length / QUANT_BLOCK_SIZE));
  for (let b = 0; b < scales.length; b++) {
    let m = 0;
    const end = Math.min(x.length, (b + 1) * QUANT_BLOCK_SIZE);
    for (let i = b * QUANT_BLOCK_SIZE; i < end; i++) m = Math.max(m, Math.abs(x[i]!));
    scales[b] = m;
  }
  return scales;
}

function requireFinite(x: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!))
      throw new RangeError(`cannot quantise a non-finite value (index ${i}: ${x[i]})`);
  }
}

export function quantiseInt8(x: Float32Array): Int8Blocks {
  requireFinite(x);
  const scales = blockScales(x);
  const codes = new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const s = scales[(i / QUANT_BLOCK_SIZE) | 0]!;
    codes[i] = s === 0 ? 0 : Math.round((127 * x[i]!) / s);
  }
  return { format: 'int8', length: x.length, codes, scales };
}

export function dequantiseInt8(q: Int8Blocks): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = (q.codes[i]! * q.scales[(i / QUANT_BLOCK_SIZE) | 0]!) / 127;
  return out;
}

const [B0, B1, B2, B3, B4, B5, B6, B7, B8, B9, B10, B11, B12, B13, B14] = NF4_BOUNDS as [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

/**
 * Index of the nearest NF4 code value to v in [-1, 1] (ties to the larger code): the
 * number of midpoints at or below v, counted without branches (twice as fast as a binary
 * search, whose branches the processor cannot predict).
 */
export function nf4Code(v: number): number {
  return (
    +(v >= B0) +
    +(v >= B1) +
    +(v >= B2) +
    +(v >= B3) +
    +(v >= B4) +
    +(v >= B5) +
    +(v >= B6) +
    +(v >= B7) +
    +(v >= B8) +
    +(v >= B9) +
    +(v >= B10) +
    +(v >= B11) +
    +(v >= B12) +
    +(v >= B13) +
    +(v >= B14)
  );
}

export function quantiseNf4(x: Float32Array): Nf4Blocks {
  requireFinite(x);
  const scales = blockScales(x);
  const codes = new Uint8Array(Math.ceil(Math.ceil(x.length / 2) / 4) * 4);
  for (let i = 0; i < x.length; i++) {
    const s = scales[(i / QUANT_BLOCK_SIZE) | 0]!;
    const code = s === 0 ? 7 : nf4Code(x[i]! / s); // code 7 is exactly 0
    codes[i >> 1] = codes[i >> 1]! | ((i & 1) === 0 ? code : code << 4);
  }
  return { format: 'nf4', length: x.length, codes, scales };
}

export function dequantiseNf4(q: Nf4Blocks): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) {
    const byte = q.codes[i >> 1]!;
    const code = (i & 1) === 0 ? byte & 15 : byte >> 4;
    out[i] = NF4_CODE_BOOK[code]! * q.scales[(i / QUANT_BLOCK_SIZE) | 0]!;
  }
  return out;
}
