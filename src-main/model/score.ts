/**
 * Per-token log-probabilities log p(x_t | x_<t) for a batch of token sequences, as the
 * audits (membership inference, exposure) and `confidant score` need. Sequences are
 * sorted by length and batched with right padding and an attention mask, so a batch
 * scores exactly as each sequence alone would (causal attention never sees the padding).
 */
import * as tf from '@tensorflow/tfjs';
import { logProbRows } from '../engine/fusedOps.js';
import type { AdapterMap, CausalLm } from './causalLm.js';
import { checkTokenIds } from './causalLm.js';
import type { TextTokenizer } from './tokenizer.js';

/**
 * log p(ids[:, t+1] | ids[:, ..t]) as a [B, T-1] tensor; differentiable (use inside
 * tf.grad / tf.variableGrads for a loss). Entries where the target is padding are garbage:
 * mask them with the attention mask shifted by one.
 */
export function tokenLogProbs(
  model: CausalLm,
  ids: tf.Tensor2D,
  options: { attentionMask?: readonly (readonly number[])[]; adapters?: AdapterMap; training?: boolean } = {},
): tf.Tensor2D {
  return tf.tidy(() => {
    const [batch, time] = ids.shape;
    const vocab = model.config.vocabSize;
    const logits = model.forward(ids, options); // [B, T, V]
    // log-softmax at the next token of every position (the last one's target is a dummy 0,
    // dropped): one fused kernel each way on the native backend (engine/fusedOps.ts)
    const next = ids.slice([0, 1], [batch, time - 1]).pad([
      [0, 0],
      [0, 1],
    ]);
    return logProbRows(
      logits.reshape([batch * time, vocab]) as tf.Tensor2D,
      next.reshape([-1]) as tf.Tensor1D,
    )
      .reshape([batch, time])
      .slice([0, 0], [batch, time - 1]) as tf.Tensor2D;
  });
}

export interface ScoreOptions {
  /** Sequences per forward pass (default 8). */
  readonly batchSize?: number;
  readonly adapters?: AdapterMap;
}

/** For each sequence, the log-probabilities of tokens 1..n-1 (n-1 numbers; empty if n < 2). */
export async function scoreTokenSequences(
  model: CausalLm,
  sequences: readonly (readonly number[])[],
  options: ScoreOptions = {},
): Promise<number[][]> {
  for (const s of sequences) checkTokenIds(model, s);
  const batchSize = Math.max(1, options.batchSize ?? 8);
  const result: number[][] = sequences.map(() => []);
  const order = sequences
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.length >= 2)
    .sort((a, b) => a.s.length - b.s.length);
  for (let start = 0; start < order.length; start += batchSize) {
    const group = order.slice(start, start + batchSize);
    const time = Math.max(...group.map(({ s }) => s.length));
    const padded = group.map(({ s }) => [...s, ...new Array<number>(time - s.length).fill(0)]);
    const mask = group.map(({ s }) => padded[0]!.map((_, t) => (t < s.length ? 1 : 0)));
    const ids = tf.tensor2d(padded, [group.length, time], 'int32');
    const lp = tokenLogProbs(model, ids, {
      attentionMask: mask,
      ...(options.adapters ? { adapters: options.adapters } : {}),
    });
    ids.dispose();
    const data = (await lp.data()) as Float32Array;
    lp.dispose();
    group.forEach(({ s, i }, row) => {
      result[i] = Array.from(data.subarray(row * (time - 1), row * (time - 1) + s.length - 1));
    });
  }
  return result;
}

export interface TextScore {
  /** Tokens scored (the first token, or the BOS token, is context only). */
  readonly tokens: number;
  /** Mean negative log-likelihood per scored token, in nats; null when nothing was scored. */
  readonly meanNll: number | null;
  readonly logProbs: number[];
}

/**
 * Token ids for scoring a text: the tokenizer's ids, with the model's BOS token in front
 * when the tokenizer did not add one (so the first real token is scored too).
 */
export function scoringIds(model: CausalLm, tokenizer: TextTokenizer, text: string): number[] {
  const ids = tokenizer.encode(text);
  const bos = model.config.bosTokenId;
  return bos !== null && ids[0] !== bos ? [bos, ...ids] : ids;
}

export async function scoreTexts(
  model: CausalLm,
  tokenizer: TextTokenizer,
  texts: readonly string[],
  options: ScoreOptions = {},
): Promise<TextScore[]> {
  const seqs = texts.map((t) => scoringIds(model, tokenizer, t));
  const scores = await scoreTokenSequences(model, seqs, options);
  return scores.map((lp) => ({
    tokens: lp.length,
    meanNll: lp.length === 0 ? null : -lp.reduce((a, b) => a + b, 0) / lp.length,
    logProbs: lp,
  }));
}
