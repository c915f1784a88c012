/**
 * Empirical ε lower bound from one training run (T. Steinke, M. Nasr, M. Jagielski, "Privacy
 * Auditing with One (1) Training Run", NeurIPS 2023, arXiv:2305.08846).
 *
 * Setting: m auditing examples, each included in training independently with probability ½;
 * the auditor guesses in/out for r of them (abstaining on the rest) and v guesses are right.
 * Under (ε, δ)-DP the paper's main theorem bounds the chance of v or more right guesses by
 *
 *   p(ε, δ) = P[Binomial(r, q) ≥ v] + 2mδ · max_{1≤i≤v} P[v > Binomial(r, q) ≥ v − i] / i,
 *   q = e^ε / (1 + e^ε),
 *
 * and the lower bound at confidence 1 − β is the largest ε whose p-value is below β. This is
 * the paper's Appendix D code (`p_value_DP_audit`, `get_eps_audit`) step for step: the upper
 * bracket steps up by 1 from ε = 1, then 30 bisection steps, returning the bracket's low end
 * (so the bound errs low, the safe side). Binomial terms are computed in log space.
 */
import { ConfidantError } from '../../shared/confidantError.js';
import { binomialPmfs } from './binomial.js';

export interface OneRunAuditCounts {
  /** Auditing examples (canaries), each included with probability ½. */
  readonly m: number;
  /** Guesses made (examples not abstained on). */
  readonly r: number;
  /** Correct guesses. */
  readonly v: number;
}

export interface OneRunBoundOptions {
  /** δ of the (ε, δ)-DP hypothesis being tested, in [0, 1]. */
  readonly delta: number;
  /** 1 − β; 0.95 unless given. */
  readonly confidence?: number;
}

const BISECTION_STEPS = 30;

function checkCounts({ m, r, v }: OneRunAuditCounts): void {
  for (const [name, value] of [
    ['m', m],
    ['r', r],
    ['v', v],
  ] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new ConfidantError('audit.invalid-count', `${name} must be a whole number ≥ 0, got ${value}`, {
        where: { field: name },
      });
    }
  }
  if (v > r) {
    throw new ConfidantError('audit.invalid-count', `v (${v} correct guesses) exceeds r (${r} guesses)`, {
      where: { field: 'v' },
      hint: 'v counts the correct guesses among the r guesses, so v ≤ r',
    });
  }
  if (r > m) {
    throw new ConfidantError('audit.invalid-count', `r (${r} guesses) exceeds m (${m} auditing examples)`, {
      where: { field: 'r' },
      hint: 'the auditor guesses at most once per auditing example, so r ≤ m',
    });
  }
}

function checkDelta(delta: number): void {
  if (!(delta >= 0 && delta <= 1)) {
    throw new ConfidantError('audit.invalid-delta', `δ must be in [0, 1], got ${delta}`, {
      where: { field: 'delta' },
    });
  }
}

/** p(ε, δ): an upper bound on the chance of ≥ v correct guesses out of r under (ε, δ)-DP. */
export function oneRunPValue(counts: OneRunAuditCounts, epsilon: number, delta: number): number {
  checkCounts(counts);
  checkDelta(delta);
  if (!(epsilon >= 0)) {
    throw new ConfidantError('audit.invalid-epsilon', `ε must be ≥ 0, got ${epsilon}`, {
      where: { field: 'epsilon' },
    });
  }
  return pValue(counts, epsilon, delta);
}

function pValue({ m, r, v }: OneRunAuditCounts, epsilon: number, delta: number): number {
  if (v === 0) return 1; // P[Binomial(r, q) ≥ 0] = 1 exactly (the sum below would round)
  // q = 1/(1 + e^{-ε}): the accuracy of ε-DP randomized response.
  const logQ = -Math.log1p(Math.exp(-epsilon));
  const logOneMinusQ = -epsilon + logQ;
  const pmf = binomialPmfs(r, logQ, logOneMinusQ);
  let beta = 0; // P[Binomial(r, q) ≥ v]
  for (let k = r; k >= v; k--) beta += pmf[k]!;
  if (delta === 0) return Math.min(beta, 1);
  let alpha = 0;
  let sum = 0; // P[v > Binomial(r, q) ≥ v − i]
  for (let i = 1; i <= v; i++) {
    sum += pmf[v - i]!;
    if (sum > i * alpha) alpha = sum / i;
  }
  return Math.min(beta + alpha * delta * 2 * m, 1);
}

/**
 * The largest ε (to bisection precision, rounded down) such that the observed guesses reject
 * (ε, δ)-DP at the given confidence: the mechanism that ran is not (ε', δ)-DP for any ε' below
 * it, except with probability 1 − confidence. 0 when nothing can be rejected.
 */
export function oneRunEpsilonLowerBound(counts: OneRunAuditCounts, options: OneRunBoundOptions): number {
  checkCounts(counts);
  checkDelta(options.delta);
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) {
    throw new ConfidantError('audit.invalid-confidence', `confidence must be in (0, 1), got ${confidence}`, {
      where: { field: 'confidence' },
    });
  }
  const significance = 1 - confidence;
  let low = 0; // p(low) < significance is maintained (or low = 0)
  let high = 1; // p(high) ≥ significance is maintained
  while (pValue(counts, high, options.delta) < significance) high += 1;
  for (let step = 0; step < BISECTION_STEPS; step++) {
    const mid = (low + high) / 2;
    if (pValue(counts, mid, options.delta) < significance) low = mid;
    else high = mid;
  }
  return low;
}
