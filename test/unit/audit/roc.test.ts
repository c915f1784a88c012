/**
 * ROC metrics against scikit-learn's documented examples (sklearn.metrics.roc_curve and
 * roc_auc_score docstrings), the example of google-deepmind/jax_privacy auditing_test.py
 * (test_attack_auroc_simple), hand-computed tie cases, and the identity
 * AUC = Mann–Whitney U / (n₊ n₋) with ties counted ½ (Hanley & McNeil 1982) against a brute-force
 * pairwise count.
 */
import { describe, expect, it } from 'vitest';
import {
  bestBalancedAccuracy,
  membershipMetrics,
  rocAuc,
  rocCurve,
  tprAtFpr,
} from '../../../src-main/audit/metrics/index.js';
import { isConfidantError } from '../../../src-main/shared/confidantError.js';
import { seededRandom } from './seededRandom.js';

/** Slow reference: P[member score > non-member score] + ½ P[tie], over all pairs. */
function mannWhitneyAuc(members: number[], nonmembers: number[]): number {
  let wins = 0;
  for (const a of members) for (const b of nonmembers) wins += a > b ? 1 : a === b ? 0.5 : 0;
  return wins / (members.length * nonmembers.length);
}

/** Slow reference: max over every threshold t (flag "score ≥ t") of (TPR + TNR) / 2. */
function bruteForceBalancedAccuracy(members: number[], nonmembers: number[]): number {
  let best = 0;
  for (const t of [Number.POSITIVE_INFINITY, ...members, ...nonmembers]) {
    const tpr = members.filter((s) => s >= t).length / members.length;
    const tnr = nonmembers.filter((s) => s < t).length / nonmembers.length;
    best = Math.max(best, (tpr + tnr) / 2);
  }
  return best;
}

describe('rocCurve', () => {
  it('reproduces the roc_curve docstring example of scikit-learn', () => {
    // y = [1, 1, 2, 2], scores = [0.1, 0.4, 0.35, 0.8], pos_label = 2.
    const curve = rocCurve([0.35, 0.8], [0.1, 0.4]);
    expect(curve.fpr).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(curve.tpr).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(curve.thresholds).toEqual([Number.POSITIVE_INFINITY, 0.8, 0.4, 0.35, 0.1]);
  });

  it('groups tied scores into one point at that threshold', () => {
    const curve = rocCurve([0.5, 0.5, 0.9], [0.5, 0.1]);
    expect(curve.thresholds).toEqual([Number.POSITIVE_INFINITY, 0.9, 0.5, 0.1]);
    expect(curve.truePositives).toEqual([0, 1, 3, 3]);
    expect(curve.falsePositives).toEqual([0, 0, 1, 2]);
  });

  it('starts at (0, 0) and ends at (1, 1), both rates non-decreasing', () => {
    const rng = seededRandom(7);
    const members = Array.from({ length: 300 }, () => Math.round(rng.normal() * 10) / 10 + 0.5);
    const nonmembers = Array.from({ length: 500 }, () => Math.round(rng.normal() * 10) / 10);
    const curve = rocCurve(members, nonmembers);
    expect([curve.fpr[0], curve.tpr[0]]).toEqual([0, 0]);
    expect([curve.fpr.at(-1), curve.tpr.at(-1)]).toEqual([1, 1]);
    for (let i = 1; i < curve.fpr.length; i++) {
      expect(curve.fpr[i]!).toBeGreaterThanOrEqual(curve.fpr[i - 1]!);
      expect(curve.tpr[i]!).toBeGreaterThanOrEqual(curve.tpr[i - 1]!);
      expect(curve.thresholds[i]!).toBeLessThan(curve.thresholds[i - 1]!);
    }
    // One point per distinct score, plus (0, 0).
    expect(curve.thresholds.length).toBe(new Set([...members, ...nonmembers]).size + 1);
  });

  it('rejects empty and non-finite score lists with a ConfidantError', () => {
    const thrown = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(isConfidantError(thrown(() => rocCurve([], [1])))).toBe(true);
    expect(isConfidantError(thrown(() => rocCurve([1], [])))).toBe(true);
    expect(isConfidantError(thrown(() => rocCurve([1, Number.NaN], [0])))).toBe(true);
    expect(isConfidantError(thrown(() => rocCurve([1], [Number.POSITIVE_INFINITY])))).toBe(true);
  });
});

