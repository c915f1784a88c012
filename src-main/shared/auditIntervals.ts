/**
 * 95% intervals for the audit's numbers, so a reader sees how far a figure measured on a few
 * hundred notes can be trusted. Pure functions, shared by the Audit screen and its tests.
 *
 * - AUC: Hanley & McNeil (1982), "The meaning and use of the area under a receiver operating
 *   characteristic (ROC) curve", Radiology 143: standard error from the AUC and the two
 *   sample sizes (their equation 2), normal approximation, clipped to [0, 1].
 * - A rate such as the true-positive rate at 1% false positives: the Wilson (1927) score
 *   interval, as compared in Newcombe (1998), "Two-sided confidence intervals for the single
 *   proportion", Statistics in Medicine 17 (method 3).
 */
const Z95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

export function aucInterval(auc: number, positives: number, negatives: number): Interval | null {
  if (positives < 1 || negatives < 1) return null;
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const variance =
    (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) /
    (positives * negatives);
  const se = Math.sqrt(Math.max(0, variance));
  return { low: Math.max(0, auc - Z95 * se), high: Math.min(1, auc + Z95 * se) };
}

export function wilsonInterval(successes: number, trials: number): Interval | null {
  if (trials < 1) return null;
  const p = successes / trials;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (Z95 / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
