/**
 * The GPT-2 and Llama-family forward passes match an independent plain-torch reference
 * (test/reference/causal_lm_reference.py, float64) on small random weights stored as
 * safetensors, within 1e-4 on every logit. Also checks batched, padded forwards.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LoraAdapter, mergeAdapter } from '../../../src-main/lora/index.js';
import { loadModel } from '../../../src-main/model/loadModel.js';
import { saveModelWeights } from '../../../src-main/model/index.js';
import {
  TINY_GPT2,
  TINY_LLAMA,
  TINY_MISTRAL,
  TINY_QWEN2,
  TINY_QWEN25,
  TINY_SMOLLM2,
  writeRandomModel,
} from '../../unit/model/tinyModels.js';

const PY = '/usr/bin/python3';
const torchAvailable = spawnSync(PY, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const script = resolve(import.meta.dirname, '../../reference/causal_lm_reference.py');
if (!torchAvailable)
  console.warn(`SKIPPED reference-logit tests: ${PY} cannot import torch (apt-get install python3-torch)`);

function referenceLogits(dir: string, seqs: number[][], vocab: number): number[][][] {
  const idsFile = join(dir, 'ids.json');
  const outFile = join(dir, 'ref.bin');
  writeFileSync(idsFile, JSON.stringify(seqs));
  execFileSync(PY, [script, dir, idsFile, outFile], { env: { ...process.env, OMP_NUM_THREADS: '1' } });
  const buf = readFileSync(outFile);
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const out: number[][][] = [];
  let off = 0;
  for (const s of seqs) {
    const rows: number[][] = [];
    for (let t = 0; t < s.length; t++) {
      rows.push(Array.from(all.subarray(off, off + vocab)));
      off += vocab;
    }
    out.push(rows);
  }
  return out;
}

function maxAbsDiff(a: number[][], b: number[][]): number {
  let m = 0;
  for (let i = 0; i < a.length; i++)
    for (let j = 0; j < a[i]!.length; j++) m = Math.max(m, Math.abs(a[i]![j]! - b[i]![j]!));
  return m;
}

const cases = [
  { name: 'GPT-2', config: TINY_GPT2, options: {} },
  { name: 'GPT-2 without the transformer. prefix', config: TINY_GPT2, options: { stripPrefix: true } },
  { name: 'Llama (GQA, llama3 rope scaling, untied head)', config: TINY_LLAMA, options: {} },
  { name: 'Qwen2 (qkv bias, 1 kv head, linear rope scaling, tied head)', config: TINY_QWEN2, options: {} },
  { name: 'Llama with F16 weights', config: TINY_LLAMA, options: { dtype: 'F16' as const } },
  { name: 'Llama with BF16 weights', config: TINY_LLAMA, options: { dtype: 'BF16' as const } },
  { name: 'Mistral (sliding window 5 < sequence 24, untied head)', config: TINY_MISTRAL, options: {} },
  { name: 'SmolLM2 (3 heads over 1 kv head, tied head)', config: TINY_SMOLLM2, options: {} },
  { name: 'Qwen2.5 (qkv bias, unused sliding_window fields, tied head)', config: TINY_QWEN25, options: {} },
];

describe.skipIf(!torchAvailable)('logits match the plain-torch reference (tol 1e-4)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const c of cases) {
    it(c.name, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'confidant-ref-'));
      await writeRandomModel(dir, c.config, { seed: 7, ...c.options });
      const vocab = c.config.vocab_size;
      const seqs = [
        [3, 14, 15, 9, 26, 5, 35, 8, 9, 7, 9, 3, 2, 38, 4, 6, 26, 43, 38, 32, 7, 9, 50, 2],
        [1, 60, 2, 88, 11],
      ];
      const ref = referenceLogits(dir, seqs, vocab);
      // the comparison is meaningful: logits vary by far more than the tolerance
      const flat = ref.flat(2);
      expect(Math.max(...flat) - Math.min(...flat)).toBeGreaterThan(1);
      const { model } = await loadModel(dir);
      // one by one
      for (const [i, s] of seqs.entries()) {
        const logits = tf.tidy(() => model.forward(tf.tensor2d([s], [1, s.length], 'int32')));
        const got = (logits.arraySync() as number[][][])[0]!;
        logits.dispose();
        expect(maxAbsDiff(got, ref[i]!)).toBeLessThan(1e-4);
      }
      // batched with right padding and an attention mask
      const T = seqs[0]!.length;
      const padded = seqs.map((s) => [...s, ...new Array<number>(T - s.length).fill(0)]);
      const mask = seqs.map((s) => padded[0]!.map((_, t) => (t < s.length ? 1 : 0)));
      const logits = model.forward(tf.tensor2d(padded, [2, T], 'int32'), { attentionMask: mask });
      const got = logits.arraySync() as number[][][];
      logits.dispose();
      expect(maxAbsDiff(got[1]!.slice(0, seqs[1]!.length), ref[1]!)).toBeLessThan(1e-4);
      // left padding: positions count real tokens only
      const left = [new Array<number>(T - seqs[1]!.length).fill(0).concat(seqs[1]!)];
      const leftMask = [left[0]!.map((_, t) => (t >= T - seqs[1]!.length ? 1 : 0))];
      const l2 = model.forward(tf.tensor2d(left, [1, T], 'int32'), { attentionMask: leftMask });
      const gotLeft = (l2.arraySync() as number[][][])[0]!.slice(T - seqs[1]!.length);
      l2.dispose();
      expect(maxAbsDiff(gotLeft, ref[1]!)).toBeLessThan(1e-4);
      model.dispose();
    });
  }
});

describe.skipIf(!torchAvailable)('a merged LoRA export matches the reference on the merged weights', () => {
  for (const [name, cfg, targets] of [
    ['GPT-2 (Conv1D, fan_in_fan_out)', TINY_GPT2, ['c_attn', 'c_proj']],
    ['Llama', TINY_LLAMA, ['q_proj', 'v_proj', 'up_proj']],
  ] as const) {
    it(name, async () => {
      await tf.setBackend('cpu');
      const dir = mkdtempSync(join(tmpdir(), 'confidant-ref-'));
      await writeRandomModel(dir, cfg, { seed: 3 });
      const { model } = await loadModel(dir);
      const adapter = LoraAdapter.create(
        model,
        { r: 4, alpha: 16, dropout: 0, targetModules: [...targets] },
        2,
      );
      adapter.modules.forEach((m, i) => m.b.assign(tf.randomNormal(m.b.shape, 0, 0.3, 'float32', i + 1)));
      const out = mkdtempSync(join(tmpdir(), 'confidant-merged-'));
      const merged = mergeAdapter(model, adapter);
      await saveModelWeights(merged, out, dir);
      const seq = [5, 9, 2, 33, 17, 8, 40, 1];
      const ref = referenceLogits(out, [seq], cfg.vocab_size)[0]!;
      const logits = model.forward(tf.tensor2d([seq], [1, seq.length], 'int32'), {
        adapters: adapter.adapterMap(),
      });
      const base = model.forward(tf.tensor2d([seq], [1, seq.length], 'int32'));
      const got = (logits.arraySync() as number[][][])[0]!;
      expect(maxAbsDiff(got, ref)).toBeLessThan(1e-4);
      expect(maxAbsDiff((base.arraySync() as number[][][])[0]!, ref)).toBeGreaterThan(1e-2);
      tf.dispose([logits, base]);
      merged.dispose();
      model.dispose();
      adapter.dispose();
    });
  }
});
