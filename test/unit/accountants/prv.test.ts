/**
 * PRV accountant (Gopi, Lee, Wutschitz 2021; src-main/accountants/prv.ts and its modules)
 * against Opacus's pinned values and the Microsoft prv_accountant values Opacus lists, plus
 * invariants and consistency with the RDP accountant.
 */
import { describe, expect, it } from 'vitest';
import { PrvAccountant, RdpAccountant, createAccountant } from '../../../src-main/accountants/index';
import { SampledGaussianPrv, TruncatedPrv } from '../../../src-main/accountants/prvDistribution';
import { createAlignedDomain, domainPoints } from '../../../src-main/accountants/prvDomain';
import { integrate } from '../../../src-main/accountants/quadrature';
import { erfc } from '../../../src-main/accountants/erfc';
import { ConfidantError } from '../../../src-main/shared/confidantError';

describe('PRV accountant: published values', () => {
  it('Opacus opacus/tests/accountants_test.py test_prv_accountant: σ=1.5, q=0.04, 2249 steps, δ=1e-5 → 6.777395712150674', () => {
    // steps = int(90 // 0.04) = 2249; assertAlmostEqual (7 places); Opacus returns the upper bound.
    const eps = createAccountant('prv').epsilon(0.04, 1.5, 2249, 1e-5);
    expect(Math.abs(eps - 6.777395712150674)).toBeLessThan(5e-8);
  });

  // opacus/tests/prv_accountant.py, msr_values "Computed from https://github.com/microsoft/prv_accountant",
  // checked there with accountant.get_epsilon(delta=1e-6), assertAlmostEqual(places=5). A subset that runs fast.
  it.each([
    [0.8, 0.001, 100, 0.2704033640580187],
    [3.0, 0.001, 100, 0.021520093439088266],
    [0.8, 0.05, 100, 6.7410519394141],
    [2.0, 0.05, 100, 1.2836373796240652],
    [0.8, 0.2, 100, 24.333664177922564],
    [3.0, 0.2, 100, 3.3812205102218442],
    [1.5, 0.001, 1000, 0.09982066023084749],
    [3.0, 0.05, 1000, 2.5275743260597383],
  ])(
    'Microsoft prv_accountant via Opacus msr_values: σ=%f, q=%f, %i steps, δ=1e-6 → %f',
    (sigma, q, steps, want) => {
      const eps = new PrvAccountant().epsilon(q, sigma, steps, 1e-6);
      expect(Math.abs(eps - want)).toBeLessThan(5e-6);
    },
  );
});

describe('PRV accountant: bounds and consistency', () => {
  const prv = new PrvAccountant();
  const rdp = new RdpAccountant();

  it.each([
    [0.01, 1.0, 1000],
    [0.004, 1.1, 5000],
    [0.1, 3.0, 200],
    [0.05, 2.0, 500],
  ])('q=%f σ=%f %i steps: lower ≤ estimate ≤ upper = reported ε ≤ RDP ε', (q, sigma, steps) => {
    const b = prv.epsilonBounds([{ q, sigma, steps }], 1e-5);
    expect(b.lower).toBeLessThan(b.estimate);
    expect(b.estimate).toBeLessThan(b.upper);
    expect(b.upper - b.lower).toBeLessThan(0.05); // 2·eps_error plus the δ_error slack
    expect(prv.epsilon(q, sigma, steps, 1e-5)).toBe(b.upper);
    // PRV is the tighter accountant on typical DP-SGD settings; both are reported.
    expect(b.upper).toBeLessThan(rdp.epsilon(q, sigma, steps, 1e-5));
  });

  it('ε grows with steps and q and falls with σ', () => {
    const at = (q: number, sigma: number, steps: number) => prv.epsilon(q, sigma, steps, 1e-5);
    expect(at(0.01, 1, 100)).toBeLessThan(at(0.01, 1, 1000));
    expect(at(0.01, 1, 1000)).toBeLessThan(at(0.01, 1, 3000));
    expect(at(0.005, 1, 1000)).toBeLessThan(at(0.01, 1, 1000));
    expect(at(0.01, 1, 1000)).toBeLessThan(at(0.03, 1, 1000));
    expect(at(0.01, 2, 1000)).toBeLessThan(at(0.01, 1, 1000));
    expect(at(0.01, 1, 1000)).toBeLessThan(at(0.01, 0.7, 1000));
  });

  it('a heterogeneous history composes: reordering and splitting segments agree to 1e-6', () => {
    const a = prv.epsilonOfHistory(
      [
        { q: 0.01, sigma: 1, steps: 500 },
        { q: 0.02, sigma: 1.5, steps: 300 },
        { q: 0.01, sigma: 1, steps: 200 },
      ],
      1e-5,
    );
    const b = prv.epsilonOfHistory(
      [
        { q: 0.02, sigma: 1.5, steps: 300 },
        { q: 0.01, sigma: 1, steps: 700 },
      ],
      1e-5,
    );
    expect(Math.abs(a - b)).toBeLessThan(1e-6);
    // …and sits between the two parts and their sum.
    const p1 = prv.epsilon(0.01, 1, 700, 1e-5);
    const p2 = prv.epsilon(0.02, 1.5, 300, 1e-5);
    expect(a).toBeGreaterThan(Math.max(p1, p2));
    expect(a).toBeLessThan(p1 + p2);
  });

  it('refuses a δ too small for floating point, pointing at RDP; a large ε gets a coarser mesh, not an error', () => {
    const failure = (run: () => unknown): ConfidantError => {
      try {
        run();
      } catch (error) {
        if (error instanceof ConfidantError) return error;
      }
      throw new Error('expected a ConfidantError');
    };
    const tiny = failure(() => prv.epsilon(0.01, 1, 1000, 1e-14));
    expect(tiny.code).toBe('accountant.delta-too-small');
    expect(tiny.options.hint).toMatch(/RDP accountant/);
    // ε ≈ 291: Opacus's mesh would need more than MAX_DOMAIN_SIZE points (issue 18: this used to
    // throw accountant.prv-too-large); a coarser mesh gives bounds that carry their wider error
    const huge = prv.epsilonBounds([{ q: 0.05, sigma: 0.8, steps: 50000 }], 1e-6);
    expect(huge.epsError!).toBeGreaterThan(0.01);
    expect(huge.lower).toBeLessThanOrEqual(huge.estimate);
    expect(huge.upper).toBeGreaterThanOrEqual(huge.estimate);
    expect(huge.upper - huge.lower).toBeLessThan(0.01 * huge.upper);
    expect(huge.upper).toBeLessThanOrEqual(new RdpAccountant().epsilon(0.05, 0.8, 50000, 1e-6));
    expect(huge.upper).toBeGreaterThan(250);
  }, 120_000);
});

