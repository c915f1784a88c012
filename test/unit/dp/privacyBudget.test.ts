import { describe, expect, it } from 'vitest';
import { assertWithinBudget, checkBudget } from '../../../src-main/dp/privacyBudget';
import { privacySpent } from '../../../src-main/dp/privacySpent';

const seg = (steps: number) => ({
  samplingRate: 0.04,
  noiseMultiplier: 1.5,
  clipNorm: 1,
  unitCount: 1000,
  steps,
});

describe('dataset privacy budget', () => {
  it('composes runs on one dataset: two runs of 1125 steps spend what one run of 2250 does', () => {
    const budget = { epsilon: 10, delta: 1e-5 };
    const check = checkBudget(budget, [[seg(1125)]], [seg(1125)]);
    // opacus/tests/accountants_test.py test_rdp_accountant: 2250 steps → RDP ε 7.329 (PRV is lower).
    expect(check.afterRun.epsilon).toBeCloseTo(privacySpent([seg(2250)], 1e-5).epsilon, 9);
    expect(check.afterRun.rdpEpsilon).toBeCloseTo(7.32911117143, 6);
    expect(check.spent.epsilon).toBeLessThan(check.afterRun.epsilon);
    expect(check.allowed).toBe(true);
    expect(check.remainingAfterRun).toBeCloseTo(10 - check.afterRun.epsilon, 9);
  });

  it('refuses a run that would exceed the budget, saying by how much and what to do', () => {
    const check = checkBudget({ epsilon: 5, delta: 1e-5 }, [[seg(1125)]], [seg(1125)]);
    expect(check.allowed).toBe(false);
    expect(() => assertWithinBudget(check, 'cardiology notes')).toThrow(/over its budget of ε = 5/);
  });

  it('a first run on a fresh dataset starts from zero', () => {
    const check = checkBudget({ epsilon: 8, delta: 1e-5 }, [], [seg(100)]);
    expect(check.spent.epsilon).toBe(0);
    expect(check.allowed).toBe(true);
    expect(() => assertWithinBudget(check, 'x')).not.toThrow();
  });
});
