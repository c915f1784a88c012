/**
 * A seeded RandomSource for statistical tests ONLY (xoshiro128**, Blackman & Vigna 2018).
 * Production DP code uses node:crypto; tests inject this to make their checks repeatable.
 */
import type { RandomSource } from '../../src-main/dp/randomSource';

export function seededRandomSource(seed: number): RandomSource {
  // SplitMix32 to spread the seed over the 128-bit state.
  let x = seed >>> 0;
  const next32 = () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const s = new Uint32Array([next32(), next32(), next32(), next32()]);
  const rotl = (v: number, k: number) => ((v << k) | (v >>> (32 - k))) >>> 0;
  return {
    fillUint32(out) {
      for (let i = 0; i < out.length; i += 1) {
        const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
        const t = (s[1]! << 9) >>> 0;
        s[2] ^= s[0]!;
        s[3] ^= s[1]!;
        s[1] ^= s[2]!;
        s[0] ^= s[3]!;
        s[2] ^= t;
        s[3] = rotl(s[3]!, 11);
        out[i] = result;
      }
    },
  };
}
