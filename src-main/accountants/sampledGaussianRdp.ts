/**
 * Rényi differential privacy of the Poisson-subsampled Gaussian mechanism (SGM).
 *
 * Mironov, "Rényi Differential Privacy", CSF 2017; Mironov, Talwar, Zhang, "Rényi
 * Differential Privacy of the Sampled Gaussian Mechanism", arXiv:1908.10530 (2019),
 * Section 3.3: log A_α for integer α (binomial expansion) and for fractional α (two
 * series split at z0 = σ² log(1/q − 1) + 1/2). Ported from TF Privacy
 * privacy/analysis/rdp_accountant.py and Opacus opacus/accountants/analysis/rdp.py.
 */
import { logErfc } from './erfc.js';
import { logAdd, logSub } from './logSpace.js';

/** Opacus RDPAccountant.DEFAULT_ALPHAS and TF Privacy's tutorial orders: 1.1 … 10.9, 12 … 63. */
export const DEFAULT_RDP_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 99 }, (_, k) => 1 + (k + 1) / 10),
  ...Array.from({ length: 52 }, (_, k) => 12 + k),
]);

/**
 * ε is never under-counted: each log-space addition rounds to within a few ulps of
 * max(1, |running sum|), so after `terms` additions log A is rounded UP by that much. When
 * A ≈ 1 (tiny q or large σ) this absolute slack (≈ 1e-14) dominates the tiny RDP value; it
 * is negligible next to any ε that matters (e.g. +3e-11 on Opacus's 7.329 example).
 */
function roundUpLogSum(logA: number, terms: number): number {
  return logA + 4 * terms * Number.EPSILON * Math.max(1, Math.abs(logA));
}

function logAForIntegerOrder(q: number, sigma: number, alpha: number): number {
  let logA = -Infinity;
  let logBinom = 0; // log C(alpha, 0)
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  for (let i = 0; i <= alpha; i++) {
    const logCoef = logBinom + i * logQ + (alpha - i) * log1mQ;
    logA = logAdd(logA, logCoef + (i * i - i) / (2 * sigma * sigma));
    logBinom += Math.log(alpha - i) - Math.log(i + 1);
  }
  return roundUpLogSum(logA, alpha + 1);
}

function logAForFractionalOrder(q: number, sigma: number, alpha: number): number {
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const s2 = Math.SQRT2 * sigma;
  let coef = 1; // C(alpha, i) by the recurrence C(alpha, i + 1) = C(alpha, i)·(alpha − i)/(i + 1)
  for (let i = 0; ; i++) {
    const logCoef = Math.log(Math.abs(coef));
    const j = alpha - i;
    const logT0 = logCoef + i * logQ + j * log1mQ;
    const logT1 = logCoef + j * logQ + i * log1mQ;
    const logE0 = Math.log(0.5) + logErfc((i - z0) / s2);
    const logE1 = Math.log(0.5) + logErfc((z0 - j) / s2);
    const logS0 = logT0 + (i * i - i) / (2 * sigma * sigma) + logE0;
    const logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
    if (coef > 0) {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    if (Math.max(logS0, logS1) < -30) {
      return roundUpLogSum(logAdd(logA0, logA1), 2 * (i + 1) + 1);
    }
    coef = (coef * (alpha - i)) / (i + 1);
  }
}

/** RDP ε(α) of ONE step of the SGM with sampling rate q and noise multiplier σ. */
export function sampledGaussianRdp(q: number, sigma: number, alpha: number): number {
  if (q === 0) return 0;
  if (sigma === 0) return Infinity;
  if (q === 1) return alpha / (2 * sigma * sigma);
  if (!Number.isFinite(alpha)) return Infinity;
  const logA = Number.isInteger(alpha)
    ? logAForIntegerOrder(q, sigma, alpha)
    : logAForFractionalOrder(q, sigma, alpha);
  return logA / (alpha - 1);
}

/** RDP of `steps` SGM steps at each order (RDP composes by addition). */
export function sampledGaussianRdpCurve(
  q: number,
  sigma: number,
  steps: number,
  orders: readonly number[] = DEFAULT_RDP_ORDERS,
): number[] {
  return orders.map((alpha) => sampledGaussianRdp(q, sigma, alpha) * steps);
}
