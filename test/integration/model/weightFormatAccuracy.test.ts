/**
 * The accuracy cost of each frozen-weight storage format against fp32, on the GPT-2 and
 * Llama parity models (random fp32 weights, std 0.1, as the reference tests): the model is
 * loaded through the format (weights rounded to bf16, or quantised block-wise and
 * dequantised: the values a 16-bit or quantised GPU base computes with, in fp32) and its
 * logits and per-sequence mean NLL compared with the fp32 model's.
 *
 * Measured (GPT-2 / Llama; logits of these models span about ±2.5) and the tolerances, about
 * twice the measurement:
 *   format | max |Δ logit|            | max |Δ mean NLL| (nats/token)
 *   bf16   | 0.012 / 0.012  (tol 0.03) | 0.0009 / 0.0025 (tol 0.006)
 *   int8   | 0.024 / 0.042  (tol 0.08) | 0.0006 / 0.0034 (tol 0.008)
 *   nf4    | 0.38  / 0.61   (tol 1.2)  | 0.035  / 0.057  (tol 0.12)
 * and nf4's error must exceed int8's and bf16's (a check that quantisation happened).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../src-main/model/loadModel.js';
import type { CausalLm } from '../../../src-main/model/causalLm.js';
import { TINY_GPT2, TINY_LLAMA, writeRandomModel } from '../../unit/model/tinyModels.js';

const seqs = [
  [3, 14, 15, 9, 26, 5, 35, 8, 9, 7, 9, 3, 2, 38, 4, 6, 26, 43, 38, 32, 7, 9, 50, 2],
  [1, 60, 2, 88, 11, 40, 41, 42, 17, 5, 5, 5],
  [70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85],
];

function run(model: CausalLm): { logits: number[][][]; nll: number[] } {
  const logits: number[][][] = [];
  const nll: number[] = [];
  for (const s of seqs) {
    const out = tf.tidy(() => model.forward(tf.tensor2d([s], [1, s.length], 'int32')));
    const rows = (out.arraySync() as number[][][])[0]!;
    const lp = tf.tidy(() => tf.logSoftmax(out.squeeze([0])).arraySync() as number[][]);
    out.dispose();
    let sum = 0;
    for (let t = 0; t + 1 < s.length; t++) sum -= lp[t]![s[t + 1]!]!;
    logits.push(rows);
    nll.push(sum / (s.length - 1));
  }
  return { logits, nll };
}

function maxDiff(a: number[], b: number[]): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

const TOL = {
  bf16: { logit: 0.03, nll: 0.006 },
  int8: { logit: 0.08, nll: 0.008 },
  nf4: { logit: 1.2, nll: 0.12 },
} as const;

describe('accuracy of 16-bit and quantised frozen weights against fp32', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const [name, config] of [
    ['GPT-2', TINY_GPT2],
    ['Llama', TINY_LLAMA],
  ] as const) {
    it(
      name,
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'confidant-formats-'));
        await writeRandomModel(dir, config, { seed: 7 });
        const { model: ref } = await loadModel(dir);
        const base = run(ref);
        ref.dispose();
        const errors: Record<string, { logit: number; nll: number }> = {};
        for (const format of ['bf16', 'int8', 'nf4'] as const) {
          const { model } = await loadModel(dir, { weights: format });
          const got = run(model);
          model.dispose();
          errors[format] = {
            logit: maxDiff(got.logits.flat(2), base.logits.flat(2)),
            nll: maxDiff(got.nll, base.nll),
          };
        }
        const flat = base.logits.flat(2);
        console.log(
          `${name} logits in [${Math.min(...flat).toFixed(2)}, ${Math.max(...flat).toFixed(2)}]; format errors vs fp32: ${JSON.stringify(errors)}`,
        );
        for (const f of ['bf16', 'int8', 'nf4'] as const) {
          expect(errors[f]!.logit).toBeGreaterThan(0);
          expect(errors[f]!.logit).toBeLessThan(TOL[f].logit);
          expect(errors[f]!.nll).toBeLessThan(TOL[f].nll);
        }
        expect(errors.nf4!.logit).toBeGreaterThan(errors.int8!.logit);
        expect(errors.nf4!.logit).toBeGreaterThan(errors.bf16!.logit);
      },
      120_000,
    );
  }
});
