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
  let s0 = next32();
  let s1 = next32();
  let s2 = next32();
  let s3 = next32();
  const rotl = (v: number, k: number) => ((v << k) | (v >>> (32 - k))) >>> 0;
  return {
    fillUint32(out) {
      for (let i = 0; i < out.length; i += 1) {
        out[i] = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
        const t = (s1 << 9) >>> 0;
        s2 = (s2 ^ s0) >>> 0;
        s3 = (s3 ^ s1) >>> 0;
        s1 = (s1 ^ s2) >>> 0;
        s0 = (s0 ^ s3) >>> 0;
        s2 = (s2 ^ t) >>> 0;
        s3 = rotl(s3, 11);
      }
    },
  };
}
