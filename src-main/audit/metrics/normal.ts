/**
 * The standard normal distribution: density, CDF Φ and log Φ, accurate to ~1e-14 relative
 * everywhere, including the far left tail (where log Φ stays finite long after Φ underflows).
 *
 * erf by its everywhere-positive series erf(x) = 2/√π e^{-x²} Σ 2ⁿ x^{2n+1} / (2n+1)!!
 * (Abramowitz & Stegun 7.1.6) for |x| < 2; erfc by its continued fraction (A&S 7.1.14),
 * evaluated with the modified Lentz algorithm (Press et al., "Numerical Recipes" §5.2), beyond.
 */

const SQRT2 = Math.SQRT2;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const SERIES_LIMIT = 2;

/** erf(x) for 0 ≤ x < SERIES_LIMIT. */
function erfSeries(x: number): number {
  const x2 = 2 * x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= x2 / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

/**
 * K(x) = √π e^{x²} erfc(x) for x ≥ SERIES_LIMIT, from the continued fraction
 * K(x) = 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))).
 */
function erfcScaledFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 / f;
}

/** erfc(x) for x ≥ 0. */
function erfcNonNegative(x: number): number {
  if (x < SERIES_LIMIT) return 1 - erfSeries(x);
  return (Math.exp(-x * x) * erfcScaledFraction(x)) / Math.sqrt(Math.PI);
}

/** φ(x), the standard normal density. */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x - LOG_SQRT_2PI);
}

/** Φ(x), the standard normal CDF. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const t = x / SQRT2;
  return t >= 0 ? 1 - 0.5 * erfcNonNegative(t) : 0.5 * erfcNonNegative(-t);
}

/** log Φ(x); finite for every finite x (Φ(-40) underflows to 0, log Φ(-40) ≈ -804.6 does not). */
export function normalLogCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const t = x / SQRT2;
  if (t >= 0) return Math.log1p(-0.5 * erfcNonNegative(t));
  const u = -t;
  if (u < SERIES_LIMIT) return Math.log(0.5 * erfcNonNegative(u));
  return Math.log(0.5) - u * u - 0.5 * Math.log(Math.PI) + Math.log(erfcScaledFraction(u));
}

/**
 * log Φ(x) − log Φ(y), accurate also deep in the left tail where both terms are huge and
 * nearly equal: there the e^{-u²} factors are differenced as (u_x − u_y)(u_x + u_y).
 */
export function normalLogCdfDifference(x: number, y: number): number {
  const ux = -x / SQRT2;
  const uy = -y / SQRT2;
  if (ux < SERIES_LIMIT || uy < SERIES_LIMIT) return normalLogCdf(x) - normalLogCdf(y);
  return -(ux - uy) * (ux + uy) + Math.log(erfcScaledFraction(ux) / erfcScaledFraction(uy));
}
