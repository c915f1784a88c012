/**
 * Batched greedy decoding for the extraction and PII-leakage attacks (Carlini et al. 2021;
 * Nasr et al. 2023, "Scalable Extraction of Training Data from (Production) Language
 * Models", discoverable memorisation uses greedy decoding): prompts of different lengths are
 * left-padded with an attention mask, run once, then one token per step with the KV cache.
 * Prompts too long for the context keep their last tokens.
 */
import * as tf from '@tensorflow/tfjs';
import type { AdapterMap, CausalLm } from '../model/index.js';
import { KvCache } from '../model/index.js';

export interface GreedyOptions {
  readonly newTokens: number;
  readonly adapters?: AdapterMap;
  /** Prompts per forward pass (default 16). */
  readonly batchSize?: number;
}

async function decodeBatch(
  model: CausalLm,
  prompts: readonly (readonly number[])[],
  options: GreedyOptions,
): Promise<number[][]> {
  const batch = prompts.length;
  const keep = Math.max(1, model.config.contextLength - options.newTokens);
  const cut = prompts.map((p) => p.slice(Math.max(0, p.length - keep)));
  const width = Math.max(...cut.map((p) => p.length));
  const padded = cut.map((p) => [...new Array<number>(width - p.length).fill(0), ...p]);
  const mask = cut.map((p) => [
    ...new Array<number>(width - p.length).fill(0),
    ...new Array<number>(p.length).fill(1),
  ]);
  const cache = new KvCache(model.config.nLayers);
  const out: number[][] = prompts.map(() => []);
  try {
    let input = tf.tensor2d(padded, [batch, width], 'int32');
    let first = true;
    for (let step = 0; step < options.newTokens; step++) {
      const next = tf.tidy(() => {
        const logits = model.forward(input, {
          cache,
          ...(first ? { attentionMask: mask } : {}),
          ...(options.adapters ? { adapters: options.adapters } : {}),
        });
        const time = logits.shape[1];
        return logits
          .slice([0, time - 1, 0], [batch, 1, -1])
          .reshape([batch, -1])
          .argMax(-1);
      });
      input.dispose();
      first = false;
      const ids = Array.from((await next.data()) as Int32Array);
      next.dispose();
      ids.forEach((id, b) => out[b]!.push(id));
      input = tf.tensor2d(
        ids.map((id) => [id]),
        [batch, 1],
        'int32',
      );
    }
    input.dispose();
  } finally {
    cache.dispose();
  }
  return out;
}

/** The `newTokens` greedy continuation of each prompt (prompts must be non-empty). */
export async function greedyDecode(
  model: CausalLm,
  prompts: readonly (readonly number[])[],
  options: GreedyOptions,
): Promise<number[][]> {
  const batchSize = Math.max(1, options.batchSize ?? 16);
  const order = prompts.map((p, i) => ({ p, i })).sort((a, b) => a.p.length - b.p.length);
  const out: number[][] = prompts.map(() => []);
  for (let start = 0; start < order.length; start += batchSize) {
    const group = order.slice(start, start + batchSize);
    const decoded = await decodeBatch(
      model,
      group.map((g) => g.p),
      options,
    );
    group.forEach((g, k) => (out[g.i] = decoded[k]!));
  }
  return out;
}
