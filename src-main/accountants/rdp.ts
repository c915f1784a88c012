/**
 * RDP accountant for DP-SGD with Poisson sampling: per-order RDP of the subsampled Gaussian
 * (./sampledGaussianRdp.ts) summed over the history, converted to (ε, δ) at the best order
 * (./rdpConversion.ts). Mirrors Opacus opacus/accountants/rdp.py (RDPAccountant).
 */
import {
  type Accountant,
  type Segment,
  validateDelta,
  validateHistory,
  validateSampleRate,
  validateSigma,
  validateSteps,
  validateTargetEpsilon,
} from './accountant.js';
import { calibrateSigma } from './noiseCalibration.js';
import { type RdpConversion, type RdpEpsilon, epsilonFromRdp } from './rdpConversion.js';
import { DEFAULT_RDP_ORDERS, sampledGaussianRdpCurve } from './sampledGaussianRdp.js';

export interface RdpAccountantOptions {
  /** RDP orders α (default: Opacus DEFAULT_ALPHAS). */
  orders?: readonly number[];
  /** RDP → (ε, δ) conversion (default 'tight', as Opacus; 'classic' as the TF Privacy tutorial). */
  conversion?: RdpConversion;
}

/**
 * Relative margin added to every ε: the float64 sums over ~150 orders and the series of the
 * fractional orders carry relative errors far below 1e-12, so rounding ε up by 1e-10
 * (relative) guarantees it is never under-counted without changing any digit that matters.
 */
const ROUND_UP = 1e-10;

export function roundUp(epsilon: number): number {
  return epsilon + Math.abs(epsilon) * ROUND_UP;
}

export class RdpAccountant implements Accountant {
  readonly mechanism = 'rdp' as const;
  readonly orders: readonly number[];
  readonly conversion: RdpConversion;

  constructor(options: RdpAccountantOptions = {}) {
    this.orders = options.orders ?? DEFAULT_RDP_ORDERS;
    this.conversion = options.conversion ?? 'tight';
    if (this.orders.length === 0 || this.orders.some((a) => !(a > 1))) {
      throw new RangeError('RDP orders must be numbers greater than 1');
    }
  }

  /** RDP of the whole history at each order (RDP composes by addition). */
  rdpOfHistory(history: readonly Segment[]): number[] {
    const total = new Array<number>(this.orders.length).fill(0);
    for (const { q, sigma, steps } of history) {
      sampledGaussianRdpCurve(q, sigma, steps, this.orders).forEach((r, k) => (total[k]! += r));
    }
    return total;
  }

  /** ε (not rounded up) and the order that attains it. */
  privacySpent(history: readonly Segment[], delta: number): RdpEpsilon {
    validateHistory(history);
    validateDelta(delta);
    const result = epsilonFromRdp(this.orders, this.rdpOfHistory(history), delta, this.conversion);
    return { epsilon: Math.max(0, result.epsilon), order: result.order };
  }

  epsilonOfHistory(history: readonly Segment[], delta: number): number {
    if (history.length === 0) return 0;
    return roundUp(this.privacySpent(history, delta).epsilon);
  }

  epsilon(q: number, sigma: number, steps: number, delta: number): number {
    validateSampleRate(q);
    validateSigma(sigma);
    validateSteps(steps);
    return this.epsilonOfHistory([{ q, sigma, steps }], delta);
  }

  sigmaForTargetEpsilon(targetEpsilon: number, delta: number, q: number, steps: number): number {
    validateTargetEpsilon(targetEpsilon);
    validateDelta(delta);
    validateSampleRate(q);
    validateSteps(steps);
    return calibrateSigma((sigma) => this.epsilonOfHistory([{ q, sigma, steps }], delta), targetEpsilon)
      .sigma;
  }
}
