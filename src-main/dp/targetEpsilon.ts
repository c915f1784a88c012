/**
 * A target ε is a ceiling, measured by the one ε Confidant prints and charges: max(RDP, PRV)
 * (privacySpent.ts). The same function calibrates σ, is shown live and is charged, so the
 * three can never disagree (issue 18: σ was calibrated with one accountant and nudged, and
 * the live ε was RDP alone).
 *
 *   - calibrateSigmaToTarget: bisection as in Opacus's get_noise_multiplier
 *     (accountants/noiseCalibration.ts) over max(RDP, PRV). RDP is evaluated first; when it
 *     alone exceeds the target the maximum does too, so PRV (the slow one) is only computed
 *     where it can change the decision. The bisection's path is identical to one over the
 *     maximum evaluated in full.
 *   - stepsWithinTarget: after a cancel and resume, the steps between the last checkpoint and
 *     the cancel were charged (write-ahead) and are run again, so the planned steps would
 *     overshoot the target; this is the largest number of further steps that keeps the
 *     run's whole charged ledger at or below it.
 */
import { calibrateSigma, createAccountant } from '../accountants/index.js';
import type { LedgerSegment } from './privacyLedger.js';
import { privacySpent, toAccountantHistory } from './privacySpent.js';

export interface PlannedSteps {
  readonly samplingRate: number;
  readonly clipNorm: number;
  readonly unitCount: number;
  readonly steps: number;
}

/** The σ whose max(RDP, PRV) over the planned steps is at or just below the target. */
export function calibrateSigmaToTarget(target: number, delta: number, plan: PlannedSteps): number {
  const rdp = createAccountant('rdp');
  const epsilonAt = (sigma: number): number => {
    const segments: LedgerSegment[] = [{ ...plan, noiseMultiplier: sigma }];
    const rdpEpsilon = rdp.epsilonOfHistory(toAccountantHistory(segments), delta);
    if (rdpEpsilon > target) return rdpEpsilon; // max(RDP, PRV) > target too
    return privacySpent(segments, delta).epsilon;
  };
  return calibrateSigma(epsilonAt, target).sigma;
}

/**
 * The largest r ≤ maxSteps such that the charged ledger plus r more steps of `step` is at
 * or below the target by max(RDP, PRV). 0 when even the charged ledger is over it.
 */
export function stepsWithinTarget(
  charged: readonly LedgerSegment[],
  step: Omit<LedgerSegment, 'steps'>,
  maxSteps: number,
  delta: number,
  target: number,
): number {
  const fits = (r: number): boolean =>
    privacySpent(r > 0 ? [...charged, { ...step, steps: r }] : charged, delta).epsilon <= target;
  if (fits(maxSteps)) return maxSteps;
  let low = 0; // fits (or nothing more can be run)
  let high = maxSteps; // does not fit
  if (!fits(0)) return 0;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid;
  }
  return low;
}
