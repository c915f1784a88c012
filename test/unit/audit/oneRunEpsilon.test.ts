/**
 * One-run ε lower bound (Steinke, Nasr & Jagielski, "Privacy Auditing with One (1) Training
 * Run", NeurIPS 2023). Reference values: the paper's Appendix D code run with exact 50-digit
 * binomials (reference/goldenValues.py). Soundness: under ε-DP randomized response (each of m
 * examples in with probability ½; the guess right with probability e^ε/(1+e^ε)) the bound must
 * exceed ε with probability at most β = 5%; checked exactly by summing binomial probabilities,
 * and by seeded simulation of the m examples.
 */
import { describe, expect, it } from 'vitest';
import { oneRunEpsilonLowerBound, oneRunPValue } from '../../../src-main/audit/metrics/index.js';
import { logGamma } from '../../../src-main/audit/metrics/logGamma.js';
import { seededRandom, type SeededRandom } from './seededRandom.js';

const relativeError = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

/** v, the correct guesses of an auditor guessing all m examples of ε-DP randomized response. */
function simulateRandomizedResponse(rng: SeededRandom, m: number, epsilon: number): number {
  const accuracy = Math.exp(epsilon) / (1 + Math.exp(epsilon));
  let correct = 0;
  for (let i = 0; i < m; i++) {
    const included = rng.uniform() < 0.5;
    const guess = rng.uniform() < accuracy ? included : !included;
    if (guess === included) correct++;
  }
  return correct;
}

/** P[bound > ε] under ε-DP randomized response with m guesses, computed exactly. */
function exactExceedanceProbability(m: number, epsilon: number, delta: number): number {
  // The bound is non-decreasing in v: find the smallest v whose bound exceeds ε.
  let lo = 0;
  let hi = m + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid <= m && oneRunEpsilonLowerBound({ m, r: m, v: mid }, { delta }) > epsilon) hi = mid;
    else lo = mid + 1;
  }
  const q = Math.exp(epsilon) / (1 + Math.exp(epsilon));
  let probability = 0;
  for (let k = lo; k <= m; k++) {
    probability += Math.exp(
      logGamma(m + 1) - logGamma(k + 1) - logGamma(m - k + 1) + k * Math.log(q) + (m - k) * Math.log1p(-q),
    );
  }
  return probability;
}

describe('oneRunPValue', () => {
  it.each([
    [1000, 100, 90, 1, 0, 2.735812800766154e-5],
    [1000, 100, 90, 1, 1e-5, 0.0008412885614385308],
    [100, 100, 60, 0.2, 1e-3, 0.196739342780063],
  ])('p(m=%i, r=%i, v=%i, ε=%f, δ=%f) matches Appendix D with exact binomials', (m, r, v, eps, delta, p) => {
    expect(relativeError(oneRunPValue({ m, r, v }, eps, delta), p)).toBeLessThan(1e-9);
  });

  it('is 1 with no correct guesses and decreases as ε falls', () => {
    expect(oneRunPValue({ m: 10, r: 10, v: 0 }, 1, 0)).toBe(1);
    let previous = 1;
    for (const eps of [4, 2, 1, 0.5, 0.1, 0]) {
      const p = oneRunPValue({ m: 500, r: 200, v: 150 }, eps, 1e-6);
      expect(p).toBeLessThanOrEqual(previous);
      previous = p;
    }
  });
});

