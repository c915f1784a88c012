/**
 * Block-wise absmax int8 and NF4 (QLoRA) quantisers: the published NF4 code book, exact
 * round trips of representable values, nearest-code rounding, per-element error bounds
 * implied by the formats, and the mean error on Gaussian weights against fp32.
 */
import { describe, expect, it } from 'vitest';
import {
  dequantiseInt8,
  dequantiseNf4,
  NF4_CODE_BOOK,
  nf4Code,
  QUANT_BLOCK_SIZE,
  quantiseInt8,
  quantiseNf4,
} from '../../../src-main/model/blockQuantisation.js';
import { SeededRandom } from '../../../src-main/model/seededRandom.js';

function gaussian(n: number, seed: number, std = 0.02): Float32Array {
  const rng = new SeededRandom(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = std * rng.normal();
  return x;
}

function relativeRmsError(x: Float32Array, y: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    num += (x[i]! - y[i]!) ** 2;
    den += x[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

describe('NF4 code book (Dettmers et al. 2023, Appendix E)', () => {
  it('has the published values', () => {
    // bitsandbytes csrc/kernels.cu, the table QLoRA publishes
    expect(NF4_CODE_BOOK).toEqual([
      -1, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
      -0.18477343022823334, -0.09105003625154495, 0, 0.07958029955625534, 0.16093020141124725,
      0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023,
      1,
    ]);
  });

  it('each code value maps to its own code; values round to the nearest code value', () => {
    NF4_CODE_BOOK.forEach((v, i) => expect(nf4Code(v)).toBe(i));
    const rng = new SeededRandom(5);
    for (let k = 0; k < 2000; k++) {
      const v = 2 * rng.next() - 1;
      const got = NF4_CODE_BOOK[nf4Code(v)]!;
      const best = Math.min(...NF4_CODE_BOOK.map((c) => Math.abs(c - v)));
      expect(Math.abs(got - v)).toBeCloseTo(best, 12);
    }
  });

  it('packs element 2k in the low nibble of byte k (u32 lane i at bits 4·(i mod 8))', () => {
    const x = new Float32Array(NF4_CODE_BOOK.map((v) => v * 3)); // absmax 3
    const q = quantiseNf4(x);
    expect(q.scales[0]).toBe(3);
    const words = new Uint32Array(q.codes.buffer, 0, 2);
    for (let i = 0; i < 16; i++) expect((words[i >> 3]! >>> (4 * (i % 8))) & 15).toBe(i);
    expect(q.codes.byteLength % 4).toBe(0);
    expect(Array.from(dequantiseNf4(q))).toEqual(
      Array.from(x).map((v) => Math.fround(Math.fround(v / 3) * 3)),
    );
  });
});

describe('quantisation error against fp32', () => {
  // Tolerances: per element, int8 is within absmax/254 of the value (half a step of 127
  // levels), NF4 within absmax × 0.1519 (half the widest gap, between -1 and -0.696).
  // On N(0, 0.02²) weights (block 64): relative RMS error int8 < 1%, NF4 < 10%
  // (measured 0.6% and 9.2%; NF4 is the information-theoretically optimal 4-bit code for
  // normal weights, not an exact one).
  const n = 64 * 1000 + 37; // a short last block
  const x = gaussian(n, 11);

  it('int8: per-element bound and relative RMS error', () => {
    const q = quantiseInt8(x);
    const y = dequantiseInt8(q);
    expect(q.scales.length).toBe(Math.ceil(n / QUANT_BLOCK_SIZE));
    for (let i = 0; i < n; i++) {
      const s = q.scales[Math.floor(i / 64)]!;
      expect(Math.abs(x[i]! - y[i]!)).toBeLessThanOrEqual(s / 254 + 1e-9);
    }
    expect(relativeRmsError(x, y)).toBeLessThan(0.01);
  });

  it('nf4: per-element bound and relative RMS error', () => {
    const q = quantiseNf4(x);
    const y = dequantiseNf4(q);
    expect(q.codes.byteLength).toBe(Math.ceil(n / 2 / 4) * 4);
    const halfGap = (NF4_CODE_BOOK[1]! - NF4_CODE_BOOK[0]!) / 2;
    for (let i = 0; i < n; i++) {
      const s = q.scales[Math.floor(i / 64)]!;
      expect(Math.abs(x[i]! - y[i]!)).toBeLessThanOrEqual(s * halfGap + 1e-9);
    }
    const e = relativeRmsError(x, y);
    expect(e).toBeLessThan(0.1);
    expect(e).toBeGreaterThan(0.05); // 4 bits cannot be near-exact: a sanity check of the test
  });

  it('keeps each block absmax exactly, zeros stay zero, an all-zero block dequantises to 0', () => {
    const z = new Float32Array(130);
    z[3] = -0.5;
    z[70] = 0.25;
    for (const y of [dequantiseInt8(quantiseInt8(z)), dequantiseNf4(quantiseNf4(z))]) {
      expect(y[3]).toBe(-0.5);
      expect(y[70]).toBe(0.25);
      expect(y[4]).toBe(0);
      expect(Array.from(y.subarray(128))).toEqual([0, 0]);
    }
  });

  it('refuses non-finite weights', () => {
    expect(() => quantiseNf4(new Float32Array([1, Number.NaN]))).toThrow(/non-finite/);
    expect(() => quantiseInt8(new Float32Array([Infinity]))).toThrow(/non-finite/);
  });
});
