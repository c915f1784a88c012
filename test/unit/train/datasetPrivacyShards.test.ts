/**
 * Parallel composition of a sharded run's ledgers (McSherry 2009, "Privacy Integrated
 * Queries", Thm. 4): shards of one partition see disjoint units, so the dataset spends the
 * worst shard's ε, not the sum; a shard retrained (unlearning) composes sequentially with its
 * own earlier run; other runs compose with every shard. Checked against Opacus's published
 * RDP values (opacus/tests/accountants_test.py: q = 0.04, σ = 1.5, δ = 1e-5, 2250 steps →
 * ε_RDP = 7.3291), not against this code.
 */
import { describe, expect, it } from 'vitest';
import { privacySpent } from '../../../src-main/dp/privacySpent.js';
import { unitLedgers, worstUnitSpent, type RunCharge } from '../../../src-main/train/datasetPrivacy.js';

const seg = (steps: number) => ({
  samplingRate: 0.04,
  noiseMultiplier: 1.5,
  clipNorm: 1,
  unitCount: 1000,
  steps,
});
const shard = (index: number, steps: number, partition = 'd/record/4/0'): RunCharge => ({
  segments: [seg(steps)],
  shard: { partition, index },
});

describe('dataset privacy with sharded runs', () => {
  it('shards of one partition compose in parallel: the worst shard, not the sum', () => {
    const spent = worstUnitSpent([shard(0, 1125), shard(1, 2250), shard(2, 1125), shard(3, 100)], 1e-5);
    expect(spent.rdpEpsilon).toBeCloseTo(7.32911117143, 6); // the 2250-step shard alone
    expect(spent.steps).toBe(2250);
  });

  it('a retrained shard composes with its earlier run (1125 + 1125 = 2250 steps)', () => {
    const spent = worstUnitSpent([shard(0, 1125), shard(1, 1125), shard(1, 1125)], 1e-5);
    expect(spent.rdpEpsilon).toBeCloseTo(7.32911117143, 6);
  });

  it('unsharded runs compose with every shard', () => {
    const spent = worstUnitSpent([{ segments: [seg(1125)] }, shard(0, 1125), shard(1, 500)], 1e-5);
    expect(spent.rdpEpsilon).toBeCloseTo(7.32911117143, 6);
    expect(unitLedgers([{ segments: [seg(1)] }, shard(0, 2), shard(1, 3)]).map((l) => l.length)).toEqual([
      2, 2,
    ]);
  });

  it('two partitions: the worst combination of one shard from each', () => {
    const charges = [shard(0, 1000, 'p'), shard(1, 1125, 'p'), shard(0, 1125, 'q'), shard(1, 10, 'q')];
    expect(unitLedgers(charges)).toHaveLength(4);
    expect(worstUnitSpent(charges, 1e-5).rdpEpsilon).toBeCloseTo(7.32911117143, 6);
  });

  it('too many combinations fall back to sequential composition (an upper bound)', () => {
    const charges = ['a', 'b', 'c'].flatMap((p) => Array.from({ length: 8 }, (_, i) => shard(i, 10, p)));
    const ledgers = unitLedgers(charges);
    expect(ledgers).toHaveLength(1);
    expect(worstUnitSpent(charges, 1e-5).epsilon).toBeCloseTo(privacySpent([seg(240)], 1e-5).epsilon, 9);
  });

  it('no charges spend nothing', () => {
    expect(worstUnitSpent([], 1e-5).epsilon).toBe(0);
  });
});
