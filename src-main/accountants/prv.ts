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
/** Widenings of the ε error tried before giving up (each shrinks the grid about 1.05×size/limit-fold). */
const MAX_WIDENINGS = 8;

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

  /**
   * Lower bound, estimate and upper bound of ε (Gopi et al. Theorem 5.5). The mesh is the
   * one Opacus uses for eps_error; when that grid would exceed MAX_DOMAIN_SIZE (ε of about
   * 100 or more) the allowed ε error is widened until it fits: a coarser mesh whose bounds
   * are still correct (Theorem 5.5 holds for any eps_error), only less tight. Never an error
   * for a large ε (issue 18); `epsError` in the result says which error the bounds carry.
   */
  epsilonBounds(history: readonly Segment[], delta: number): EpsilonBounds {
    validateHistory(history);
    validateDelta(delta);
    if (history.length === 0) return { lower: 0, estimate: 0, upper: 0 };
    let epsError = this.epsError;
    const deltaError = delta * this.deltaErrorFraction;
    const total = history.reduce((n, s) => n + s.steps, 0);
    const domainFor = (error: number) => {
      const halfWidth = safeDomainSize(history, error, deltaError);
      const mesh = error / Math.sqrt((total * Math.log(12 / deltaError)) / 2);
      return { halfWidth, domain: createAlignedDomain(-halfWidth, halfWidth, mesh) };
    };
    let { halfWidth, domain } = domainFor(epsError);
    for (let widen = 0; domain.size > MAX_DOMAIN_SIZE; widen++) {
      if (widen >= MAX_WIDENINGS || !Number.isFinite(halfWidth)) {
        throw new ConfidantError(
          'accountant.prv-too-large',
          `the PRV accountant would need ${domain.size} grid points for this history (limit ${MAX_DOMAIN_SIZE}) ` +
            `even with an ε error of ${epsError.toPrecision(3)}: epsilon is about ${halfWidth.toFixed(0)}`,
          { where: { field: 'steps' }, hint: 'use the RDP accountant for such large epsilon' },
        );
      }
      epsError *= (1.05 * domain.size) / MAX_DOMAIN_SIZE;
      ({ halfWidth, domain } = domainFor(epsError));
    }
    assertDeltaResolvable(domain.size, delta, deltaError);
    const dprvs = history.map(({ q, sigma }) =>
      discretize(new TruncatedPrv(new SampledGaussianPrv(q, sigma), domain.tMin, domain.tMax), domain),
    );
    const composed = composeHeterogeneous(
      dprvs,
      history.map((s) => s.steps),
    );
    const bounds = epsilonBounds(composed, delta, deltaError, epsError);
    if (!Number.isFinite(bounds.upper)) {
      // e^t overflows double precision for privacy losses t beyond about 709
      throw new ConfidantError(
        'accountant.prv-too-large',
        `epsilon is about ${halfWidth.toFixed(0)}, beyond what the PRV accountant can evaluate in double precision (e^709)`,
        {
          where: { field: 'steps' },
          hint: 'the RDP accountant gives a valid upper bound for such large epsilon',
        },
      );
    }
    return epsError === this.epsError ? bounds : { ...bounds, epsError };
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
