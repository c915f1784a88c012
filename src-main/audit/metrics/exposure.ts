/**
 * Canary exposure (N. Carlini, C. Liu, Ú. Erlingsson, J. Kos, D. Song, "The Secret Sharer:
 * Evaluating and Testing Unintended Memorization in Neural Networks", USENIX Security 2019).
 *
 * The paper's definition of exposure (§4): exposure = log₂|R| − log₂ rank(canary), where R is the candidate
 * space (the canary and every other candidate secret) and rank is the canary's position when
 * all candidates are sorted by log-perplexity, rank 1 the lowest. Following the paper's
 * definition rank = |{r' ∈ R : Px(s[r']) ≤ Px(s[r])}|, a candidate tied with the canary
 * counts as ranked before it (lower exposure: the conservative side for a privacy claim).
 *
 * When R is too large to enumerate, the paper's approximation "by distribution modeling" fits a
 * skew-normal to the log-perplexities of sampled candidates and estimates
 * exposure ≈ −log₂ Pr_{t∼fit}[t ≤ Px(canary)]. The fit here is the method of moments
 * (see skewNormal.ts). Since rank ≥ 1, exposure never exceeds log₂|R|; when |R| is known the
 * estimate is capped there.
 */
import { ConfidantError } from '../../shared/confidantError.js';
import { skewNormalLogCdf, type SkewNormalParameters } from './skewNormal.js';
import { fitSkewNormalByMaximumLikelihood } from './skewNormalMle.js';

/** exposure = log₂|R| − log₂ rank (Carlini et al. 2019). */
export function exposureFromRank(rank: number, spaceSize: number): number {
  if (!Number.isInteger(rank) || rank < 1 || !(spaceSize >= rank)) {
    throw new ConfidantError('audit.invalid-rank', `rank ${rank} is not in 1..${spaceSize}`, {
      hint: 'the rank of a candidate is between 1 and the size of the candidate space',
    });
  }
  return Math.log2(spaceSize) - Math.log2(rank);
}

/**
 * Exact exposure when the whole candidate space was scored: `otherCandidates` holds the
 * log-perplexity of every candidate except the canary, so |R| = otherCandidates.length + 1.
 */
export function exactExposure(canaryLogPerplexity: number, otherCandidates: readonly number[]): number {
  let atOrBelow = 0;
  for (const x of otherCandidates) if (x <= canaryLogPerplexity) atOrBelow++;
  return exposureFromRank(atOrBelow + 1, otherCandidates.length + 1);
}

export interface EstimatedExposure {
  /** −log₂ F(canary), capped at log₂|R| when |R| is given. */
  readonly exposure: number;
  /** The skew-normal fitted to the sampled candidates' log-perplexities. */
  readonly fit: SkewNormalParameters;
}

/** Exposure by the skew-normal extrapolation of Carlini et al. 2019. */
export function estimatedExposure(
  canaryLogPerplexity: number,
  sampledCandidates: readonly number[],
  spaceSize?: number,
): EstimatedExposure {
  // maximum likelihood, as TF Privacy's compute_exposure_extrapolation (scipy skewnorm.fit)
  const fit = fitSkewNormalByMaximumLikelihood(sampledCandidates);
  const uncapped = -skewNormalLogCdf(canaryLogPerplexity, fit) / Math.LN2;
  const exposure = spaceSize === undefined ? uncapped : Math.min(uncapped, Math.log2(spaceSize));
  return { exposure: Math.max(0, exposure), fit };
}
