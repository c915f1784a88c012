/**
 * How much a membership attack's numbers can say, given how many examples it was measured
 * on (issue 18). A verdict passes only when the evidence rules leakage out, not merely when
 * it fails to rule it in: at 43 + 43 examples, judging the AUC by its lower bound let any AUC
 * up to 0.665 pass.
 *
 *   - AUC: 95% interval AUC ± 1.96·SE, SE by Hanley & McNeil 1982 ("The meaning and use of
 *     the area under a ROC curve", Radiology 143, eq. 1).
 *   - TPR at 1% FPR: 95% Wilson score interval over the members (Wilson 1927, JASA 22), and
 *     only with ≥ 100 non-members (below that a 1% false-positive rate cannot be resolved).
 *
 * Verdicts, with the thresholds of verdicts.ts (pass AUC 0.55 / TPR 0.05, warn AUC 0.60 /
 * TPR 0.10):
 *   pass          the AUC's upper bound is below the pass threshold and (when a TPR is given)
 *                 the TPR's upper bound is at or below its pass threshold;
 *   fail          the AUC's lower bound is above the pass threshold and the AUC itself above
 *                 the warn threshold, or the TPR's lower bound is above the warn threshold;
 *   warn          the AUC's lower bound, or the TPR's, is above the pass threshold;
 *   inconclusive  anything else: the interval straddles a threshold. neededPerSide says how
 *                 many members and as many non-members would settle it at the observed values.
 * Pure: numbers in, numbers out.
 */
import {
  Z95,
  aucStandardError,
  membershipSampleVerdict as verdictAt,
  type SampleVerdict,
} from './verdicts.js';

export type EvidenceVerdict = SampleVerdict;

export interface MembershipEvidenceInput {
  readonly auc: number;
  readonly members: number;
  readonly nonMembers: number;
  /** TPR at 1% FPR; omitted: judged on the AUC alone. */
  readonly tprAt1Percent?: number;
}

export interface MembershipEvidence {
  verdict: EvidenceVerdict;
  aucLower95: number;
  aucUpper95: number;
  /** Members (and as many non-members) at which these values settle the verdict; null: never. */
  neededPerSide: number | null;
}

/** Beyond this many examples per side the search gives up (the AUC sits on a threshold). */
const MAX_PER_SIDE = 1e9;

/** The smallest n (members = non-members = n) at which the observed values give a verdict. */
function neededPerSide(auc: number, tpr?: number): number | null {
  const settles = (n: number) => verdictAt(auc, n, n, tpr) !== 'inconclusive';
  let high = 2;
  while (!settles(high)) {
    high *= 2;
    if (high > MAX_PER_SIDE) return null;
  }
  let low = Math.max(1, high / 2);
  if (settles(low)) return low;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (settles(mid)) high = mid;
    else low = mid;
  }
  return high;
}

export function membershipEvidence(input: MembershipEvidenceInput): MembershipEvidence {
  const { auc, members, nonMembers, tprAt1Percent } = input;
  const se = aucStandardError(auc, members, nonMembers);
  return {
    verdict: verdictAt(auc, members, nonMembers, tprAt1Percent),
    aucLower95: Math.max(0, auc - Z95 * se),
    aucUpper95: Math.min(1, auc + Z95 * se),
    neededPerSide: neededPerSide(auc, tprAt1Percent),
  };
}