describe('rocAuc', () => {
  it('matches the roc_auc_score docstring example of scikit-learn (0.75)', () => {
    // y_true = [0, 0, 1, 1], y_scores = [0.1, 0.4, 0.35, 0.8] → 0.75.
    expect(rocAuc(rocCurve([0.35, 0.8], [0.1, 0.4]))).toBe(0.75);
  });

  it('gives 11/16 on the jax_privacy example, whose 13/16 is the area under the convex hull', () => {
    // Members [0, 4, 6, 7] vs non-members [1, 2, 3, 5]: 0 + 3 + 4 + 4 = 11 of 16 pairs won.
    // jax_privacy's attack_auroc reports 13/16 because it integrates the ROC convex hull
    // (test_attack_auroc_simple); sklearn's empirical curve, which we follow, gives 11/16.
    expect(rocAuc(rocCurve([0, 4, 6, 7], [1, 2, 3, 5]))).toBeCloseTo(11 / 16, 15);
  });

  it('counts ties as one half (hand-computed 5/6)', () => {
    expect(rocAuc(rocCurve([0.5, 0.5, 0.9], [0.5, 0.1]))).toBeCloseTo(5 / 6, 15);
    // All scores equal: a coin flip.
    expect(rocAuc(rocCurve([1, 1, 1], [1, 1]))).toBe(0.5);
  });

  it('equals the Mann–Whitney U statistic with ties ½, on tie-heavy random scores', () => {
    const rng = seededRandom(2024);
    for (let trial = 0; trial < 20; trial++) {
      const nMembers = 1 + Math.floor(rng.uniform() * 200);
      const nNonmembers = 1 + Math.floor(rng.uniform() * 200);
      const shift = rng.uniform();
      const members = Array.from({ length: nMembers }, () => Math.round(rng.normal() * 4 + shift * 4) / 4);
      const nonmembers = Array.from({ length: nNonmembers }, () => Math.round(rng.normal() * 4) / 4);
      expect(rocAuc(rocCurve(members, nonmembers))).toBeCloseTo(mannWhitneyAuc(members, nonmembers), 12);
    }
  });

  it('is 1 for perfect separation, 0 for perfectly wrong scores, and AUC(a,b) + AUC(b,a) = 1', () => {
    expect(rocAuc(rocCurve([3, 4, 5], [0, 1, 2]))).toBe(1);
    expect(rocAuc(rocCurve([0, 1, 2], [3, 4, 5]))).toBe(0);
    const rng = seededRandom(11);
    const a = Array.from({ length: 97 }, () => Math.round(rng.normal() * 3));
    const b = Array.from({ length: 61 }, () => Math.round(rng.normal() * 3 + 1));
    expect(rocAuc(rocCurve(a, b)) + rocAuc(rocCurve(b, a))).toBeCloseTo(1, 14);
  });
});

describe('tprAtFpr', () => {
  // Non-members score 1..1000; members 1000.5, 999.5, 998.5 and 500 (tied with a non-member).
  const nonmembers = Array.from({ length: 1000 }, (_, i) => i + 1);
  const members = [1000.5, 999.5, 998.5, 500];
  const curve = rocCurve(members, nonmembers);

  it('takes the largest TPR among points with FPR ≤ target, boundary included', () => {
    expect(tprAtFpr(curve, 0)).toBe(0.25); // threshold 1000.5: one member, no non-member
    expect(tprAtFpr(curve, 0.001)).toBe(0.5); // FPR exactly 1/1000 qualifies
    expect(tprAtFpr(curve, 0.0019)).toBe(0.5);
    expect(tprAtFpr(curve, 0.002)).toBe(0.75);
    expect(tprAtFpr(curve, 0.1)).toBe(0.75);
    expect(tprAtFpr(curve, 0.5)).toBe(0.75); // the tie at 500 is reached only at FPR 501/1000
    expect(tprAtFpr(curve, 0.501)).toBe(1);
  });

  it('is non-decreasing in the target and at least the target-free floor 0', () => {
    let previous = 0;
    for (const target of [0, 1e-4, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.9, 1]) {
      const value = tprAtFpr(curve, target);
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
    }
    expect(tprAtFpr(rocCurve([0], [1]), 0.5)).toBe(0);
  });
});

describe('bestBalancedAccuracy', () => {
  it('is 0.75 on the scikit-learn example and 1 for perfect separation', () => {
    expect(bestBalancedAccuracy(rocCurve([0.35, 0.8], [0.1, 0.4]))).toBe(0.75);
    expect(bestBalancedAccuracy(rocCurve([3, 4], [1, 2]))).toBe(1);
  });

  it('equals a brute-force search over every threshold', () => {
    const rng = seededRandom(99);
    for (let trial = 0; trial < 10; trial++) {
      const members = Array.from({ length: 80 }, () => Math.round(rng.normal() * 5 + 2) / 5);
      const nonmembers = Array.from({ length: 120 }, () => Math.round(rng.normal() * 5) / 5);
      expect(bestBalancedAccuracy(rocCurve(members, nonmembers))).toBeCloseTo(
        bruteForceBalancedAccuracy(members, nonmembers),
        14,
      );
    }
  });
});

describe('membershipMetrics', () => {
  it('reports AUC, balanced accuracy and TPR at 0.1%, 1%, 10% FPR', () => {
    const m = membershipMetrics([0.35, 0.8], [0.1, 0.4]);
    expect(m.auc).toBe(0.75);
    expect(m.balancedAccuracy).toBe(0.75);
    expect(m.tprAtFpr).toEqual({ '0.001': 0.5, '0.01': 0.5, '0.1': 0.5 });
  });

  it('gives TPR ≈ FPR for scores that carry no signal (large seeded sample, ±0.02)', () => {
    const rng = seededRandom(5);
    const members = Array.from({ length: 20000 }, () => rng.normal());
    const nonmembers = Array.from({ length: 20000 }, () => rng.normal());
    const m = membershipMetrics(members, nonmembers);
    expect(m.auc).toBeGreaterThan(0.49);
    expect(m.auc).toBeLessThan(0.51);
    expect(m.tprAtFpr['0.1']).toBeGreaterThan(0.08);
    expect(m.tprAtFpr['0.1']).toBeLessThan(0.12);
    expect(m.tprAtFpr['0.001']).toBeLessThan(0.005);
  });
});
