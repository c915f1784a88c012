/**
 * Small pieces of the audit: Levenshtein distance (known values: kitten → sitting = 3),
 * verdict thresholds at their boundaries, ROC down-sampling, redaction of examples, and the
 * one-run ε lower bound (Steinke, Nasr, Jagielski 2023) built from scores: perfect
 * separation gives a large bound, random scores a small one, and a bound above the
 * theoretical ε fails loudly.
 */
import { describe, expect, it } from 'vitest';
import { AuditRedactor } from '../../../src-main/audit/auditRedactor.js';
import { seededAuditRandom } from '../../../src-main/audit/auditRandom.js';
import { editDistance, normalisedEditDistance } from '../../../src-main/audit/editDistance.js';
import { oneRunEpsilonLowerBound, rocCurve } from '../../../src-main/audit/metrics/index.js';
import { GUESS_FRACTIONS, oneRunCeiling, oneRunLowerBound } from '../../../src-main/audit/oneRunAudit.js';
import { downsampleRoc } from '../../../src-main/audit/rocPoints.js';
import {
  canaryVerdict,
  aucStandardError,
  membershipVerdict,
  oneRunVerdict,
  rateVerdict,
  thresholdDescriptions,
  worstVerdict,
} from '../../../src-main/audit/verdicts.js';

describe('edit distance', () => {
  it('Levenshtein known values', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('flaw', 'lawn')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance([1, 2, 3], [1, 3])).toBe(1);
    expect(normalisedEditDistance('kitten', 'sitting')).toBeCloseTo(3 / 7, 12);
    expect(normalisedEditDistance('', '')).toBe(0);
  });
});

describe('verdicts', () => {
  it('apply the documented thresholds at their boundaries', () => {
    expect(membershipVerdict(0.55, 0.05)).toBe('pass');
    expect(membershipVerdict(0.551, 0.0)).toBe('warn');
    expect(membershipVerdict(0.5, 0.06)).toBe('warn');
    expect(membershipVerdict(0.6, 0.1)).toBe('warn');
    expect(membershipVerdict(0.61, 0)).toBe('fail');
    expect(membershipVerdict(0.5, 0.2)).toBe('fail');
    // with sample sizes (issue 18): pass needs the UPPER 95% bound below the threshold
    // (Hanley & McNeil 1982: AUC 0.6 with 40 + 40 has SE ≈ 0.063, interval ≈ [0.48, 0.72]),
    // and TPR at 1% FPR needs ≥ 100 non-members: thin evidence is inconclusive, never a pass
    expect(membershipVerdict(0.6, 0.2, { members: 40, nonMembers: 40 })).toBe('inconclusive');
    expect(membershipVerdict(0.6, 0.2, { members: 400, nonMembers: 400 })).toBe('fail');
    expect(membershipVerdict(0.9, 0, { members: 40, nonMembers: 40 })).toBe('fail');
    expect(canaryVerdict([1, 2], 8)).toBe('pass');
    expect(canaryVerdict([1, 3], 8)).toBe('warn');
    expect(canaryVerdict([5], 8)).toBe('fail');
    expect(rateVerdict(0.01, 0.01, 0.05)).toBe('pass');
    expect(rateVerdict(0.02, 0.01, 0.05)).toBe('warn');
    expect(rateVerdict(0.2, 0.01, 0.05)).toBe('fail');
    expect(oneRunVerdict(2.1, 2)).toBe('fail');
    expect(oneRunVerdict(1.9, 2)).toBe('pass');
    expect(oneRunVerdict(0.4, null)).toBe('pass');
    expect(oneRunVerdict(3, null)).toBe('fail');
    expect(worstVerdict(['pass', 'warn', 'pass'])).toBe('warn');
    expect(worstVerdict(['pass', 'fail', 'warn'])).toBe('fail');
    expect(worstVerdict([])).toBe('pass');
    expect(Object.keys(thresholdDescriptions())).toEqual(
      expect.arrayContaining([
        'membership',
        'canaries',
        'extraction',
        'piiLeakage',
        'epsilonLowerBound',
        'backdoor',
      ]),
    );
  });
});

describe('ROC down-sampling', () => {
  it('keeps at most 200 points, both ends, monotone rates and the low-FPR region', () => {
    const r = seededAuditRandom(3);
    const members = Array.from({ length: 1000 }, () => r.nextInt(1e6) + 2e5);
    const non = Array.from({ length: 1000 }, () => r.nextInt(1e6));
    const curve = rocCurve(members, non);
    expect(curve.fpr.length).toBeGreaterThan(200);
    const d = downsampleRoc(curve);
    expect(d.fpr.length).toBeLessThanOrEqual(200);
    expect([d.fpr[0], d.tpr[0]]).toEqual([0, 0]);
    expect([d.fpr.at(-1), d.tpr.at(-1)]).toEqual([1, 1]);
    for (let i = 1; i < d.fpr.length; i++) {
      expect(d.fpr[i]!).toBeGreaterThanOrEqual(d.fpr[i - 1]!);
      expect(d.tpr[i]!).toBeGreaterThanOrEqual(d.tpr[i - 1]!);
    }
    // low-FPR detail: at least 20 points with FPR ≤ 1%
    expect(d.fpr.filter((f) => f <= 0.01).length).toBeGreaterThanOrEqual(20);
    const small = rocCurve([1, 2], [0]);
    expect(downsampleRoc(small)).toEqual({ fpr: [...small.fpr], tpr: [...small.tpr] });
  });
});

