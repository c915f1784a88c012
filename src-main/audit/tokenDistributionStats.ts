/**
 * Per-position log-probabilities together with the moments of log p under the full
 * next-token distribution, as Min-K%++ needs (Zhang et al. 2024, arXiv:2404.02936):
 * μ_t = Σ_v p_v log p_v and σ_t² = Σ_v p_v (log p_v)² − μ_t², from the logits of one batched
 * forward pass (right padding + attention mask, as scoreTokenSequences batches).
 */
import * as tf from '@tensorflow/tfjs';
import type { AdapterMap, CausalLm } from '../model/index.js';

/** Logits held at once (16M floats, 64 MB; the softmax moments need a few such tensors). */
const MAX_LOGITS = 1 << 24;

export interface ScoredSequence {
  /** log p(x_{t+1} | x_≤t), n − 1 numbers. */
  readonly logProbs: number[];
  readonly mean: number[];
  readonly std: number[];
}

export async function scoreWithDistributionStats(
  model: CausalLm,
  sequences: readonly (readonly number[])[],
  options: { readonly adapters?: AdapterMap; readonly batchSize?: number } = {},
): Promise<ScoredSequence[]> {
  const batchSize = Math.max(1, options.batchSize ?? 8);
  const vocab = model.config.vocabSize;
  const out: ScoredSequence[] = sequences.map(() => ({ logProbs: [], mean: [], std: [] }));
  const order = sequences
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.length >= 2)
    .sort((x, y) => x.s.length - y.s.length);
  for (let start = 0; start < order.length;) {
    // at most batchSize sequences, and at most MAX_LOGITS logits (large vocabularies)
    const longest = (n: number) => order[Math.min(order.length, start + n) - 1]!.s.length;
    let size = Math.min(batchSize, order.length - start);
    while (size > 1 && size * longest(size) * vocab > MAX_LOGITS) size--;
    const group = order.slice(start, start + size);
    start += size;
    const time = Math.max(...group.map(({ s }) => s.length));
    const padded = group.map(({ s }) => [...s, ...new Array<number>(time - s.length).fill(0)]);
    const mask = group.map(({ s }) => padded[0]!.map((_, t) => (t < s.length ? 1 : 0)));
    const [picked, mu, sigma] = tf.tidy(() => {
      const ids = tf.tensor2d(padded, [group.length, time], 'int32');
      const logits = model.forward(ids, {
        attentionMask: mask,
        ...(options.adapters ? { adapters: options.adapters } : {}),
      });
      const logp = tf.logSoftmax(logits.slice([0, 0, 0], [group.length, time - 1, vocab]), -1);
      const p = tf.exp(logp);
      const m = tf.sum(p.mul(logp), -1);
      const second = tf.sum(p.mul(logp.square()), -1);
      const sd = tf.sqrt(tf.relu(second.sub(m.square())));
      // flat index of logp[b, t, ids[b, t+1]]
      const rows = tf.range(0, group.length * (time - 1), 1, 'int32');
      const targets = ids.slice([0, 1], [group.length, time - 1]).reshape([-1]);
      const index = rows.mul(tf.scalar(vocab, 'int32')).add(targets);
      const lp = tf.gather(logp.reshape([-1]), index).reshape([group.length, time - 1]);
      return [lp, m, sd];
    });
    const [lpData, muData, sdData] = await Promise.all([picked.data(), mu.data(), sigma.data()]);
    tf.dispose([picked, mu, sigma]);
    group.forEach(({ s, i }, row) => {
      const from = row * (time - 1);
      const to = from + s.length - 1;
      out[i] = {
        logProbs: Array.from(lpData.subarray(from, to)),
        mean: Array.from(muData.subarray(from, to)),
        std: Array.from(sdData.subarray(from, to)),
      };
    });
  }
  return out;
}
