/**
 * Generation: the KV cache gives exactly the tokens of full recomputation (greedy and
 * seeded sampling, GPT-2 and Llama with GQA), stop tokens and max tokens are honoured, a
 * seed reproduces a sample, and the sampler draws from softmax(logits / T) restricted to
 * top-k / top-p (chi-square test with a fixed seed).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  generateTokens,
  parseModelConfig,
  randomModel,
  SeededRandom,
  TextStreamer,
} from '../../../src-main/model/index.js';
import { pickToken } from '../../../src-main/model/sampling.js';
import { TINY_GPT2, TINY_LLAMA } from './tinyModels.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const models = [
  ['GPT-2', TINY_GPT2],
  ['Llama', TINY_LLAMA],
] as const;

describe('generation with a KV cache equals generation without it', () => {
  for (const [name, cfg] of models) {
    it(name, async () => {
      const model = randomModel(parseModelConfig(cfg), 3, { std: 0.3, biasStd: 0.1 });
      const prompt = [5, 17, 42, 8];
      for (const sampling of [{}, { temperature: 0.9, topK: 20, topP: 0.95, seed: 11 }]) {
        const withCache = await generateTokens(model, prompt, { maxNewTokens: 12, ...sampling });
        const without = await generateTokens(model, prompt, {
          maxNewTokens: 12,
          useCache: false,
          ...sampling,
        });
        expect(withCache).toHaveLength(12);
        expect(withCache).toEqual(without);
      }
      const before = tf.memory().numTensors;
      await generateTokens(model, prompt, { maxNewTokens: 3 });
      expect(tf.memory().numTensors).toBe(before); // no tensor leaks
      model.dispose();
    });
  }
});

describe('generation controls', () => {
  const model = randomModel(parseModelConfig(TINY_GPT2), 4, { std: 0.3 });

  it('stops at a stop token (included) and streams each token', async () => {
    const free = await generateTokens(model, [1, 2, 3], { maxNewTokens: 10 });
    const stopAt = free[4]!;
    const streamed: number[] = [];
    const stopped = await generateTokens(model, [1, 2, 3], {
      maxNewTokens: 10,
      stopTokens: [stopAt],
      onToken: (id) => streamed.push(id),
    });
    expect(stopped).toEqual(free.slice(0, free.indexOf(stopAt) + 1));
    expect(streamed).toEqual(stopped);
  });

  it('a seed reproduces a sample; different seeds differ', async () => {
    const opts = { maxNewTokens: 15, temperature: 1.5 };
    const a = await generateTokens(model, [1, 2], { ...opts, seed: 1 });
    const b = await generateTokens(model, [1, 2], { ...opts, seed: 1 });
    const c = await generateTokens(model, [1, 2], { ...opts, seed: 2 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('stops when the context is full; a prompt longer than the context is refused', async () => {
    const out = await generateTokens(model, new Array<number>(40).fill(3), { maxNewTokens: 20 });
    expect(out).toHaveLength(TINY_GPT2.n_positions - 40);
    await expect(
      generateTokens(model, new Array<number>(48).fill(3), { maxNewTokens: 2 }),
    ).rejects.toMatchObject({
      code: 'GENERATE_PROMPT_TOO_LONG',
    });
  });

  it('top-k 1 is greedy', async () => {
    const greedy = await generateTokens(model, [7], { maxNewTokens: 8 });
    const k1 = await generateTokens(model, [7], { maxNewTokens: 8, temperature: 2, topK: 1, seed: 5 });
    expect(k1).toEqual(greedy);
  });
});

describe('pickToken samples the right distribution', () => {
  const logits = new Float32Array([2, 1, 0.5, 0, -1, -3]);
  function expected(t: number, keep: number[]): number[] {
    const w = keep.map((i) => Math.exp(logits[i]! / t));
    const s = w.reduce((a, b) => a + b, 0);
    const out = new Array<number>(logits.length).fill(0);
    keep.forEach((i, j) => (out[i] = w[j]! / s));
    return out;
  }
  function chiSquare(counts: number[], probs: number[], n: number): number {
    return counts.reduce(
      (acc, c, i) => (probs[i]! > 0 ? acc + (c - n * probs[i]!) ** 2 / (n * probs[i]!) : acc),
      0,
    );
  }
  const n = 20000;
  it('temperature: chi-square below the 0.999 quantile (df 5: 20.5)', () => {
    const rng = new SeededRandom(123);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < n; i++) counts[pickToken(logits, { temperature: 0.7 }, rng)]!++;
    expect(chiSquare(counts, expected(0.7, [0, 1, 2, 3, 4, 5]), n)).toBeLessThan(20.5);
  });
  it('top-k 3 and top-p: only the nucleus is drawn, renormalised (df 2: 13.8)', () => {
    const rng = new SeededRandom(9);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < n; i++) counts[pickToken(logits, { temperature: 1, topK: 3 }, rng)]!++;
    expect(counts.slice(3)).toEqual([0, 0, 0]);
    expect(chiSquare(counts, expected(1, [0, 1, 2]), n)).toBeLessThan(13.8);
    // p(0) ≈ 0.55, p(1) ≈ 0.20: top-p 0.7 keeps tokens 0 and 1 (0.55 < 0.7 ≤ 0.75)
    const countsP = new Array<number>(6).fill(0);
    for (let i = 0; i < n; i++) countsP[pickToken(logits, { temperature: 1, topP: 0.7 }, rng)]!++;
    expect(countsP.slice(2)).toEqual([0, 0, 0, 0]);
    expect(chiSquare(countsP, expected(1, [0, 1]), n)).toBeLessThan(10.8);
  });
});

describe('TextStreamer', () => {
  it('holds back a split UTF-8 character until it completes', () => {
    const bytes = [...new TextEncoder().encode('a😀b')];
    const decode = (ids: readonly number[]) => new TextDecoder().decode(new Uint8Array(ids));
    const pieces: string[] = [];
    const s = new TextStreamer(decode, (t) => pieces.push(t));
    for (const b of bytes) s.push(b);
    s.flush();
    expect(pieces).toEqual(['a', '😀', 'b']);
  });
});