describe('redaction of examples', () => {
  it('replaces known values (longest first) and what the PII recognisers find', () => {
    const redactor = new AuditRedactor([
      { value: 'Esther', type: 'NAME' },
      { value: 'Esther Batista', type: 'NAME' },
      { value: '4829-1177', type: 'CANARY' },
    ]);
    const out = redactor.redact('Esther Batista, code 4829-1177, call 221-062-2405 or esther_b@hotmail.com');
    expect(out).not.toMatch(/Esther|Batista|4829|221-062|hotmail/);
    expect(out).toContain('[NAME]');
    expect(out).toContain('[CANARY]');
    expect(out).toContain('[EMAIL]');
  });
});

describe('one-run ε lower bound from scores', () => {
  const scores = (count: number, separation: number, seed: number) => {
    const r = seededAuditRandom(seed);
    const included: number[] = [];
    const excluded: number[] = [];
    for (let i = 0; i < count; i++) {
      const noise = r.nextInt(1_000_000) / 1_000_000;
      if (r.nextInt(2) === 1) included.push(noise + separation);
      else excluded.push(noise);
    }
    return { included, excluded };
  };

  it('perfect separation of 1000 examples: the best r over the grid, each at confidence 1 − 0.05/|grid|', () => {
    const { included, excluded } = scores(1000, 2, 1);
    const res = oneRunLowerBound(included, excluded, {
      delta: 1e-5,
      theoreticalEpsilon: null,
      score: 'loss',
    });
    const m = included.length + excluded.length;
    expect(res.m).toBe(m);
    // every guess right, up to the imbalance of the coin flips when all examples are guessed
    expect(res.guesses - res.correct).toBeLessThanOrEqual(Math.abs(included.length - excluded.length));
    const perTest = 1 - 0.05 / GUESS_FRACTIONS.length;
    const expected = Math.max(
      ...GUESS_FRACTIONS.map((f) => {
        const half = Math.max(1, Math.floor((f * m) / 2));
        // with perfect separation the top `half` are in and the bottom `half` out, unless
        // there are fewer than `half` of either
        const v = Math.min(half, included.length) + Math.min(half, excluded.length);
        return oneRunEpsilonLowerBound({ m, r: 2 * half, v }, { delta: 1e-5, confidence: perTest });
      }),
    );
    expect(res.epsilonLowerBound).toBeCloseTo(expected, 6);
    expect(res.epsilonLowerBound).toBeGreaterThan(3);
    expect(res.verdict).toBe('fail'); // non-private and clearly leaking
  });

  it('scores unrelated to membership give a small bound that passes', () => {
    const { included, excluded } = scores(1000, 0, 2);
    const res = oneRunLowerBound(included, excluded, { delta: 1e-5, theoreticalEpsilon: 4, score: 'loss' });
    expect(res.epsilonLowerBound).toBeLessThan(0.5);
    expect(res.verdict).toBe('pass');
    expect(res.explanation).toMatch(/Consistent with the guarantee/);
  });

  it('reports its ceiling; below the claimed ε the audit is "not informative" and names an audit-grade m (issue 18)', () => {
    // the demo's 32 canaries: even perfect guessing cannot show more than ε ≈ 1.8 (the paper's
    // Figure 1: with few examples the bound saturates far below typical ε)
    const { included, excluded } = scores(32, 10, 4);
    const res = oneRunLowerBound(included, excluded, { delta: 1e-5, theoreticalEpsilon: 3, score: 'loss' });
    expect(res.ceiling!).toBeLessThan(2);
    expect(res.ceiling!).toBeGreaterThanOrEqual(res.epsilonLowerBound);
    expect(res.ceiling).toBeCloseTo(oneRunCeiling(32, 1e-5, 0.95), 12);
    expect(res.informative).toBe(false);
    expect(res.verdict).toBe('inconclusive');
    expect(res.explanation).toMatch(/Not informative/);
    expect(res.suggestedM!).toBeGreaterThanOrEqual(1000);
    expect(oneRunCeiling(res.suggestedM!, 1e-5, 0.95)).toBeGreaterThan(3);
    // the ceiling grows with m (ε ≈ 5.2 at 1,000 examples)
    expect(oneRunCeiling(1000, 1e-5, 0.95)).toBeGreaterThan(oneRunCeiling(100, 1e-5, 0.95));
    // at 1,000 examples and ε = 4 the audit can fail, so it is informative
    const big = scores(1000, 0, 2);
    const ok = oneRunLowerBound(big.included, big.excluded, {
      delta: 1e-5,
      theoreticalEpsilon: 4,
      score: 'loss',
    });
    expect(ok.informative).toBe(true);
  });

  it('a bound above the theoretical ε fails loudly', () => {
    const { included, excluded } = scores(1000, 2, 3);
    const res = oneRunLowerBound(included, excluded, { delta: 1e-5, theoreticalEpsilon: 1, score: 'rmia' });
    expect(res.epsilonLowerBound).toBeGreaterThan(1);
    expect(res.verdict).toBe('fail');
    expect(res.explanation).toMatch(/DP IMPLEMENTATION ERROR/);
    expect(res.score).toBe('rmia');
  });
});

describe('aucStandardError (Hanley & McNeil 1982)', () => {
  it("matches the paper's worked example and shrinks with the sample", () => {
    // Hanley & McNeil 1982's CT example: 51 abnormal and 58 normal subjects, area 0.893,
    // standard error 0.032
    expect(aucStandardError(0.893, 51, 58)).toBeCloseTo(0.032, 2);
    expect(aucStandardError(0.7, 400, 400)).toBeLessThan(aucStandardError(0.7, 40, 40));
  });
});
