/**
 * Owen's T function (D. B. Owen, "Tables for computing bivariate normal probabilities",
 * Annals of Mathematical Statistics 27(4), 1956):
 *
 *   T(h, a) = 1/(2π) ∫_0^a exp(-h²(1 + x²)/2) / (1 + x²) dx.
 *
 * For |a| ≤ 1 the integral is evaluated directly by adaptive Gauss–Legendre quadrature,
 * with exp(-h²/2) factored out. For |a| > 1 Owen's identity (Owen 1956; also Patefield &
 * Tandy, "Fast and accurate calculation of Owen's T function", J. Stat. Software 5(5), 2000)
 *
 *   T(h, a) = ½Φ(h)(1 − Φ(ah)) + ½Φ(ah)(1 − Φ(h)) − T(ah, 1/a)     (h ≥ 0, a > 0)
 *
 * reduces it to the first case. T is even in h and odd in a.
 */
import { normalCdf } from './normal.js';
import { integrate } from './quadrature.js';

export function owensT(h: number, a: number): number {
  if (Number.isNaN(h) || Number.isNaN(a)) return Number.NaN;
  if (a < 0) return -owensT(h, -a);
  const absH = Math.abs(h);
  if (a === 0) return 0;
  if (absH === 0) return Math.atan(a) / (2 * Math.PI);
  if (a === Number.POSITIVE_INFINITY) return 0.5 * normalCdf(-absH);
  if (a <= 1) return owensTSmallA(absH, a);
  const ah = a * absH;
  const phiH = normalCdf(absH);
  const phiAh = normalCdf(ah);
  const qH = normalCdf(-absH);
  const qAh = normalCdf(-ah);
  return 0.5 * phiH * qAh + 0.5 * phiAh * qH - owensTSmallA(ah, 1 / a);
}

/** T(h, a) for h ≥ 0, 0 < a ≤ 1, by quadrature. */
function owensTSmallA(h: number, a: number): number {
  const scale = Math.exp(-0.5 * h * h) / (2 * Math.PI);
  if (scale === 0) return 0;
  const h2 = h * h;
  const integral = integrate((x) => Math.exp(-0.5 * h2 * x * x) / (1 + x * x), 0, a, {
    relativeTolerance: 1e-14,
  });
  return scale * integral;
}
