// Poisson sampling: each unit is in a step's batch independently with probability q, so
// batch sizes follow Binomial(N, q) (Abadi et al. 2016; Mironov, Talwar, Zhang 2019).
import { describe, expect, it } from 'vitest';
import { PoissonSampler } from '../../../src-main/dp/poissonSampler';
import { seededRandomSource } from '../../helpers/seededRandomSource';

function binomialPmf(n: number, p: number): number[] {
  const pmf: number[] = [];
  let logC = 0;
  for (let k = 0; k <= n; k += 1) {
    if (k > 0) logC += Math.log(n - k + 1) - Math.log(k);
    pmf.push(Math.exp(logC + k * Math.log(p) + (n - k) * Math.log1p(-p)));
  }
  return pmf;
}

describe('PoissonSampler', () => {
  const N = 500;
  const q = 0.04; // expected batch 20
  const draws = 4000;

  it('gives batch sizes that follow Binomial(N, q): chi-square goodness of fit (seeded, α = 0.001)', () => {
    const sampler = new PoissonSampler(N, q, seededRandomSource(2026));
    const counts = new Map<number, number>();
    for (let i = 0; i < draws; i += 1) {
      const size = sampler.sample().length;
      counts.set(size, (counts.get(size) ?? 0) + 1);
    }
    // Bins with expected count ≥ 5; tails pooled.
    const pmf = binomialPmf(N, q);
    const bins: Array<{ lo: number; hi: number }> = [];
    let lo = 0;
    let acc = 0;
    for (let k = 0; k <= N; k += 1) {
      acc += pmf[k]! * draws;
      if (acc >= 5 && (1 - pmf.slice(0, k + 1).reduce((a, b) => a + b, 0)) * draws >= 5) {
        bins.push({ lo, hi: k });
        lo = k + 1;
        acc = 0;
      }
    }
    bins.push({ lo, hi: N });
    let chi2 = 0;
    for (const { lo: a, hi: b } of bins) {
      let expected = 0;
      let observed = 0;
      for (let k = a; k <= b; k += 1) {
        expected += pmf[k]! * draws;
        observed += counts.get(k) ?? 0;
      }
      chi2 += (observed - expected) ** 2 / expected;
    }
    const dof = bins.length - 1;
    // Wilson–Hilferty approximation of the chi-square 0.999 quantile.
    const z = 3.0902;
    const critical = dof * (1 - 2 / (9 * dof) + z * Math.sqrt(2 / (9 * dof))) ** 3;
    expect(dof).toBeGreaterThan(10);
    expect(chi2).toBeLessThan(critical);
  });

  it('includes every unit with probability q, independently of its index', () => {
    const sampler = new PoissonSampler(N, q, seededRandomSource(9));
    const hits = new Float64Array(N);
    for (let i = 0; i < draws; i += 1) for (const idx of sampler.sample()) hits[idx] = hits[idx]! + 1;
    const se = Math.sqrt(q * (1 - q) * draws);
    let maxZ = 0;
    for (const h of hits) maxZ = Math.max(maxZ, Math.abs(h - q * draws) / se);
    expect(maxZ).toBeLessThan(4.5); // max of 500 |z|: P(> 4.5) ≈ 500 · 6.8e-6
    const firstHalf = hits.slice(0, N / 2).reduce((a, b) => a + b, 0);
    const secondHalf = hits.slice(N / 2).reduce((a, b) => a + b, 0);
    expect(Math.abs(firstHalf - secondHalf) / Math.sqrt(firstHalf + secondHalf)).toBeLessThan(4);
  });

  it('returns sorted unique indices, and uses the CSPRNG by default', () => {
    const sampler = new PoissonSampler(1000, 0.3);
    const a = sampler.sample();
    for (let i = 1; i < a.length; i += 1) expect(a[i]!).toBeGreaterThan(a[i - 1]!);
    expect(sampler.expectedBatchSize).toBeCloseTo(300, 10);
    expect(Array.from(sampler.sample())).not.toEqual(Array.from(a));
  });

  it('refuses impossible parameters with a clear error', () => {
    expect(() => new PoissonSampler(0, 0.1)).toThrow(/positive integer/);
    expect(() => new PoissonSampler(10, 0)).toThrow(/sampling rate q/);
    expect(() => new PoissonSampler(10, 1.5)).toThrow(/sampling rate q/);
  });
});
