/**
 * Membership-inference scores for one text from its per-token log-probabilities (pure
 * functions; higher score = more likely a training member).
 *
 * - loss: the mean token log-likelihood, i.e. minus the loss (Yeom et al. 2018, "Privacy Risk
 *   in Machine Learning: Analyzing the Connection to Overfitting", CSF).
 * - reference: reference loss minus target loss, the difficulty calibration of Watson et al.
 *   2022 ("On the Importance of Difficulty Calibration in Membership Inference Attacks",
 *   ICLR) and the offline LiRA idea of Carlini et al. 2022 ("Membership Inference Attacks
 *   From First Principles", IEEE S&P) with the base model (and any extra adapters) as
 *   reference models.
 * - zlib: log-perplexity over zlib entropy (Carlini et al. 2021, "Extracting Training Data
 *   from Large Language Models", USENIX Security): mean log-likelihood / compressed bytes.
 * - min-k: mean log-probability of the k% least likely tokens (Shi et al. 2024, "Detecting
 *   Pretraining Data from Large Language Models", ICLR), k = 20%.
 * - min-k++: the same over tokens standardised by the next-token distribution,
 *   (log p(x_t) − μ_t) / σ_t with μ_t = E_{z∼p}[log p(z)], σ_t² = Var_{z∼p}[log p(z)]
 *   (Zhang et al. 2024, "Min-K%++: Improved Baseline for Detecting Pre-Training Data from
 *   Large Language Models", arXiv:2404.02936).
 * - rmia: offline RMIA (Zarifzadeh, Liu, Shokri 2024, "Low-Cost High-Power Membership
 *   Inference Attacks", ICML): the fraction of population samples z with
 *   LR(x, z) = [p(x|θ)/p(x)] / [p(z|θ)/p(z)] ≥ γ, where p(x) averages the reference models
 *   with the offline correction p(x) ≈ ½((1 + a) p_OUT(x) + (1 − a)), a = 0.3 (the default of
 *   the authors' Privacy Meter). For a text, p(x|θ) is the per-token geometric mean
 *   probability exp(mean log p).
 */
import { deflateSync } from 'node:zlib';
import { ConfidantError } from '../shared/confidantError.js';

function requireTokens(logProbs: readonly number[]): void {
  if (logProbs.length === 0) {
    throw new ConfidantError('audit.empty-text', 'a text with fewer than two tokens cannot be scored', {
      hint: 'drop empty or one-token texts from the audit sets',
    });
  }
}

export function meanOf(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** −loss: mean log p(x_t | x_<t). */
export function lossScore(logProbs: readonly number[]): number {
  requireTokens(logProbs);
  return meanOf(logProbs);
}

/** Target mean log-likelihood minus the references' mean (= reference loss − target loss). */
export function referenceScore(
  target: readonly number[],
  references: readonly (readonly number[])[],
): number {
  requireTokens(target);
  if (references.length === 0) {
    throw new ConfidantError('audit.no-reference', 'the reference-calibrated score needs a reference model', {
      hint: 'pass the base model as the first reference',
    });
  }
  return meanOf(target) - meanOf(references.map((r) => lossScore(r)));
}

/** Bytes of the text compressed by zlib (Python's zlib.compress, level 6). */
export function zlibEntropy(text: string): number {
  return deflateSync(Buffer.from(text, 'utf8')).length;
}

/** Mean log-likelihood / zlib entropy (the negated ratio of Carlini et al. 2021). */
export function zlibScore(text: string, logProbs: readonly number[]): number {
  requireTokens(logProbs);
  return meanOf(logProbs) / zlibEntropy(text);
}

/** Mean of the ⌊k·n⌋ (at least one) smallest values. */
export function meanOfLowest(values: readonly number[], k: number): number {
  const count = Math.max(1, Math.floor(values.length * k));
  return meanOf([...values].sort((a, b) => a - b).slice(0, count));
}

export const DEFAULT_MIN_K = 0.2;

export function minKScore(logProbs: readonly number[], k = DEFAULT_MIN_K): number {
  requireTokens(logProbs);
  return meanOfLowest(logProbs, k);
}

/** Per-position moments of log p under the model's next-token distribution. */
export interface TokenDistributionStats {
  /** μ_t = Σ_v p_v log p_v. */
  readonly mean: readonly number[];
  /** σ_t = sqrt(Σ_v p_v (log p_v)² − μ_t²). */
  readonly std: readonly number[];
}

export function minKPlusPlusScore(
  logProbs: readonly number[],
  stats: TokenDistributionStats,
  k = DEFAULT_MIN_K,
): number {
  requireTokens(logProbs);
  const z = logProbs.map((lp, t) => {
    const sd = stats.std[t]!;
    return sd > 1e-12 ? (lp - stats.mean[t]!) / sd : 0;
  });
  return meanOfLowest(z, k);
}

export interface RmiaOptions {
  /** Offline correction a (default 0.3). */
  readonly a?: number;
  /** Likelihood-ratio threshold γ (default 1). */
  readonly gamma?: number;
}

export interface RmiaSignals {
  /** Mean token log-likelihood under the target model, per text. */
  readonly target: readonly number[];
  /** Mean token log-likelihood under each reference model: [reference][text]. */
  readonly references: readonly (readonly number[])[];
}

/**
 * RMIA scores of the candidate texts against the population texts. Candidates that are also
 * population samples (same index in `sameAs`) are left out of their own comparison. Equal
 * fractions are ordered by the likelihood ratio (a tie-break smaller than 1/|Z|).
 */
export function rmiaScores(
  candidates: RmiaSignals,
  population: RmiaSignals,
  options: RmiaOptions & { readonly sameAs?: readonly (number | null)[] } = {},
): number[] {
  const a = options.a ?? 0.3;
  const gamma = options.gamma ?? 1;
  if (candidates.references.length === 0) {
    throw new ConfidantError('audit.no-reference', 'RMIA needs at least one reference model', {
      hint: 'pass the base model as the first reference',
    });
  }
  if (population.target.length < 2) {
    throw new ConfidantError('audit.rmia-population', 'RMIA needs at least two population texts', {
      hint: 'hold out more non-member texts for the audit',
    });
  }
  const meanProb = (refs: readonly (readonly number[])[], i: number): number =>
    meanOf(refs.map((r) => Math.exp(r[i]!)));
  // log of p(z|θ)/p(z), p(z) = the references' mean (z is out of every model)
  const logRatioZ = population.target.map((t, j) => t - Math.log(meanProb(population.references, j)));
  return candidates.target.map((t, i) => {
    const pOut = meanProb(candidates.references, i);
    const px = 0.5 * ((1 + a) * pOut + (1 - a));
    const logRatioX = t - Math.log(px);
    const self = options.sameAs?.[i] ?? null;
    let count = 0;
    let total = 0;
    logRatioZ.forEach((lz, j) => {
      if (j === self) return;
      total++;
      if (logRatioX - lz >= Math.log(gamma)) count++;
    });
    const tieBreak = 1 / (1 + Math.exp(-logRatioX)); // in (0, 1)
    return count / total + tieBreak / (2 * (total + 1));
  });
}
