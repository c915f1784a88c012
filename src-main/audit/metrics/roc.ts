/**
 * ROC metrics for membership-inference scores (higher score = more likely a member).
 *
 * The curve is built as scikit-learn's `roc_curve` builds it (sklearn.metrics._ranking,
 * `_binary_clf_curve`): scores sorted in decreasing order, tied scores grouped, one point per
 * distinct score value (threshold "score ≥ t" flags a member), preceded by the point (0, 0)
 * at threshold +∞. Collinear points are kept, i.e. `drop_intermediate=False`: dropping them
 * would change TPR at a fixed FPR. AUC is the trapezoid rule over this curve, which equals the
 * Mann–Whitney U statistic / (n₊ n₋) with ties counted ½ (Hanley & McNeil, Radiology 143, 1982).
 * TPR at a target FPR is the largest TPR among points with FPR ≤ target, the low-FPR metric of
 * Carlini et al., "Membership Inference Attacks From First Principles", IEEE S&P 2022.
 */
import { ConfidantError } from '../../shared/confidantError.js';

export interface RocCurve {
  /** False-positive rate at each threshold, non-decreasing from 0 to 1. */
  readonly fpr: readonly number[];
  /** True-positive rate at each threshold, non-decreasing from 0 to 1. */
  readonly tpr: readonly number[];
  /** Decreasing thresholds; thresholds[0] = +∞ gives the point (0, 0). */
  readonly thresholds: readonly number[];
  /** Counts behind the rates, so AUC can be summed exactly. */
  readonly falsePositives: readonly number[];
  readonly truePositives: readonly number[];
  readonly memberCount: number;
  readonly nonmemberCount: number;
}

/** The FPR targets the audit reports, as in Carlini et al. 2022. */
export const REPORTED_FPR_TARGETS = [0.001, 0.01, 0.1] as const;

export interface MembershipMetrics {
  readonly roc: RocCurve;
  readonly auc: number;
  readonly balancedAccuracy: number;
  readonly tprAtFpr: Readonly<Record<'0.001' | '0.01' | '0.1', number>>;
}

function checkScores(scores: readonly number[], what: string): void {
  if (scores.length === 0) {
    throw new ConfidantError('audit.no-scores', `no ${what} scores were given`, {
      hint: `pass at least one ${what} score`,
    });
  }
  const bad = scores.findIndex((s) => !Number.isFinite(s));
  if (bad >= 0) {
    throw new ConfidantError('audit.invalid-score', `${what} score #${bad} is ${String(scores[bad])}`, {
      hint: 'scores must be finite numbers',
    });
  }
}

export function rocCurve(memberScores: readonly number[], nonmemberScores: readonly number[]): RocCurve {
  checkScores(memberScores, 'member');
  checkScores(nonmemberScores, 'non-member');
  const labelled = [
    ...memberScores.map((score) => ({ score, member: true })),
    ...nonmemberScores.map((score) => ({ score, member: false })),
  ].sort((x, y) => y.score - x.score);
  const thresholds = [Number.POSITIVE_INFINITY];
  const truePositives = [0];
  const falsePositives = [0];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < labelled.length; i++) {
    const item = labelled[i]!;
    if (item.member) tp++;
    else fp++;
    const next = labelled[i + 1];
    if (next === undefined || next.score !== item.score) {
      thresholds.push(item.score);
      truePositives.push(tp);
      falsePositives.push(fp);
    }
  }
  const memberCount = memberScores.length;
  const nonmemberCount = nonmemberScores.length;
  return {
    fpr: falsePositives.map((c) => c / nonmemberCount),
    tpr: truePositives.map((c) => c / memberCount),
    thresholds,
    falsePositives,
    truePositives,
    memberCount,
    nonmemberCount,
  };
}

/** Area under the curve by the trapezoid rule, summed over integer counts. */
export function rocAuc(curve: RocCurve): number {
  let twiceArea = 0;
  for (let i = 1; i < curve.thresholds.length; i++) {
    const width = curve.falsePositives[i]! - curve.falsePositives[i - 1]!;
    twiceArea += width * (curve.truePositives[i]! + curve.truePositives[i - 1]!);
  }
  return twiceArea / (2 * curve.memberCount * curve.nonmemberCount);
}

/** Largest TPR among the curve's points with FPR ≤ target (0 if only (0, 0) qualifies). */
export function tprAtFpr(curve: RocCurve, targetFpr: number): number {
  let best = 0;
  for (let i = 0; i < curve.fpr.length; i++) {
    if (curve.fpr[i]! <= targetFpr) best = Math.max(best, curve.tpr[i]!);
  }
  return best;
}

/** Best balanced accuracy over thresholds: max over the curve of (TPR + 1 − FPR) / 2. */
export function bestBalancedAccuracy(curve: RocCurve): number {
  let best = 0;
  for (let i = 0; i < curve.fpr.length; i++) best = Math.max(best, (curve.tpr[i]! + 1 - curve.fpr[i]!) / 2);
  return best;
}

/** Everything the audit reports about one set of membership scores. */
export function membershipMetrics(
  memberScores: readonly number[],
  nonmemberScores: readonly number[],
): MembershipMetrics {
  const roc = rocCurve(memberScores, nonmemberScores);
  return {
    roc,
    auc: rocAuc(roc),
    balancedAccuracy: bestBalancedAccuracy(roc),
    tprAtFpr: {
      '0.001': tprAtFpr(roc, 0.001),
      '0.01': tprAtFpr(roc, 0.01),
      '0.1': tprAtFpr(roc, 0.1),
    },
  };
}
