/**
 * The privacy loss random variable (PRV) of one step of the Poisson-subsampled Gaussian
 * mechanism, and its truncation to a finite domain.
 *
 * Gopi, Lee, Wutschitz, "Numerical Composition of Differential Privacy", NeurIPS 2021
 * (arXiv:2106.02848), Propositions B1 and B4 for the CDF; ported from Opacus
 * opacus/accountants/analysis/prv/prvs.py (PoissonSubsampledGaussianPRV,
 * TruncatedPrivacyRandomVariable).
 */
import { erfc } from './erfc.js';
import { integrate } from './quadrature.js';

export interface PrivacyRandomVariable {
  cdf(t: number): number;
  /** Points where the CDF is not smooth (quadrature splits there). */
  readonly kinks: readonly number[];
}

export class SampledGaussianPrv implements PrivacyRandomVariable {
  private readonly logOneMinusQ: number;
  private readonly scale: number;
  /** The loss is >= log(1 − q): the CDF leaves 0 there. */
  readonly kinks: readonly number[];

  constructor(
    readonly q: number,
    readonly sigma: number,
  ) {
    this.logOneMinusQ = Math.log(1 - q);
    this.scale = 2 * Math.SQRT2 * sigma;
    this.kinks = Number.isFinite(this.logOneMinusQ) ? [this.logOneMinusQ] : [];
  }

  cdf(t: number): number {
    if (!(t > this.logOneMinusQ)) return 0;
    const { q, sigma } = this;
    const z = Math.log((Math.exp(t) + q - 1) / q);
    const zs = 2 * z * sigma * sigma;
    return (-q * erfc((zs - 1) / this.scale)) / 2 - ((1 - q) * erfc((zs + 1) / this.scale)) / 2 + 1.0;
  }
}

/** A PRV conditioned on [tMin, tMax): its CDF is rescaled by the mass left inside. */
export class TruncatedPrv implements PrivacyRandomVariable {
  private readonly cdfAtMin: number;
  private readonly remainingMass: number;

  constructor(
    private readonly prv: PrivacyRandomVariable,
    readonly tMin: number,
    readonly tMax: number,
  ) {
    this.cdfAtMin = prv.cdf(tMin);
    this.remainingMass = prv.cdf(tMax) - this.cdfAtMin;
  }

  get kinks(): readonly number[] {
    return [this.tMin, ...this.prv.kinks, this.tMax];
  }

  cdf(t: number): number {
    if (t < this.tMin) return 0;
    if (t < this.tMax) return (this.prv.cdf(t) - this.cdfAtMin) / this.remainingMass;
    return 1;
  }

  /**
   * E[T] = Σ over pieces [t·F(t)] − ∫F, integrating the CDF piecewise with breakpoints
   * at ±1e-5 … ±1e-1 (where the PRV concentrates), as Opacus does with scipy.integrate.quad.
   */
  mean(): number {
    const inner = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1];
    const points = [this.tMin, ...[...inner].reverse().map((x) => -x), ...inner, this.tMax];
    const f = (t: number) => this.cdf(t);
    let mean = 0;
    for (let k = 0; k + 1 < points.length; k++) {
      const left = points[k]!;
      const right = points[k + 1]!;
      // Also split at the underlying PRV's kinks: a rule whose nodes all miss the short stretch
      // where the CDF leaves 0 would otherwise report a confident, wrong integral.
      const cuts = [left, ...this.prv.kinks.filter((x) => x > left && x < right), right];
      let integral = 0;
      for (let c = 0; c + 1 < cuts.length; c++) integral += integrate(f, cuts[c]!, cuts[c + 1]!);
      mean += right * f(right) - left * f(left) - integral;
    }
    return mean;
  }
}
