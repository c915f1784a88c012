/**
 * Batched scoring equals one-by-one scoring (different lengths, right padding + mask) and
 * equals log-softmax of the full forward pass computed naively here.
 */
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  parseModelConfig,
  randomModel,
  scoreTexts,
  scoreTokenSequences,
  TextTokenizer,
} from '../../../src-main/model/index.js';
import { TINY_GPT2, TINY_QWEN2 } from './tinyModels.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function naiveLogProbs(model: ReturnType<typeof randomModel>, seq: number[]): number[] {
  const logits = model.forward(tf.tensor2d([seq], [1, seq.length], 'int32'));
  const rows = (logits.arraySync() as number[][][])[0]!;
  logits.dispose();
  const out: number[] = [];
  for (let t = 0; t + 1 < seq.length; t++) {
    const row = rows[t]!;
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0));
    out.push(row[seq[t + 1]!]! - lse);
  }
  return out;
}

const seqs = [[4, 8, 15, 16, 23, 42], [7], [1, 2], [9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 30], [3, 1, 4, 1, 5]];

describe('batched scoring', () => {
  for (const [name, cfg] of [
    ['GPT-2', TINY_GPT2],
    ['Qwen2', TINY_QWEN2],
  ] as const) {
    it(`${name}: batch of 3 = one by one = naive log-softmax (tol 1e-5)`, async () => {
      const model = randomModel(parseModelConfig(cfg), 5, { std: 0.3, biasStd: 0.1 });
      const before = tf.memory().numTensors;
      const batched = await scoreTokenSequences(model, seqs, { batchSize: 3 });
      expect(tf.memory().numTensors).toBe(before); // no tensor leaks
      const single = await scoreTokenSequences(model, seqs, { batchSize: 1 });
      expect(batched.map((s) => s.length)).toEqual(seqs.map((s) => Math.max(0, s.length - 1)));
      seqs.forEach((seq, i) => {
        const naive = naiveLogProbs(model, seq);
        batched[i]!.forEach((v, t) => {
          expect(Math.abs(v - single[i]![t]!)).toBeLessThan(1e-5);
          expect(Math.abs(v - naive[t]!)).toBeLessThan(1e-5);
          expect(v).toBeLessThan(0);
        });
      });
      model.dispose();
    });
  }

  it('token ids outside the vocabulary are refused', async () => {
    const model = randomModel(parseModelConfig(TINY_GPT2), 5);
    await expect(scoreTokenSequences(model, [[1, 2, 97]])).rejects.toMatchObject({
      code: 'MODEL_TOKEN_OUT_OF_RANGE',
    });
    model.dispose();
  });

  it('scoreTexts prepends BOS and reports the mean NLL in nats', async () => {
    const tok = await TextTokenizer.load(resolve(import.meta.dirname, '../../fixtures/model/tiny-bpe'));
    const model = randomModel(parseModelConfig({ ...TINY_GPT2, vocab_size: 321, bos_token_id: 320 }), 6, {
      std: 0.2,
    });
    const [s] = await scoreTexts(model, tok, ['the patient was admitted']);
    const ids = tok.encode('the patient was admitted');
    expect(s!.tokens).toBe(ids.length); // BOS gives the first token a context
    const naive = naiveLogProbs(model, [320, ...ids]);
    expect(s!.meanNll).toBeCloseTo(-naive.reduce((a, b) => a + b, 0) / naive.length, 5);
    model.dispose();
  });
});
