/**
 * Azzalini's skew-normal distribution (A. Azzalini, "A class of distributions which includes
 * the normal ones", Scandinavian Journal of Statistics 12(2), 1985), with location ξ, scale ω
 * and shape α: density 2/ω · φ(z) Φ(αz), z = (x − ξ)/ω.
 *
 * CDF: F(x) = Φ(z) − 2 T(z, α), with T Owen's T function (Azzalini 1985, via Owen 1956).
 * In the far tail, where that difference cancels, log F is computed instead as
 * log ∫_{-∞}^z 2φ(t)Φ(αt) dt in log space (the density is log-concave, so the integrand,
 * rescaled by its value at z, decays at least exponentially).
 *
 * Fit: method of moments (Azzalini & Capitanio, "The Skew-Normal and Related Families",
 * Cambridge 2014; A. Pewsey, "Problems of inference for Azzalini's skew-normal
 * distribution", Journal of Applied Statistics 27(7), 2000): the sample skewness fixes
 * δ = α/√(1+α²), then the variance fixes ω and the mean fixes ξ.
 */
import { ConfidantError } from '../../shared/confidantError.js';
import { normalCdf, normalLogCdf, normalLogCdfDifference } from './normal.js';
import { owensT } from './owensT.js';
import { integrate } from './quadrature.js';

export interface SkewNormalParameters {
  /** ξ */
  readonly location: number;
  /** ω > 0 */
  readonly scale: number;
  /** α; 0 gives the normal distribution. */
  readonly shape: number;
}

/** Largest |skewness| the fit accepts; the family's supremum is ≈ 0.99527 (as α → ∞). */
export const MAX_FITTED_SKEWNESS = 0.99;

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
/** Below this CDF value the log-space integral replaces log(Φ(z) − 2T(z, α)). */
const TAIL_CDF = 1e-6;

export function skewNormalCdf(x: number, p: SkewNormalParameters): number {
  const z = (x - p.location) / p.scale;
  const value = normalCdf(z) - 2 * owensT(z, p.shape);
  return Math.min(1, Math.max(0, value));
}

/** log F(x); finite far into the left tail, where F itself underflows. */
export function skewNormalLogCdf(x: number, p: SkewNormalParameters): number {
  const z = (x - p.location) / p.scale;
  const direct = normalCdf(z) - 2 * owensT(z, p.shape);
  if (direct > TAIL_CDF) return Math.log(Math.min(1, direct));
  // F(z) = 2 φ(z) Φ(αz) ∫_0^∞ ratio(s) ds, ratio(s) = φ(z−s)Φ(α(z−s)) / (φ(z)Φ(αz)), with the
  // log-ratio written so that it stays exact when z is far out (no difference of huge logs).
  const alpha = p.shape;
  const logRatio = (s: number) => z * s - 0.5 * s * s + normalLogCdfDifference(alpha * (z - s), alpha * z);
  let span = 1;
  while (logRatio(span) > -80 && span < 1e6) span *= 2;
  const ratio = integrate((s) => Math.exp(logRatio(s)), 0, span, { relativeTolerance: 1e-11, maxDepth: 30 });
  const atZ = -0.5 * z * z - LOG_SQRT_2PI + normalLogCdf(alpha * z);
  return Math.LN2 + atZ + Math.log(ratio);
}

/** Mean, variance and skewness of the distribution (Azzalini 1985). */
export function skewNormalMoments(p: SkewNormalParameters): {
  mean: number;
  variance: number;
  skewness: number;
} {
  const delta = p.shape / Math.sqrt(1 + p.shape * p.shape);
  const b = Math.sqrt(2 / Math.PI);
  const muZ = b * delta;
  const varZ = 1 - muZ * muZ;
  return {
    mean: p.location + p.scale * muZ,
    variance: p.scale * p.scale * varZ,
    skewness: ((4 - Math.PI) / 2) * (muZ ** 3 / varZ ** 1.5),
  };
}

/**
 * Method-of-moments fit: matches the sample mean, the unbiased sample variance and the sample
 * skewness g₁ = m₃/m₂^{3/2}, clamped to ±MAX_FITTED_SKEWNESS (beyond the family's range).
 */
export function fitSkewNormalByMoments(samples: readonly number[]): SkewNormalParameters {
  const n = samples.length;
  if (n < 3) {
    throw new ConfidantError('audit.too-few-samples', `a skew-normal fit needs at least 3 values, got ${n}`, {
      hint: 'sample more reference candidates',
    });
  }
  let mean = 0;
  for (const x of samples) mean += x;
  mean /= n;
  let m2 = 0;
  let m3 = 0;
  for (const x of samples) {
    const d = x - mean;
    m2 += d * d;
    m3 += d * d * d;
  }
  m2 /= n;
  m3 /= n;
  if (!(m2 > 0)) {
    throw new ConfidantError(
      'audit.constant-samples',
      'all values are equal: no spread to fit a distribution to',
      {
        hint: 'check that the reference log-perplexities were computed for different candidates',
      },
    );
  }
  return skewNormalFromMoments(mean, (m2 * n) / (n - 1), m3 / m2 ** 1.5);
}

/**
 * The skew-normal with this mean, variance and skewness; |skewness| is clamped to
 * MAX_FITTED_SKEWNESS first (the family cannot reach beyond ≈ 0.99527).
 */
export function skewNormalFromMoments(
  mean: number,
  variance: number,
  skewness: number,
): SkewNormalParameters {
  const clamped = Math.max(-MAX_FITTED_SKEWNESS, Math.min(MAX_FITTED_SKEWNESS, skewness));
  const c = Math.abs(clamped) ** (2 / 3);
  const absDelta = Math.sqrt((Math.PI / 2) * (c / (c + ((4 - Math.PI) / 2) ** (2 / 3))));
  const delta = Math.sign(clamped) * absDelta;
  const b = Math.sqrt(2 / Math.PI);
  const scale = Math.sqrt(variance / (1 - b * b * delta * delta));
  return {
    location: mean - scale * b * delta,
    scale,
    shape: delta / Math.sqrt(1 - delta * delta),
  };
}