describe('oneRunEpsilonLowerBound', () => {
  it.each([
    [1000, 100, 100, 0, 3.492965430021286],
    [1000, 100, 100, 1e-5, 3.4653763473033905],
    [1000, 1000, 700, 1e-5, 0.7317404486238956],
    [1000, 1000, 700, 0, 0.7320108618587255],
    [10000, 500, 450, 1e-5, 1.9354543294757605],
    [100, 100, 50, 1e-5, 0],
  ])('m=%i r=%i v=%i δ=%f at confidence 0.95 matches Appendix D: %f', (m, r, v, delta, expected) => {
    expect(oneRunEpsilonLowerBound({ m, r, v }, { delta })).toBeCloseTo(expected, 9);
  });

  it('grows with correct guesses, shrinks with δ and with confidence, and is 0 at chance', () => {
    let previous = 0;
    for (let v = 0; v <= 200; v += 10) {
      const bound = oneRunEpsilonLowerBound({ m: 1000, r: 200, v }, { delta: 1e-5 });
      expect(bound).toBeGreaterThanOrEqual(previous);
      previous = bound;
    }
    const counts = { m: 1000, r: 200, v: 170 };
    expect(oneRunEpsilonLowerBound(counts, { delta: 1e-3 })).toBeLessThan(
      oneRunEpsilonLowerBound(counts, { delta: 0 }),
    );
    expect(oneRunEpsilonLowerBound(counts, { delta: 0, confidence: 0.99 })).toBeLessThan(
      oneRunEpsilonLowerBound(counts, { delta: 0, confidence: 0.9 }),
    );
    expect(oneRunEpsilonLowerBound({ m: 1000, r: 200, v: 100 }, { delta: 0 })).toBe(0);
  });

  it('rejects v > r, r > m, bad δ and bad confidence', () => {
    expect(() => oneRunEpsilonLowerBound({ m: 10, r: 5, v: 6 }, { delta: 0 })).toThrow(/exceeds r/);
    expect(() => oneRunEpsilonLowerBound({ m: 10, r: 11, v: 6 }, { delta: 0 })).toThrow(/exceeds m/);
    expect(() => oneRunEpsilonLowerBound({ m: 10, r: 5, v: 2.5 }, { delta: 0 })).toThrow(/whole number/);
    expect(() => oneRunEpsilonLowerBound({ m: 10, r: 5, v: 2 }, { delta: 2 })).toThrow(/δ/);
    expect(() => oneRunEpsilonLowerBound({ m: 10, r: 5, v: 2 }, { delta: 0, confidence: 1 })).toThrow(
      /confidence/,
    );
  });

  it.each([
    [1, 1000, 1e-5],
    [2, 1000, 0],
    [0.5, 200, 0],
    [3, 300, 1e-6],
  ])(
    'under ε=%f randomized response (m=%i, δ=%f) the bound exceeds ε with probability ≤ 0.05 (exact)',
    (eps, m, delta) => {
      expect(exactExceedanceProbability(m, eps, delta)).toBeLessThanOrEqual(0.05);
    },
  );

  it('stays below the true ε in simulated randomized response (seeded, 300 trials per ε)', () => {
    // The guarantee is P[bound > ε] ≤ 5%; the exact rates here are 4.6% (ε=1) and 4.9% (ε=2),
    // so the observed share of trials below ε must be ≥ 95% up to sampling error: we allow
    // three binomial standard errors, 3·√(0.05·0.95/300) ≈ 3.8 points.
    const rng = seededRandom(20231110);
    const trials = 300;
    for (const [eps, delta] of [
      [1, 1e-5],
      [2, 0],
    ] as const) {
      let below = 0;
      for (let t = 0; t < trials; t++) {
        const v = simulateRandomizedResponse(rng, 1000, eps);
        if (oneRunEpsilonLowerBound({ m: 1000, r: 1000, v }, { delta }) <= eps) below++;
      }
      expect(below / trials).toBeGreaterThanOrEqual(0.95 - 3 * Math.sqrt((0.05 * 0.95) / trials));
    }
  });

  it('approaches the true ε for large m (m = 100,000, ε = 1: within 4%, never above)', () => {
    const rng = seededRandom(7);
    for (let t = 0; t < 2; t++) {
      const v = simulateRandomizedResponse(rng, 100_000, 1);
      const bound = oneRunEpsilonLowerBound({ m: 100_000, r: 100_000, v }, { delta: 1e-5 });
      expect(bound).toBeGreaterThan(0.96);
      expect(bound).toBeLessThan(1);
    }
  });
});
