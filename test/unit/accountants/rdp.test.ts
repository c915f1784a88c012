/**
 * RDP accountant (src-main/accountants/rdp.ts, sampledGaussianRdp.ts, rdpConversion.ts)
 * against the numbers Opacus and TensorFlow Privacy publish, plus invariants.
 */
import { describe, expect, it } from 'vitest';
import { RdpAccountant, createAccountant } from '../../../src-main/accountants/index';
import { epsilonFromRdp } from '../../../src-main/accountants/rdpConversion';
import { DEFAULT_RDP_ORDERS, sampledGaussianRdp } from '../../../src-main/accountants/sampledGaussianRdp';

describe('RDP accountant: published values', () => {
  it('Opacus opacus/tests/accountants_test.py test_rdp_accountant: σ=1.5, q=0.04, 2250 steps, δ=1e-5 → 7.32911117143', () => {
    // steps = int(90 / 0.04) = 2250; assertAlmostEqual(epsilon, 7.32911117143) = 7 places
    const eps = createAccountant('rdp').epsilon(0.04, 1.5, 2250, 1e-5);
    expect(Math.abs(eps - 7.32911117143)).toBeLessThan(5e-8);
    expect(eps).toBeGreaterThanOrEqual(7.329111171435898); // rounded up, never down
  });

  it('Opacus opacus/accountants/analysis/rdp.py module docstring: [(1e-5, 1.0, 10), (1e-4, 3.0, 4)], orders 2..32, δ=1e-5 → (0.336, 23)', () => {
    const orders = Array.from({ length: 31 }, (_, k) => k + 2);
    const spent = new RdpAccountant({ orders }).privacySpent(
      [
        { q: 1e-5, sigma: 1.0, steps: 10 },
        { q: 1e-4, sigma: 3.0, steps: 4 },
      ],
      1e-5,
    );
    expect(spent.epsilon).toBeCloseTo(0.336, 3);
    expect(spent.order).toBe(23);
  });

  // tensorflow/privacy tutorials/README.md ("Expected Output" and "Select Parameters" table) and
  // tutorials/mnist_dpsgd_tutorial.py compute_epsilon: q = 256/60000, steps = epoch·(60000 // 256),
  // orders [1 + x/10 for x in 1..99] + 12..63, δ = 1e-5, CLASSIC conversion ε = rdp − log δ/(α − 1)
  // (privacy/analysis/rdp_accountant.py _compute_eps). Published to 2 decimals.
  const classic = new RdpAccountant({ conversion: 'classic' });
  const tight = new RdpAccountant();
  it.each([
    [1.12, 60, 2.92],
    [1.12, 1, 1.0],
    [1.12, 2, 1.04],
    [1.2, 10, 1.2],
  ])(
    'TF Privacy MNIST tutorial: σ=%f, %i epochs → ε ≈ %f (classic conversion)',
    (sigma, epochs, published) => {
      const eps = classic.epsilon(256 / 60000, sigma, epochs * 234, 1e-5);
      expect(Math.abs(eps - published)).toBeLessThan(0.005);
      // The tight conversion (Balle et al. 2020) certifies a smaller ε for the same run.
      expect(tight.epsilon(256 / 60000, sigma, epochs * 234, 1e-5)).toBeLessThan(eps);
    },
  );

  it('TF Privacy MNIST tutorial table row σ=0.6, 30 epochs publishes 9.74; classic RDP gives 9.747 (agrees within 0.01)', () => {
    const eps = classic.epsilon(256 / 60000, 0.6, 30 * 234, 1e-5);
    expect(Math.abs(eps - 9.74)).toBeLessThan(0.01);
  });

  it('TF Privacy tutorial default (σ=1.12, 60 epochs): tight conversion gives ≈ 2.52 vs 2.92 classic', () => {
    expect(tight.epsilon(256 / 60000, 1.12, 14040, 1e-5)).toBeCloseTo(2.5165, 3);
  });
});

