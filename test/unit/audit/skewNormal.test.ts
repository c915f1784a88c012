/**
 * Azzalini's skew-normal (Azzalini 1985): CDF via Owen's T, log-CDF in the far tail, and the
 * method-of-moments fit (Pewsey 2000). References: α = 0 is the normal; α = 1 has CDF Φ(z)²
 * (Azzalini 1985, property of the family: F(z; 1) = Φ(z)²); reflection F(z; α) = 1 − F(−z; −α);
 * log-CDF values from reference/goldenValues.py (50-digit mpmath quadrature of the density).
 */
import { describe, expect, it } from 'vitest';
import {
  fitSkewNormalByMoments,
  normalCdf,
  skewNormalCdf,
  skewNormalFromMoments,
  skewNormalLogCdf,
  skewNormalMoments,
  type SkewNormalParameters,
} from '../../../src-main/audit/metrics/index.js';
import { seededRandom, type SeededRandom } from './seededRandom.js';

const standard = (shape: number): SkewNormalParameters => ({ location: 0, scale: 1, shape });

/** Azzalini's stochastic representation: δ|U₀| + √(1−δ²) U₁ is skew-normal with shape α. */
function sampleSkewNormal(rng: SeededRandom, p: SkewNormalParameters, n: number): number[] {
  const delta = p.shape / Math.sqrt(1 + p.shape * p.shape);
  return Array.from({ length: n }, () => {
    const z = delta * Math.abs(rng.normal()) + Math.sqrt(1 - delta * delta) * rng.normal();
    return p.location + p.scale * z;
  });
}

describe('skewNormalCdf', () => {
  it('with shape 0 is the normal CDF', () => {
    for (let x = -6; x <= 6; x += 0.25) {
      expect(skewNormalCdf(x, standard(0))).toBeCloseTo(normalCdf(x), 15);
      expect(skewNormalCdf(2 + 3 * x, { location: 2, scale: 3, shape: 0 })).toBeCloseTo(normalCdf(x), 15);
    }
  });

  it('with shape 1 is Φ(z)²', () => {
    for (let x = -5; x <= 5; x += 0.3) {
      expect(skewNormalCdf(x, standard(1))).toBeCloseTo(normalCdf(x) ** 2, 14);
    }
  });

  it('satisfies F(z; α) = 1 − F(−z; −α) and is non-decreasing', () => {
    for (const shape of [-7, -2, -0.5, 0.5, 3, 20]) {
      let previous = 0;
      for (let x = -4; x <= 4; x += 0.2) {
        expect(skewNormalCdf(x, standard(shape))).toBeCloseTo(1 - skewNormalCdf(-x, standard(-shape)), 14);
        const value = skewNormalCdf(x, standard(shape));
        expect(value).toBeGreaterThanOrEqual(previous - 1e-15);
        previous = value;
      }
    }
  });
});

describe('skewNormalLogCdf', () => {
  it.each([
    [-1, 3, -9.785803478009532],
    [-2.2, 3, -30.382866680023643],
    [-3, 3, -51.77641966434414],
    [-6, 1, -41.47353789994941],
    [-4, -2, -9.666954305967346],
    [0.5, -1.5, -0.050629903416271285],
    [1.2, 4, -0.2615457238520916],
  ])('log F(%f; α=%f) matches 50-digit quadrature', (z, shape, expected) => {
    expect(Math.abs(skewNormalLogCdf(z, standard(shape)) - expected) / Math.abs(expected)).toBeLessThan(
      1e-10,
    );
  });

  it('stays finite and decreasing far beyond double-precision underflow of F', () => {
    let previous = 0;
    for (const z of [-5, -10, -20, -40, -80]) {
      const value = skewNormalLogCdf(z, standard(4));
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeLessThan(previous);
      previous = value;
    }
    // F(z; 1) = Φ(z)² holds in log space too.
    expect(skewNormalLogCdf(-30, standard(1)) / (2 * Math.log(normalCdf(-30)))).toBeCloseTo(1, 10);
  });

  it('is continuous where it switches from the Owen’s T formula to the tail integral', () => {
    const p = standard(2.5);
    for (let z = -3; z > -3.6; z -= 0.01) {
      const direct = Math.log(skewNormalCdf(z, p));
      if (direct > Math.log(1e-5)) expect(skewNormalLogCdf(z, p)).toBeCloseTo(direct, 8);
    }
  });
});

describe('fitSkewNormalByMoments', () => {
  it('inverts the moment map: parameters → (mean, variance, skewness) → the same parameters', () => {
    for (const p of [
      { location: 1, scale: 2, shape: 3 },
      { location: -4, scale: 0.5, shape: -1.5 },
      { location: 10, scale: 1, shape: 0 },
      { location: 0, scale: 3, shape: 8 },
    ]) {
      const { mean, variance, skewness } = skewNormalMoments(p);
      const back = skewNormalFromMoments(mean, variance, skewness);
      expect(back.location).toBeCloseTo(p.location, 9);
      expect(back.scale).toBeCloseTo(p.scale, 9);
      expect(back.shape).toBeCloseTo(p.shape, 7);
    }
  });

  it('clamps a skewness beyond the family’s range instead of failing', () => {
    const p = skewNormalFromMoments(0, 1, 3);
    expect(Number.isFinite(p.shape) && p.shape > 5).toBe(true);
    expect(skewNormalMoments(p).variance).toBeCloseTo(1, 12);
  });

  it('recovers a skew-normal from 20,000 seeded samples (location ±0.1, scale ±5%, shape ±25%)', () => {
    const rng = seededRandom(31337);
    for (const truth of [
      { location: 5, scale: 2, shape: 4 },
      { location: -1, scale: 0.7, shape: -2 },
    ]) {
      const fit = fitSkewNormalByMoments(sampleSkewNormal(rng, truth, 20000));
      expect(Math.abs(fit.location - truth.location)).toBeLessThan(0.1 * truth.scale);
      expect(Math.abs(fit.scale / truth.scale - 1)).toBeLessThan(0.05);
      expect(Math.abs(fit.shape / truth.shape - 1)).toBeLessThan(0.25);
    }
  });

  it('matches the sample mean, variance and (clamped) skewness', () => {
    const rng = seededRandom(8);
    const samples = sampleSkewNormal(rng, { location: 0, scale: 1, shape: 2 }, 500);
    const n = samples.length;
    const mean = samples.reduce((a, b) => a + b, 0) / n;
    const m2 = samples.reduce((a, x) => a + (x - mean) ** 2, 0) / n;
    const m3 = samples.reduce((a, x) => a + (x - mean) ** 3, 0) / n;
    const moments = skewNormalMoments(fitSkewNormalByMoments(samples));
    expect(moments.mean).toBeCloseTo(mean, 12);
    expect(moments.variance).toBeCloseTo((m2 * n) / (n - 1), 12);
    expect(moments.skewness).toBeCloseTo(m3 / m2 ** 1.5, 10);
  });

  it('refuses fewer than 3 values or values without spread', () => {
    expect(() => fitSkewNormalByMoments([1, 2])).toThrow(/at least 3/);
    expect(() => fitSkewNormalByMoments([2, 2, 2, 2])).toThrow(/all values are equal/);
  });
});
