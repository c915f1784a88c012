/**
 * Checks after training, shown to the user and recorded in the summary: the adapter
 * changed; the eval loss is finite; it is not worse than the base model's beyond a
 * tolerance; and for a DP run, that the noise was actually applied: the measured norm of
 * the added noise, averaged over the steps, is within 10% of its expectation σ·C·√d (for
 * d ≥ 100 parameters a χ_d norm is within 10% of √d with overwhelming probability; a run
 * with the noise silently off measures 0).
 */
import type { SanityCheck } from './trainingSummary.js';

/** The eval loss may rise by at most this many nats over the base model's. */
export const EVAL_LOSS_TOLERANCE_NATS = 0.05;

export interface SanityInputs {
  readonly initialParams: readonly Float32Array[];
  readonly finalParams: readonly Float32Array[];
  readonly baseEvalLoss: number;
  readonly finalEvalLoss: number;
  /** null for a non-private run. */
  readonly meanNoiseRatio: number | null;
}

export function sanityChecks(input: SanityInputs): SanityCheck[] {
  let change = 0;
  let norm = 0;
  input.finalParams.forEach((p, k) =>
    p.forEach((v, i) => {
      const d = v - input.initialParams[k]![i]!;
      change += d * d;
      norm += v * v;
    }),
  );
  const relative = norm > 0 ? Math.sqrt(change / norm) : 0;
  const checks: SanityCheck[] = [
    {
      name: 'adapter-changed',
      passed: change > 0 && Number.isFinite(change),
      detail: `relative change of the adapter weights: ${relative.toExponential(2)}`,
    },
    {
      name: 'eval-loss-finite',
      passed: Number.isFinite(input.finalEvalLoss),
      detail: `final eval loss ${input.finalEvalLoss.toFixed(4)} nats/token`,
    },
    {
      name: 'eval-loss-not-worse',
      passed: input.finalEvalLoss <= input.baseEvalLoss + EVAL_LOSS_TOLERANCE_NATS,
      detail: `eval loss ${input.baseEvalLoss.toFixed(4)} (base model) → ${input.finalEvalLoss.toFixed(4)} (tolerance +${EVAL_LOSS_TOLERANCE_NATS})`,
    },
  ];
  if (input.meanNoiseRatio !== null) {
    checks.push({
      name: 'noise-applied',
      passed: Math.abs(input.meanNoiseRatio - 1) <= 0.1,
      detail: `measured noise norm / expected σ·C·√d = ${input.meanNoiseRatio.toFixed(3)} (must be within 10% of 1)`,
    });
  }
  return checks;
}