describe('RDP of the sampled Gaussian: invariants', () => {
  it('q = 1 is the plain Gaussian mechanism: RDP(α) = α/(2σ²) (Mironov 2017, Proposition 7)', () => {
    for (const alpha of [1.5, 2, 7.3, 32]) expect(sampledGaussianRdp(1, 2, alpha)).toBeCloseTo(alpha / 8, 14);
  });

  it('small q: RDP(α=2) ≈ log(1 + q²(e^{1/σ²} − 1)) (closed form for α = 2, Mironov et al. 2019 §3.3)', () => {
    for (const [q, sigma] of [
      [0.01, 1],
      [0.1, 2],
      [0.5, 0.7],
    ]) {
      expect(sampledGaussianRdp(q!, sigma!, 2)).toBeCloseTo(
        Math.log1p(q! * q! * Math.expm1(1 / (sigma! * sigma!))),
        13,
      );
    }
  });

  it('rounds up: never below the α = 2 closed form, even where RDP is at rounding level (tiny q, large σ)', () => {
    for (const q of [1e-6, 1e-4, 0.01, 0.3, 0.9]) {
      for (const sigma of [0.5, 1, 10, 100, 1000]) {
        const exact = Math.log1p(q * q * Math.expm1(1 / (sigma * sigma)));
        const got = sampledGaussianRdp(q, sigma, 2);
        expect(got).toBeGreaterThanOrEqual(exact);
        expect(got - exact).toBeLessThan(1e-13 + 1e-12 * exact);
      }
    }
  });

  it('fractional orders interpolate smoothly between integer ones (both series agree at the seam)', () => {
    const at2 = sampledGaussianRdp(0.05, 1.1, 2);
    const near2 = sampledGaussianRdp(0.05, 1.1, 2 + 1e-7);
    expect(Math.abs(near2 - at2) / at2).toBeLessThan(1e-5);
    const at3 = sampledGaussianRdp(0.05, 1.1, 3);
    const below3 = sampledGaussianRdp(0.05, 1.1, 3 - 1e-7);
    expect(Math.abs(below3 - at3) / at3).toBeLessThan(1e-5);
  });

  it('the default order grid is Opacus DEFAULT_ALPHAS (1.1, 1.2, …, 10.9, 12, …, 63)', () => {
    expect(DEFAULT_RDP_ORDERS).toHaveLength(151);
    expect(DEFAULT_RDP_ORDERS[0]).toBe(1.1);
    expect(DEFAULT_RDP_ORDERS[98]).toBe(10.9);
    expect(DEFAULT_RDP_ORDERS[99]).toBe(12);
    expect(DEFAULT_RDP_ORDERS[150]).toBe(63);
  });

  it('ε grows with steps and with q, and falls with σ', () => {
    const rdp = createAccountant('rdp');
    let last = 0;
    for (const steps of [1, 10, 100, 1000, 10000]) {
      const eps = rdp.epsilon(0.01, 1.0, steps, 1e-5);
      expect(eps).toBeGreaterThan(last);
      last = eps;
    }
    last = 0;
    for (const q of [0.001, 0.01, 0.05, 0.2, 1]) {
      const eps = rdp.epsilon(q, 1.0, 100, 1e-5);
      expect(eps).toBeGreaterThan(last);
      last = eps;
    }
    last = Infinity;
    for (const sigma of [0.5, 0.8, 1, 2, 5, 20]) {
      const eps = rdp.epsilon(0.01, sigma, 1000, 1e-5);
      expect(eps).toBeLessThan(last);
      last = eps;
    }
  });

  it('tight conversion never exceeds the classic one at the same order', () => {
    const rdp = DEFAULT_RDP_ORDERS.map((a) => sampledGaussianRdp(0.02, 1.3, a) * 3000);
    const t = epsilonFromRdp(DEFAULT_RDP_ORDERS, rdp, 1e-6, 'tight');
    const c = epsilonFromRdp(DEFAULT_RDP_ORDERS, rdp, 1e-6, 'classic');
    expect(t.epsilon).toBeLessThan(c.epsilon);
  });
});

describe('RDP composition of a heterogeneous history', () => {
  const history = [
    { q: 0.01, sigma: 1.0, steps: 500 },
    { q: 0.02, sigma: 1.5, steps: 300 },
    { q: 0.005, sigma: 0.9, steps: 1200 },
  ];
  const accountant = new RdpAccountant();

  it('the history RDP curve is the sum of steps × per-step RDP, order by order', () => {
    const curve = accountant.rdpOfHistory(history);
    DEFAULT_RDP_ORDERS.forEach((alpha, k) => {
      const manual = history.reduce((sum, s) => sum + s.steps * sampledGaussianRdp(s.q, s.sigma, alpha), 0);
      expect(curve[k]).toBeCloseTo(manual, 10);
    });
    const manualEps = epsilonFromRdp(DEFAULT_RDP_ORDERS, curve, 1e-5).epsilon;
    expect(Math.abs(accountant.epsilonOfHistory(history, 1e-5) - manualEps)).toBeLessThan(1e-9);
  });

  it('splitting a segment or reordering the history changes nothing', () => {
    const split = [history[1]!, { ...history[0]!, steps: 200 }, history[2]!, { ...history[0]!, steps: 300 }];
    expect(accountant.epsilonOfHistory(split, 1e-5)).toBeCloseTo(
      accountant.epsilonOfHistory(history, 1e-5),
      10,
    );
  });

  it('the composed ε lies between the largest single segment and the sum of the segments', () => {
    const total = accountant.epsilonOfHistory(history, 1e-5);
    const parts = history.map((s) => accountant.epsilon(s.q, s.sigma, s.steps, 1e-5));
    expect(total).toBeGreaterThan(Math.max(...parts));
    expect(total).toBeLessThan(parts.reduce((a, b) => a + b, 0));
  });

  it('an empty history has spent nothing', () => {
    expect(accountant.epsilonOfHistory([], 1e-5)).toBe(0);
  });
});
