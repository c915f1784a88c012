/**
 * Canary exposure (Carlini et al., "The Secret Sharer", USENIX Security 2019): the exact
 * rank-based definition, and the skew-normal extrapolation checked against the exact value on
 * a fully enumerated candidate space of 2^14 seeded skew-normal log-perplexities.
 */
import { describe, expect, it } from 'vitest';
import { estimatedExposure, exactExposure, exposureFromRank } from '../../../src-main/audit/metrics/index.js';
import { seededRandom } from './seededRandom.js';

describe('exposureFromRank / exactExposure', () => {
  it('is log₂|R| − log₂ rank: log₂|R| for rank 1, 0 for the last rank', () => {
    expect(exposureFromRank(1, 1024)).toBe(10);
    expect(exposureFromRank(1024, 1024)).toBe(0);
    expect(exposureFromRank(4, 1024)).toBe(8);
    expect(() => exposureFromRank(0, 8)).toThrow();
    expect(() => exposureFromRank(9, 8)).toThrow();
    expect(() => exposureFromRank(1.5, 8)).toThrow();
  });

  it('ranks the canary among the other candidates (rank 1 = lowest log-perplexity)', () => {
    const others = [5, 6, 7, 8, 9, 10, 11]; // |R| = 8 with the canary
    expect(exactExposure(1, others)).toBe(3); // lowest: rank 1
    expect(exactExposure(7.5, others)).toBe(1); // three below: rank 4
    expect(exactExposure(100, others)).toBe(0); // highest: rank 8
  });

  it('counts a candidate tied with the canary as ranked before it (conservative)', () => {
    expect(exactExposure(5, [5, 6, 7])).toBe(1); // rank 2 of 4
  });
});

describe('estimatedExposure (skew-normal extrapolation)', () => {
  const rng = seededRandom(77);
  const truth = { location: 60, scale: 8, shape: 2 };
  const delta = truth.shape / Math.sqrt(1 + truth.shape ** 2);
  const space = Array.from(
    { length: 1 << 14 },
    () =>
      truth.location +
      truth.scale * (delta * Math.abs(rng.normal()) + Math.sqrt(1 - delta * delta) * rng.normal()),
  ).sort((a, b) => a - b);

  it('agrees with the exact exposure on an enumerated space (±0.35 bits from rank 16 on)', () => {
    for (const rank of [16, 64, 256, 1024, 4096, 8192]) {
      const canary = space[rank - 1]!;
      const others = [...space.slice(0, rank - 1), ...space.slice(rank)];
      const exact = exactExposure(canary, others);
      expect(exact).toBeCloseTo(14 - Math.log2(rank), 12);
      expect(Math.abs(estimatedExposure(canary, others, space.length).exposure - exact)).toBeLessThan(0.35);
      // From a 1-in-16 sample of the candidates, as when the space cannot be enumerated.
      const sample = others.filter((_, i) => i % 16 === 0);
      expect(Math.abs(estimatedExposure(canary, sample).exposure - exact)).toBeLessThan(0.5);
    }
  });

  it('never exceeds log₂|R| when |R| is given, and is finite far beyond it otherwise', () => {
    const capped = estimatedExposure(0, space, 1e9).exposure;
    expect(capped).toBeCloseTo(Math.log2(1e9), 12);
    const uncapped = estimatedExposure(0, space).exposure;
    expect(Number.isFinite(uncapped)).toBe(true);
    expect(uncapped).toBeGreaterThan(100);
  });

  it('is about 1 bit for a canary at the median and near 0 for one above every candidate', () => {
    expect(estimatedExposure(space[space.length / 2]!, space).exposure).toBeCloseTo(1, 1);
    expect(estimatedExposure(space.at(-1)! + 50, space).exposure).toBeLessThan(1e-6);
  });
});
