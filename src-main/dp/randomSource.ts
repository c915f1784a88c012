/**
 * Where DP randomness comes from. In every real run it is the operating system's CSPRNG
 * (node:crypto randomFillSync): the noise and the Poisson sampling must be unpredictable
 * and are never seeded from anything stored or reported (DESIGN.md, "Privacy is the
 * product"). The interface exists so statistical tests can inject a seeded source; no
 * production code path accepts a seed.
 */
import { randomFillSync } from 'node:crypto';

export interface RandomSource {
  /** Fills `out` with independent uniform 32-bit words. */
  fillUint32(out: Uint32Array): void;
}

export const cryptoRandomSource: RandomSource = {
  fillUint32(out) {
    randomFillSync(out);
  },
};

const TWO_POW_53 = 9007199254740992;

/**
 * Uniform doubles in [0, 1) with full 53-bit resolution (two 32-bit words per value: 27
 * high bits and 26 low bits, as in the classic genrand_res53), written into `out`.
 */
export function fillUniform53(source: RandomSource, out: Float64Array): void {
  const words = new Uint32Array(2 * out.length);
  source.fillUint32(words);
  for (let i = 0; i < out.length; i += 1) {
    const hi = words[2 * i]! >>> 5; // 27 bits
    const lo = words[2 * i + 1]! >>> 6; // 26 bits
    out[i] = (hi * 67108864 + lo) / TWO_POW_53;
  }
}

/** A single uniform double in [0, 1). */
export function uniform53(source: RandomSource): number {
  const out = new Float64Array(1);
  fillUniform53(source, out);
  return out[0]!;
}
