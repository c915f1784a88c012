/**
 * Maximum-likelihood fit of Azzalini's skew-normal, as TF Privacy's
 * `compute_exposure_extrapolation` does with scipy's `skewnorm.fit` (generic MLE by the
 * Nelder–Mead simplex from a moment-based start; Nelder & Mead 1965, "A simplex method for
 * function minimization", Computer Journal 7). The moment fit (skewNormal.ts) is the starting
 * point; it is off by up to a few percent in the tail that exposure reads (issue 18).
 * Log-likelihood: Σ log 2 − log ω + log φ(zᵢ) + log Φ(α zᵢ), zᵢ = (xᵢ − ξ)/ω.
 */
import { normalLogCdf } from './normal.js';
import { fitSkewNormalByMoments, type SkewNormalParameters } from './skewNormal.js';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

export function skewNormalLogLikelihood(samples: readonly number[], p: SkewNormalParameters): number {
  if (!(p.scale > 0)) return -Infinity;
  let sum = 0;
  for (const x of samples) {
    const z = (x - p.location) / p.scale;
    sum += Math.LN2 - Math.log(p.scale) - 0.5 * z * z - LOG_SQRT_2PI + normalLogCdf(p.shape * z);
  }
  return sum;
}

/** Nelder–Mead minimisation of f over R^n (standard coefficients 1, 2, ½, ½). */
function nelderMead(
  f: (x: number[]) => number,
  start: number[],
  steps: number[],
  maxIterations: number,
): number[] {
  const n = start.length;
  let simplex = [start, ...steps.map((s, i) => start.map((v, j) => (j === i ? v + s : v)))];
  let values = simplex.map(f);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const order = values.map((v, i) => i).sort((a, b) => values[a]! - values[b]!);
    simplex = order.map((i) => simplex[i]!);
    values = order.map((i) => values[i]!);
    if (Math.abs(values[n]! - values[0]!) <= 1e-12 * (Math.abs(values[0]!) + 1e-12)) break;
    const centroid = start.map((_, j) => simplex.slice(0, n).reduce((s, p) => s + p[j]!, 0) / n);
    const towards = (t: number) => centroid.map((c, j) => c + t * (simplex[n]![j]! - c));
    const reflected = towards(-1);
    const fr = f(reflected);
    if (fr < values[0]!) {
      const expanded = towards(-2);
      const fe = f(expanded);
      [simplex[n], values[n]] = fe < fr ? [expanded, fe] : [reflected, fr];
    } else if (fr < values[n - 1]!) {
      [simplex[n], values[n]] = [reflected, fr];
    } else {
      const contracted = fr < values[n]! ? towards(-0.5) : towards(0.5);
      const fc = f(contracted);
      if (fc < Math.min(fr, values[n]!)) {
        [simplex[n], values[n]] = [contracted, fc];
      } else {
        simplex = simplex.map((p, i) =>
          i === 0 ? p : p.map((v, j) => simplex[0]![j]! + 0.5 * (v - simplex[0]![j]!)),
        );
        values = simplex.map(f);
      }
    }
  }
  return simplex[values.indexOf(Math.min(...values))]!;
}

/** The maximum-likelihood skew-normal (never worse than the moment fit it starts from). */
export function fitSkewNormalByMaximumLikelihood(samples: readonly number[]): SkewNormalParameters {
  const start = fitSkewNormalByMoments(samples);
  const toParams = (v: number[]): SkewNormalParameters => ({
    location: v[0]!,
    scale: Math.exp(v[1]!),
    shape: v[2]!,
  });
  const negative = (v: number[]) => {
    const ll = skewNormalLogLikelihood(samples, toParams(v));
    return Number.isFinite(ll) ? -ll : Infinity;
  };
  let best = [start.location, Math.log(start.scale), start.shape];
  // restarts: the simplex can stall on the likelihood's flat ridge in α
  for (let restart = 0; restart < 4; restart++) {
    best = nelderMead(negative, best, [0.1 * start.scale, 0.1, 0.5], 2000);
  }
  const fitted = toParams(best);
  return skewNormalLogLikelihood(samples, fitted) >= skewNormalLogLikelihood(samples, start) ? fitted : start;
}
