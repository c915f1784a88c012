/**
 * Canary exposure (Carlini et al. 2019, "The Secret Sharer"): on a tiny enumerable space the
 * exact method equals a brute-force rank computed here from naive one-sequence forward passes;
 * the sampled method (skew-normal extrapolation) agrees with it within a stated tolerance;
 * per-repetition summaries and verdicts.
 */
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededAuditRandom } from '../../../src-main/audit/auditRandom.js';
import { candidateAt, type CanaryFormat } from '../../../src-main/audit/canaries/canaryFormat.js';
import { canaryExposures, canaryResult } from '../../../src-main/audit/canaryExposure.js';
import { parseModelConfig, randomModel, scoringIds, TextTokenizer } from '../../../src-main/model/index.js';
import type { CausalLm } from '../../../src-main/model/index.js';

let tokenizer: TextTokenizer;
beforeAll(async () => {
  await tf.setBackend('cpu');
  tokenizer = await TextTokenizer.load(resolve(import.meta.dirname, '../../fixtures/model/tiny-bpe'));
});

const CONFIG = {
  model_type: 'gpt2',
  vocab_size: 321,
  n_positions: 32,
  n_embd: 16,
  n_layer: 1,
  n_head: 2,
  layer_norm_epsilon: 1e-5,
  bos_token_id: 320,
  eos_token_id: 320,
};
const FORMAT: CanaryFormat = { name: 'code ##', prefix: 'code ', pattern: '##', suffix: '.' };

/** −Σ log p of the tokens after the prefix, from one naive forward pass. */
function naiveLogPerplexity(model: CausalLm, secret: string): number {
  const context = scoringIds(model, tokenizer, FORMAT.prefix.trimEnd());
  const ids = scoringIds(model, tokenizer, FORMAT.prefix + secret);
  let shared = 0;
  while (shared < context.length && ids[shared] === context[shared]) shared++;
  const logits = model.forward(tf.tensor2d([ids], [1, ids.length], 'int32'));
  const rows = (logits.arraySync() as number[][][])[0]!;
  logits.dispose();
  let sum = 0;
  for (let t = Math.max(1, shared); t < ids.length; t++) {
    const row = rows[t - 1]!;
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0));
    sum -= row[ids[t]!]! - lse;
  }
  return sum;
}

describe('canary exposure', () => {
  const model = randomModel(parseModelConfig(CONFIG), 5, { std: 0.5, biasStd: 0.1 });
  const design = {
    format: FORMAT,
    inserted: [
      { secret: '07', repetitions: 1 },
      { secret: '42', repetitions: 8 },
      { secret: '99', repetitions: 8 },
    ],
    neverInserted: [{ secret: '13' }, { secret: '58' }],
  };

  it('exact method = brute-force rank over all 100 candidates', async () => {
    const brute = Array.from({ length: 100 }, (_, i) => naiveLogPerplexity(model, candidateAt(FORMAT, i)));
    const { method, exposures } = await canaryExposures({ model, tokenizer }, design, {
      random: seededAuditRandom(1),
    });
    expect(method).toBe('exact');
    for (const e of exposures) {
      const own = brute[Number(e.secret)]!;
      const rank = brute.filter((x) => x <= own).length;
      expect(e.logPerplexity).toBeCloseTo(own, 4);
      expect(e.exposure).toBeCloseTo(Math.log2(100) - Math.log2(rank), 10);
    }
    // the most likely candidate has the maximal exposure log2(100)
    const best = brute.indexOf(Math.min(...brute));
    const top = await canaryExposures(
      { model, tokenizer },
      {
        format: FORMAT,
        inserted: [{ secret: candidateAt(FORMAT, best), repetitions: 1 }],
        neverInserted: [],
      },
      { random: seededAuditRandom(1) },
    );
    expect(top.exposures[0]!.exposure).toBeCloseTo(Math.log2(100), 10);
  });

  it('sampled method (skew-normal) is within 1.5 bits of the exact exposure here', async () => {
    const exact = await canaryExposures({ model, tokenizer }, design, { random: seededAuditRandom(1) });
    const estimated = await canaryExposures({ model, tokenizer }, design, {
      random: seededAuditRandom(2),
      exactLimit: 10,
      samples: 400,
    });
    expect(estimated.method).toBe('estimated');
    estimated.exposures.forEach((e, i) => {
      expect(e.exposure).toBeGreaterThanOrEqual(0);
      expect(e.exposure).toBeLessThanOrEqual(Math.log2(100) + 1e-9);
      expect(Math.abs(e.exposure - exact.exposures[i]!.exposure)).toBeLessThan(1.5);
    });
  });

  it('summarises exposure per repetition count (0 = never inserted) with a verdict against log2|R|', () => {
    const exposures = [
      { secret: '07', repetitions: 1, logPerplexity: 1, exposure: 1 },
      { secret: '42', repetitions: 8, logPerplexity: 1, exposure: 6 },
      { secret: '99', repetitions: 8, logPerplexity: 1, exposure: 4 },
      { secret: '13', repetitions: 0, logPerplexity: 1, exposure: 0.5 },
      { secret: '58', repetitions: 0, logPerplexity: 1, exposure: 1.5 },
    ];
    const r = canaryResult(design, 'exact', exposures);
    expect(r.maxExposure).toBeCloseTo(Math.log2(100), 12);
    expect(r.perRepetition).toEqual([
      { repetitions: 0, canaries: 2, meanExposure: 1, maxExposure: 1.5 },
      { repetitions: 1, canaries: 1, meanExposure: 1, maxExposure: 1 },
      { repetitions: 8, canaries: 2, meanExposure: 5, maxExposure: 6 },
    ]);
    expect(r.verdict).toBe('fail'); // 5 / 6.64 > 0.5
    expect(
      canaryResult(
        design,
        'exact',
        exposures.map((e) => ({ ...e, exposure: 1 })),
      ).verdict,
    ).toBe('pass');
  });
});
