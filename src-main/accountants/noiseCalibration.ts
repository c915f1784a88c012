/**
 * Noise calibration: the σ that reaches a target ε. Bisection as in Opacus
 * opacus/accountants/utils.py get_noise_multiplier (start σ ∈ [0, 10], double the upper
 * end until ε < target, give up beyond σ = 1e6, then bisect), with the tolerance
 * min(0.01, 1% of the target) instead of a fixed 0.01, so the result is within 1% of the
 * target for any target, and never above it (the returned σ is always the upper end, whose
 * ε is below the target). With targets >= 1 it follows Opacus's path exactly.
 */
import { ConfidantError } from '../shared/confidantError.js';

export const MAX_SIGMA = 1e6;
const MAX_BISECTIONS = 100;

export interface CalibrationResult {
  sigma: number;
  epsilon: number;
}

export function calibrateSigma(
  epsilonAt: (sigma: number) => number,
  targetEpsilon: number,
): CalibrationResult {
  const tolerance = Math.min(0.01, 0.01 * targetEpsilon);
  let sigmaLow = 0;
  let sigmaHigh = 10;
  let epsHigh = Infinity;
  while (epsHigh > targetEpsilon) {
    sigmaHigh *= 2;
    epsHigh = epsilonAt(sigmaHigh);
    if (sigmaHigh > MAX_SIGMA) {
      throw new ConfidantError(
        'accountant.unreachable-target',
        `no noise multiplier up to ${MAX_SIGMA} reaches epsilon ${targetEpsilon} (the smallest reachable is about ${epsHigh.toPrecision(3)})`,
        {
          where: { field: 'targetEpsilon' },
          hint: 'raise the target epsilon or delta, or lower the sampling rate or the number of steps',
        },
      );
    }
  }
  for (let k = 0; k < MAX_BISECTIONS && targetEpsilon - epsHigh > tolerance; k++) {
    const sigma = (sigmaLow + sigmaHigh) / 2;
    const eps = epsilonAt(sigma);
    if (eps < targetEpsilon) {
      sigmaHigh = sigma;
      epsHigh = eps;
    } else {
      sigmaLow = sigma;
    }
  }
  return { sigma: sigmaHigh, epsilon: epsHigh };
}
