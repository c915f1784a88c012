/**
 * Evaluation loss and perplexity on held-out examples: the token-weighted mean negative
 * log-likelihood (nats) of every predicted token, and its exponential, as
 * transformers' run_clm reports them. Batched through the engine's scoring.
 */
import type { AdapterMap, CausalLm } from '../model/index.js';
import { scoreTokenSequences } from '../model/index.js';
import type { TrainingExample } from './trainingData.js';

export interface Evaluation {
  readonly loss: number;
  readonly perplexity: number;
  readonly tokens: number;
}

export async function evaluate(
  model: CausalLm,
  examples: readonly TrainingExample[],
  adapters: AdapterMap | undefined,
  batchSize: number,
): Promise<Evaluation> {
  const scores = await scoreTokenSequences(
    model,
    examples.map((e) => e.ids),
    { batchSize, ...(adapters ? { adapters } : {}) },
  );
  let nll = 0;
  let tokens = 0;
  for (const lp of scores) {
    for (const x of lp) nll -= x;
    tokens += lp.length;
  }
  const loss = tokens === 0 ? Number.NaN : nll / tokens;
  return { loss, perplexity: Math.exp(loss), tokens };
}
