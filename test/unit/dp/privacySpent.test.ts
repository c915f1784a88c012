// ε of a ledger is reported by both accountants and the larger one is charged.
// Reference: opacus/tests/accountants_test.py, test_rdp_accountant (σ 1.5, q 0.04,
// 2250 steps, δ 1e-5 → RDP ε = 7.32911117143).
import { describe, expect, it } from 'vitest';
import { PrivacyLedger } from '../../../src-main/dp/privacyLedger';
import { privacySpent } from '../../../src-main/dp/privacySpent';

describe('privacySpent', () => {
  it('reproduces Opacus’s RDP value from a ledger and charges max(RDP, PRV)', () => {
    const ledger = new PrivacyLedger('r', 'record', 1e-5);
    for (let i = 0; i < 2250; i += 1)
      ledger.record({ samplingRate: 0.04, noiseMultiplier: 1.5, clipNorm: 1, unitCount: 1000 });
    const spent = privacySpent(ledger.history(), 1e-5);
    expect(spent.steps).toBe(2250);
    expect(spent.rdpEpsilon).toBeCloseTo(7.32911117143, 6);
    expect(spent.prvEpsilon).not.toBeNull();
    expect(spent.prvEpsilon!).toBeLessThan(spent.rdpEpsilon); // PRV is tighter here (Opacus: ≈ 6.78)
    expect(spent.epsilon).toBe(Math.max(spent.rdpEpsilon, spent.prvEpsilon!));
  });

  it('composes a heterogeneous ledger: more steps never cost less', () => {
    const ledger = new PrivacyLedger('r', 'patient', 1e-6);
    const before: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      ledger.record({
        samplingRate: i < 30 ? 0.01 : 0.02,
        noiseMultiplier: 1.1,
        clipNorm: 1,
        unitCount: 5000,
      });
      if (i % 20 === 19) before.push(privacySpent(ledger.history(), 1e-6).epsilon);
    }
    expect(before[1]!).toBeGreaterThan(before[0]!);
    expect(before[2]!).toBeGreaterThan(before[1]!);
  });

  it('spends nothing for an empty ledger', () => {
    expect(privacySpent([], 1e-5).epsilon).toBe(0);
  });
});
