/**
 * The accountant interface (after Opacus opacus/accountants/accountant.py IAccountant):
 * ε of a DP-SGD run with Poisson sampling rate q and noise multiplier σ, for one
 * homogeneous stretch of steps or a heterogeneous history, and σ for a target ε.
 * Accountants are pure functions of their arguments: no tfjs, no I/O.
 */
import { ConfidantError } from '../shared/confidantError.js';

/** Registry keys, as Opacus names its mechanisms. */
export type Mechanism = 'rdp' | 'prv';

export const MECHANISMS: readonly Mechanism[] = ['rdp', 'prv'];

/** One homogeneous stretch of DP-SGD steps: sampling rate q, noise multiplier σ. */
export interface Segment {
  readonly q: number;
  readonly sigma: number;
  readonly steps: number;
}

export interface Accountant {
  readonly mechanism: Mechanism;
  /** ε such that `steps` steps with rate q and noise σ are (ε, δ)-DP (never under-counted). */
  epsilon(q: number, sigma: number, steps: number, delta: number): number;
  /** ε of the composition of a heterogeneous history (steps with different q, σ; several runs). */
  epsilonOfHistory(history: readonly Segment[], delta: number): number;
  /**
   * The σ whose ε over `steps` steps at rate q is below targetEpsilon and within 1% of it.
   * Throws ConfidantError 'accountant.unreachable-target' when no σ can reach it.
   */
  sigmaForTargetEpsilon(targetEpsilon: number, delta: number, q: number, steps: number): number;
}

function invalid(field: string, message: string, hint: string): ConfidantError {
  return new ConfidantError('accountant.invalid-parameter', message, { where: { field }, hint });
}

export function validateSampleRate(q: number, field = 'q'): void {
  if (!(Number.isFinite(q) && q > 0 && q <= 1)) {
    throw invalid(
      field,
      `the sampling rate must be in (0, 1], got ${q}`,
      'use expected batch size / dataset size',
    );
  }
}

export function validateSigma(sigma: number, field = 'sigma'): void {
  if (!(Number.isFinite(sigma) && sigma > 0)) {
    throw invalid(field, `the noise multiplier must be a positive number, got ${sigma}`, 'use e.g. 1.0');
  }
}

export function validateSteps(steps: number, field = 'steps'): void {
  if (!(Number.isSafeInteger(steps) && steps > 0)) {
    throw invalid(field, `the number of steps must be a positive integer, got ${steps}`, 'use e.g. 1000');
  }
}

export function validateDelta(delta: number, field = 'delta'): void {
  if (!(Number.isFinite(delta) && delta > 0 && delta < 1)) {
    throw invalid(
      field,
      `delta must be in (0, 1), got ${delta}`,
      'use a value below 1/(number of privacy units)',
    );
  }
}

export function validateTargetEpsilon(eps: number, field = 'targetEpsilon'): void {
  if (!(Number.isFinite(eps) && eps > 0)) {
    throw invalid(field, `the target epsilon must be a positive number, got ${eps}`, 'use e.g. 8');
  }
}

export function validateHistory(history: readonly Segment[]): void {
  history.forEach((s, k) => {
    validateSampleRate(s.q, `history[${k}].q`);
    validateSigma(s.sigma, `history[${k}].sigma`);
    validateSteps(s.steps, `history[${k}].steps`);
  });
}
