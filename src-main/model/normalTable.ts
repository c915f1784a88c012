/**
 * Fast seeded normal samples for random benchmark weights: a 65,536-entry table of the
 * standard normal's quantiles Φ⁻¹((k + ½) / 65536), indexed by 16 random bits, so one
 * 32-bit draw gives two samples by table lookup (no log/sqrt/cos per value). The samples
 * are the normal distribution quantised to 2¹⁶ equally likely levels (tails cut at ±4.33σ),
 * finer than the 8-bit mantissa of bf16 they are usually stored in. Not for privacy noise.
 *
 * Φ⁻¹ is Acklam's rational approximation (P. J. Acklam, "An algorithm for computing the
 * inverse normal cumulative distribution function", 2003; relative error < 1.15e-9).
 */

const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
];
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/** The standard normal quantile function Φ⁻¹(p), 0 < p < 1. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1 (got ${p})`);
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) /
      ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) /
    (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1)
  );
}

export const NORMAL_TABLE_SIZE = 65536;

/** std · Φ⁻¹((k + ½) / 65536) for k = 0..65535, as float32. */
export function normalTable(std: number): Float32Array {
  const t = new Float32Array(NORMAL_TABLE_SIZE);
  for (let k = 0; k < NORMAL_TABLE_SIZE; k++) t[k] = std * normalQuantile((k + 0.5) / NORMAL_TABLE_SIZE);
  return t;
}

/**
 * Fills `out` with table[16 random bits] from a mulberry32 stream (as SeededRandom) whose
 * state is `state`; returns the state to continue from, so a tensor can be filled in chunks.
 */
export function fillFromTable<T extends Float32Array | Uint16Array>(out: T, table: T, state: number): number {
  let s = state >>> 0;
  const n = out.length;
  let i = 0;
  while (i < n) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = (t ^ (t >>> 14)) >>> 0;
    out[i++] = table[r & 0xffff]!;
    if (i < n) out[i++] = table[r >>> 16]!;
  }
  return s;
}
