/**
 * Choosing the next token from logits: greedy (argmax), or sampling at a temperature from
 * the top-k tokens and the top-p nucleus (Holtzman et al. 2020, "The Curious Case of Neural
 * Text Degeneration"), with a seeded PRNG so a seed reproduces a generation.
 */
import type { SeededRandom } from './seededRandom.js';

export interface SamplingOptions {
  /** 0 (the default) means greedy. */
  readonly temperature?: number;
  /** Keep only the k most likely tokens (0 = all). */
  readonly topK?: number;
  /** Keep the smallest set of tokens whose probability reaches p (1 = all). */
  readonly topP?: number;
}

/** Picks a token id from one row of logits. */
export function pickToken(logits: Float32Array, options: SamplingOptions, rng: SeededRandom): number {
  const temperature = options.temperature ?? 0;
  if (temperature <= 0) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
    return best;
  }
  // candidates sorted by logit, descending
  let order = Array.from(logits.keys()).sort((a, b) => logits[b]! - logits[a]!);
  const topK = options.topK ?? 0;
  if (topK > 0) order = order.slice(0, topK);
  const max = logits[order[0]!]!;
  let probs = order.map((i) => Math.exp((logits[i]! - max) / temperature));
  let total = probs.reduce((a, b) => a + b, 0);
  const topP = options.topP ?? 1;
  if (topP < 1) {
    let cumulative = 0;
    let keep = 0;
    while (keep < probs.length) {
      cumulative += probs[keep]! / total;
      keep++;
      if (cumulative >= topP) break;
    }
    order = order.slice(0, keep);
    probs = probs.slice(0, keep);
    total = probs.reduce((a, b) => a + b, 0);
  }
  let u = rng.next() * total;
  for (let i = 0; i < order.length; i++) {
    u -= probs[i]!;
    if (u < 0) return order[i]!;
  }
  return order[order.length - 1]!;
}
