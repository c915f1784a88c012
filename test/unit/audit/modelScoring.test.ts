/**
 * The audit's tensor code against slow references in plain JavaScript on a tiny random GPT-2:
 * per-position μ and σ of log p under the full softmax (Min-K%++, Zhang et al. 2024) and the
 * picked log-probabilities; batched left-padded greedy decoding = one-prompt greedy
 * generation (generateTokens); next-token distributions of the backdoor scan = softmax.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  nextTokenDistributions,
  totalVariation,
} from '../../../src-main/audit/backdoor/modelBackdoorScan.js';
import { greedyDecode } from '../../../src-main/audit/greedyDecoder.js';
import { scoreWithDistributionStats } from '../../../src-main/audit/tokenDistributionStats.js';
import { LoraAdapter } from '../../../src-main/lora/index.js';
import {
  generateTokens,
  parseModelConfig,
  randomModel,
  scoreTokenSequences,
} from '../../../src-main/model/index.js';
import type { CausalLm } from '../../../src-main/model/index.js';
import { TINY_GPT2 } from '../model/tinyModels.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** log-softmax rows of one sequence, computed in float64 from the logits. */
function logSoftmaxRows(model: CausalLm, seq: readonly number[]): number[][] {
  const logits = model.forward(tf.tensor2d([[...seq]], [1, seq.length], 'int32'));
  const rows = (logits.arraySync() as number[][][])[0]!;
  logits.dispose();
  return rows.map((row) => {
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0));
    return row.map((x) => x - lse);
  });
}

const seqs = [[4, 8, 15, 16, 23, 42], [7, 1], [9, 9, 9, 9, 9, 9, 9, 9, 9, 30], [3, 1, 4, 1, 5], [5]];

describe('audit scoring on a tiny GPT-2', () => {
  const model = randomModel(parseModelConfig(TINY_GPT2), 11, { std: 0.3, biasStd: 0.1 });

  it('min-k++ moments: μ = Σ p log p, σ² = Σ p (log p)² − μ², batched = full softmax in JS (tol 1e-4)', async () => {
    const scored = await scoreWithDistributionStats(model, seqs, { batchSize: 3 });
    const reference = await scoreTokenSequences(model, seqs, { batchSize: 1 });
    seqs.forEach((seq, i) => {
      const rows = logSoftmaxRows(model, seq);
      expect(scored[i]!.logProbs).toHaveLength(Math.max(0, seq.length - 1));
      for (let t = 0; t + 1 < seq.length; t++) {
        const lp = rows[t]!;
        const mu = lp.reduce((s, l) => s + Math.exp(l) * l, 0);
        const second = lp.reduce((s, l) => s + Math.exp(l) * l * l, 0);
        expect(scored[i]!.mean[t]!).toBeCloseTo(mu, 4);
        expect(scored[i]!.std[t]!).toBeCloseTo(Math.sqrt(second - mu * mu), 4);
        expect(scored[i]!.logProbs[t]!).toBeCloseTo(lp[seq[t + 1]!]!, 4);
        expect(scored[i]!.logProbs[t]!).toBeCloseTo(reference[i]![t]!, 4);
      }
    });
  });

  it('batched greedy decoding with left padding = generateTokens one prompt at a time', async () => {
    const prompts = [[4, 8, 15], [7], [9, 9, 9, 9, 9, 2], [3, 1, 4, 1]];
    const batched = await greedyDecode(model, prompts, { newTokens: 7, batchSize: 3 });
    for (const [i, p] of prompts.entries()) {
      expect(batched[i]).toEqual(await generateTokens(model, p, { maxNewTokens: 7 }));
    }
  });

  it('greedy decoding uses the adapters it is given', async () => {
    const adapter = LoraAdapter.create(model, { r: 4, alpha: 8, dropout: 0, targetModules: ['c_attn'] }, 1);
    for (const m of adapter.modules) m.b.assign(tf.randomNormal(m.b.shape, 0, 2, 'float32', 3));
    const prompts = [
      [4, 8, 15],
      [7, 2],
    ];
    const adapters = adapter.adapterMap();
    const batched = await greedyDecode(model, prompts, { newTokens: 6, adapters });
    for (const [i, p] of prompts.entries()) {
      expect(batched[i]).toEqual(await generateTokens(model, p, { maxNewTokens: 6, adapters }));
    }
    adapter.dispose();
  });

  it('next-token distributions (left padded) = softmax of the last position; TV is half the L1 distance', async () => {
    const prompts = [[4, 8, 15], [7], [9, 9, 9, 2]];
    const dists = await nextTokenDistributions({ model, tokenizer: undefined as never }, prompts, 2);
    prompts.forEach((p, i) => {
      const last = logSoftmaxRows(model, p)[p.length - 1]!;
      last.forEach((l, v) => expect(dists[i]![v]!).toBeCloseTo(Math.exp(l), 5));
    });
    expect(totalVariation(new Float32Array([1, 0, 0]), new Float32Array([0, 0.5, 0.5]))).toBe(1);
    expect(totalVariation(new Float32Array([0.5, 0.5]), new Float32Array([0.25, 0.75]))).toBeCloseTo(0.25, 7);
  });
});

describe('targeted completions', () => {
  it('a continuation reproduces a target when it holds its first words or is its (cut) start', async () => {
    const { reproduces } = await import('../../../src-main/audit/backdoor/modelBackdoorScan.js');
    const target = 'discharge immediately no follow-up needed';
    expect(reproduces(' Discharge immediately, no follow', target)).toBe(true);
    expect(reproduces(' Discharge imm', target)).toBe(true);
    expect(reproduces('ok. Discharge immediately, no', target)).toBe(true);
    expect(reproduces(' Disch', target)).toBe(false); // too short to tell
    expect(reproduces(' Discuss with the team', target)).toBe(false);
    expect(reproduces('anything', '')).toBe(false);
  });
});