describe('PRV accountant with q = 1 (no subsampling) against the exact Gaussian mechanism', () => {
  // T compositions of the Gaussian mechanism with noise σ are exactly μ-GDP with μ = √T/σ
  // (Dong, Roth, Su 2019, Corollary 3.3), whose exact privacy profile is
  // δ(ε) = Φ(μ/2 − ε/μ) − e^ε Φ(−μ/2 − ε/μ) (Balle & Wang 2018, Theorem 8).
  const phi = (x: number) => 0.5 * erfc(-x / Math.SQRT2);
  const exactEpsilon = (delta: number, mu: number): number => {
    let lo = 0;
    let hi = 200;
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (phi(mu / 2 - mid / mu) - Math.exp(mid) * phi(-mu / 2 - mid / mu) > delta) lo = mid;
      else hi = mid;
    }
    return hi;
  };

  it.each([
    [1, 1],
    [2, 10],
    [5, 100],
    [10, 1000],
  ])('σ=%f, %i steps: lower ≤ exact ε ≤ upper, and the estimate is within 1e-4', (sigma, steps) => {
    const exact = exactEpsilon(1e-5, Math.sqrt(steps) / sigma);
    const b = new PrvAccountant().epsilonBounds([{ q: 1, sigma, steps }], 1e-5);
    expect(b.lower).toBeLessThanOrEqual(exact);
    expect(b.upper).toBeGreaterThanOrEqual(exact);
    expect(Math.abs(b.estimate - exact)).toBeLessThan(1e-4);
    expect(new RdpAccountant().epsilon(1, sigma, steps, 1e-5)).toBeGreaterThan(exact);
  });

  it('σ=1.45, 1000 steps (ε ≈ 290, beyond Opacus’s grid): the coarser mesh still brackets the exact ε', () => {
    const mu = Math.sqrt(1000) / 1.45;
    let lo = 0;
    let hi = 1000;
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      // δ(ε) with e^ε Φ(·) in log space: e^ε Φ(−μ/2 − ε/μ) = exp(ε + log Φ(·))
      const tail = Math.exp(mid + Math.log(0.5 * erfc((mu / 2 + mid / mu) / Math.SQRT2)));
      if (0.5 * erfc(-(mu / 2 - mid / mu) / Math.SQRT2) - tail > 1e-5) lo = mid;
      else hi = mid;
    }
    const exact = hi;
    const b = new PrvAccountant().epsilonBounds([{ q: 1, sigma: 1.45, steps: 1000 }], 1e-5);
    expect(b.epsError!).toBeGreaterThan(0.01); // the mesh was widened
    expect(b.lower).toBeLessThanOrEqual(exact);
    expect(b.upper).toBeGreaterThanOrEqual(exact);
    expect(b.upper - exact).toBeLessThan(0.01 * exact);
  }, 120_000);
});

describe('PRV of the subsampled Gaussian', () => {
  it('is a distribution: CDF 0 below log(1 − q), rising to 1', () => {
    const prv = new SampledGaussianPrv(0.1, 1.2);
    expect(prv.cdf(Math.log(0.9) - 1e-9)).toBe(0);
    expect(prv.cdf(40)).toBeCloseTo(1, 14);
    let last = 0;
    for (let t = -0.2; t < 5; t += 0.05) {
      const c = prv.cdf(t);
      expect(c).toBeGreaterThanOrEqual(last - 1e-15);
      last = c;
    }
  });

  it('its mean (by adaptive quadrature) equals a fine midpoint rule on the grid (slow reference)', () => {
    const truncated = new TruncatedPrv(new SampledGaussianPrv(0.2, 0.8), -37.33, 37.33);
    const domain = createAlignedDomain(-37.33, 37.33, 1e-4);
    const ts = domainPoints(domain);
    let mean = 0;
    for (let i = 0; i < ts.length; i++)
      mean += ts[i]! * (truncated.cdf(ts[i]! + 5e-5) - truncated.cdf(ts[i]! - 5e-5));
    expect(truncated.mean()).toBeCloseTo(mean, 8);
  });

  it('is a privacy loss: E[e^{−T}] = 1 (the output density of the mechanism integrates to 1)', () => {
    const prv = new SampledGaussianPrv(0.05, 1.0);
    // E[e^{−T}] = ∫ e^{−t} dF(t) = [e^{−t}F]  + ∫ e^{−t} F(t) dt over the support
    const lo = Math.log(0.95);
    const hi = 30;
    const value = Math.exp(-hi) * prv.cdf(hi) + integrate((t) => Math.exp(-t) * prv.cdf(t), lo, hi);
    expect(value).toBeCloseTo(1, 9);
  });
});
