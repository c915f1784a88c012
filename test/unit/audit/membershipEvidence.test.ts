/**
 * Membership verdicts judged with their evidence (issue 18): the AUC's 95% interval by
 * Hanley & McNeil 1982 (their Table 1 example: AUC 0.893 with 51 + 58 cases, SE 0.032), the
 * TPR's by Wilson's score interval (Wilson 1927; e.g. 0 of 10 → upper 0.278, a textbook
 * value), pass only when the upper bounds are below the thresholds, and neededPerSide the
 * smallest equal sample that settles the verdict.
 */
import { describe, expect, it } from 'vitest';
import { membershipEvidence } from '../../../src-main/audit/membershipEvidence.js';
import { membershipSampleVerdict, wilsonInterval, worstVerdict } from '../../../src-main/audit/verdicts.js';

describe('membership evidence', () => {
  it('interval from Hanley & McNeil’s worked example', () => {
    const e = membershipEvidence({ auc: 0.893, members: 51, nonMembers: 58 });
    expect(e.aucUpper95 - e.aucLower95).toBeCloseTo(2 * 1.96 * 0.032, 2);
    expect(e.verdict).toBe('fail');
  });

  it('Wilson interval: 0 of 10 → [0, 0.2775]; 5 of 10 → [0.2366, 0.7634]', () => {
    expect(wilsonInterval(0, 10).upper).toBeCloseTo(0.2775, 3);
    expect(wilsonInterval(0.5, 10).lower).toBeCloseTo(0.2366, 3);
    expect(wilsonInterval(0.5, 10).upper).toBeCloseTo(0.7634, 3);
  });

  it('no AUC passes at 43 + 43 when its upper bound reaches 0.55; every AUC in [0.5, 0.665] is inconclusive', () => {
    for (let auc = 0.5; auc <= 0.665; auc += 0.005) {
      const e = membershipEvidence({ auc, members: 43, nonMembers: 43 });
      expect(e.aucUpper95).toBeGreaterThan(0.55);
      expect(e.verdict).not.toBe('pass');
    }
  });

  it('neededPerSide is the smallest equal sample that settles the verdict', () => {
    for (const auc of [0.5, 0.53, 0.58, 0.603, 0.62]) {
      const e = membershipEvidence({ auc, members: 43, nonMembers: 43 });
      const n = e.neededPerSide!;
      expect(membershipSampleVerdict(auc, n, n)).not.toBe('inconclusive');
      expect(membershipSampleVerdict(auc, n - 1, n - 1)).toBe('inconclusive');
    }
    // exactly on the pass threshold no sample size settles it
    expect(membershipEvidence({ auc: 0.55, members: 43, nonMembers: 43 }).neededPerSide).toBeNull();
  });

  it('inconclusive ranks between pass and warn when attacks are combined', () => {
    expect(worstVerdict(['pass', 'inconclusive'])).toBe('inconclusive');
    expect(worstVerdict(['inconclusive', 'warn'])).toBe('warn');
  });
});
