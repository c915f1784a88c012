/**
 * PRV accountant: numerical composition of privacy loss random variables (Gopi, Lee,
 * Wutschitz, "Numerical Composition of Differential Privacy", NeurIPS 2021). Each segment's
 * PRV is truncated to a safe domain, discretised on a mesh fine enough for eps_error, self
 * composed by FFT, the segments convolved together, and ε read off with error bounds; the
 * UPPER bound is reported. Mirrors Opacus opacus/accountants/prv.py (PRVAccountant).
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
import { ConfidantError, isConfidantError } from '../shared/confidantError.js';
import {
  type EpsilonBounds,
  assertDeltaResolvable,
  composeHeterogeneous,
  discretize,
  epsilonBounds,
} from './discretePrv.js';
import { calibrateSigma } from './noiseCalibration.js';
import { SampledGaussianPrv, TruncatedPrv } from './prvDistribution.js';
import { createAlignedDomain, safeDomainSize } from './prvDomain.js';
import { RdpAccountant } from './rdp.js';

/** Largest grid we discretise on (memory ~ 100 bytes a point; ~1 s per million points). */
export const MAX_DOMAIN_SIZE = 1 << 22;

export interface PrvAccountantOptions {
  /** Allowed error on ε (Opacus default 0.01). */
  epsError?: number;
  /** Allowed error on δ, as a fraction of δ (Opacus default δ/1000). */
  deltaErrorFraction?: number;
}

export class PrvAccountant implements Accountant {
  readonly mechanism = 'prv' as const;
  readonly epsError: number;
  readonly deltaErrorFraction: number;

  constructor(options: PrvAccountantOptions = {}) {
    this.epsError = options.epsError ?? 0.01;
    this.deltaErrorFraction = options.deltaErrorFraction ?? 1e-3;
  }

  /** Lower bound, estimate and upper bound of ε (Gopi et al. Theorem 5.5). */
  epsilonBounds(history: readonly Segment[], delta: number): EpsilonBounds {
    validateHistory(history);
    validateDelta(delta);
    if (history.length === 0) return { lower: 0, estimate: 0, upper: 0 };
    const epsError = this.epsError;
    const deltaError = delta * this.deltaErrorFraction;
    const total = history.reduce((n, s) => n + s.steps, 0);
    const halfWidth = safeDomainSize(history, epsError, deltaError);
    const mesh = epsError / Math.sqrt((total * Math.log(12 / deltaError)) / 2);
    const domain = createAlignedDomain(-halfWidth, halfWidth, mesh);
    if (domain.size > MAX_DOMAIN_SIZE) {
      throw new ConfidantError(
        'accountant.prv-too-large',
        `the PRV accountant would need ${domain.size} grid points for this history (limit ${MAX_DOMAIN_SIZE}): ` +
          `epsilon is too large (about ${halfWidth.toFixed(0)}) for a fine enough mesh`,
        { where: { field: 'steps' }, hint: 'use the RDP accountant for such large epsilon' },
      );
    }
    assertDeltaResolvable(domain.size, delta, deltaError);
    const dprvs = history.map(({ q, sigma }) =>
      discretize(new TruncatedPrv(new SampledGaussianPrv(q, sigma), domain.tMin, domain.tMax), domain),
    );
    const composed = composeHeterogeneous(
      dprvs,
      history.map((s) => s.steps),
    );
    return epsilonBounds(composed, delta, deltaError, epsError);
  }

  epsilonOfHistory(history: readonly Segment[], delta: number): number {
    return Math.max(0, this.epsilonBounds(history, delta).upper);
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
    const rdp = new RdpAccountant();
    const epsilonAt = (sigma: number): number => {
      try {
        return this.epsilonOfHistory([{ q, sigma, steps }], delta);
      } catch (error) {
        // A σ so small that the PRV grid would not fit: RDP's ε is also a valid upper bound.
        if (isConfidantError(error) && error.code === 'accountant.prv-too-large') {
          return rdp.epsilonOfHistory([{ q, sigma, steps }], delta);
        }
        throw error;
      }
    };
    return calibrateSigma(epsilonAt, targetEpsilon).sigma;
  }
}
