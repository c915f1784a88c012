// The DP noise must have exactly the standard deviation σC the accountant assumes.
// Statistical tests with fixed seeds (repeatable) plus one on the real CSPRNG with a
// tolerance whose false-alarm probability is negligible (> 6 standard errors).
import { describe, expect, it } from 'vitest';
import { addGaussianNoise, gaussianNoise } from '../../../src-main/dp/gaussianNoise';
import { cryptoRandomSource } from '../../../src-main/dp/randomSource';
import { seededRandomSource } from '../../helpers/seededRandomSource';

function moments(x: Float32Array) {
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let m2 = 0;
  let m4 = 0;
  for (const v of x) {
    const d = v - m;
    m2 += d * d;
    m4 += d ** 4;
  }
  m2 /= x.length;
  m4 /= x.length;
  return { mean: m, std: Math.sqrt(m2), kurtosis: m4 / (m2 * m2) };
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 erf, |error| < 1.5e-7). */
function phi(z: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(z) / Math.SQRT2));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-(z * z) / 2);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

describe('Gaussian noise', () => {
  const n = 400_000;
  const std = 2.5; // σ·C, e.g. σ = 1.25, C = 2

  it('has mean 0, the requested std and Gaussian kurtosis (seeded; tolerances ≈ 5 standard errors)', () => {
    const x = gaussianNoise(n, std, seededRandomSource(42));
    const m = moments(x);
    expect(Math.abs(m.mean)).toBeLessThan((5 * std) / Math.sqrt(n)); // SE of mean = std/√n
    expect(Math.abs(m.std / std - 1)).toBeLessThan(5 / Math.sqrt(2 * n)); // SE of std ≈ std/√(2n)
    expect(Math.abs(m.kurtosis - 3)).toBeLessThan(5 * Math.sqrt(24 / n)); // SE of kurtosis ≈ √(24/n)
  });

  it('passes a Kolmogorov–Smirnov test against N(0, std²) at α = 0.001 (seeded)', () => {
    const sample = Array.from(gaussianNoise(50_000, std, seededRandomSource(7))).sort((a, b) => a - b);
    let d = 0;
    sample.forEach((v, i) => {
      const f = phi(v / std);
      d = Math.max(d, Math.abs(f - i / sample.length), Math.abs(f - (i + 1) / sample.length));
    });
    expect(d).toBeLessThan(1.949 / Math.sqrt(sample.length)); // KS critical value, α = 0.001
  });

  it('draws from the CSPRNG by default, with the right std (6-standard-error tolerance)', () => {
    const x = gaussianNoise(n, std);
    expect(Math.abs(moments(x).std / std - 1)).toBeLessThan(6 / Math.sqrt(2 * n));
    expect(gaussianNoise(8, 1)).not.toEqual(gaussianNoise(8, 1)); // not seeded
  });

  it('adds in place and leaves the input alone when std is 0', () => {
    const base = new Float32Array([1, 2, 3]);
    addGaussianNoise(base, 0, cryptoRandomSource);
    expect(Array.from(base)).toEqual([1, 2, 3]);
    addGaussianNoise(base, 1, seededRandomSource(1));
    expect(Array.from(base)).not.toEqual([1, 2, 3]);
    expect(() => addGaussianNoise(base, Number.NaN)).toThrow(/std/);
  });
});
