/**
 * streamWeights: every weight of the architecture, in model order, under its canonical
 * name, stored as each format says (16-bit kept as the checkpoint's u16 words, F32 rounded
 * to BF16, block matrices quantised, norms and biases fp32), with progress reports.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Checkpoint } from '../../../src-main/model/checkpoint.js';
import { parseModelConfig } from '../../../src-main/model/config.js';
import { f32ToBf16 } from '../../../src-main/model/halfFloat.js';
import { weightSpecs } from '../../../src-main/model/loadModel.js';
import { streamedValues, streamWeights } from '../../../src-main/model/weightStream.js';
import type { StreamedTensor, StreamProgress } from '../../../src-main/model/weightStream.js';
import { TINY_GPT2, TINY_LLAMA, writeRandomModel } from './tinyModels.js';

async function collect(dir: string, options: Parameters<typeof streamWeights>[1] = {}) {
  const out: StreamedTensor[] = [];
  for await (const t of streamWeights(dir, options)) out.push(t);
  return out;
}

describe('streamWeights', () => {
  it('BF16 checkpoint, stored: u16 words as in the file, every spec in order, with progress', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confidant-stream-'));
    await writeRandomModel(dir, TINY_LLAMA, { seed: 2, dtype: 'BF16' });
    const progress: StreamProgress[] = [];
    const got = await collect(dir, { onProgress: (p) => progress.push(p) });
    const specs = weightSpecs(parseModelConfig(TINY_LLAMA));
    expect(got.map((t) => t.name)).toEqual(specs.map((s) => s.name));
    const checkpoint = await Checkpoint.open(dir);
    for (const t of got) {
      expect(t.dtype).toBe('BF16');
      expect(t.data).toBeInstanceOf(Uint16Array);
      const { bytes } = await checkpoint.readRaw(t.name);
      expect(
        Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).equals(Buffer.from(bytes)),
      ).toBe(true);
      expect(Array.from(streamedValues(t))).toEqual(Array.from((await checkpoint.read(t.name)).data));
    }
    await checkpoint.close();
    expect(got.find((t) => t.name === 'model.layers.0.self_attn.q_proj.weight')).toMatchObject({
      role: 'block-matrix',
      transposed: true,
      shape: [32, 32],
    });
    expect(got.find((t) => t.name === 'lm_head.weight')?.role).toBe('embedding');
    expect(got.find((t) => t.name === 'model.norm.weight')?.role).toBe('vector');
    expect(progress.length).toBe(specs.length);
    const last = progress.at(-1)!;
    expect(last.tensors).toBe(specs.length);
    expect(last.bytes).toBe(last.totalBytes);
  });

  it('F32 checkpoint as bf16: matrices rounded to BF16, vectors fp32', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confidant-stream-'));
    const arrays = await writeRandomModel(dir, TINY_LLAMA, { seed: 4 });
    for (const t of await collect(dir, { weights: 'bf16' })) {
      const source = arrays.get(t.name)!.data;
      if (t.role === 'vector') {
        expect(t.dtype).toBe('F32');
        expect(Array.from(t.data)).toEqual(Array.from(source));
      } else {
        expect(t.dtype).toBe('BF16');
        expect(Array.from(t.data)).toEqual(Array.from(f32ToBf16(source)));
      }
    }
  });

  it('nf4 and int8: block matrices quantised, embeddings 16-bit; GPT-2 names canonical', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confidant-stream-'));
    const arrays = await writeRandomModel(dir, TINY_GPT2, { seed: 5, stripPrefix: true });
    for (const format of ['nf4', 'int8'] as const) {
      const got = await collect(dir, { weights: format });
      for (const t of got) {
        expect(t.name.startsWith('transformer.')).toBe(true);
        const expected = {
          'block-matrix': format === 'nf4' ? 'NF4' : 'INT8',
          embedding: 'BF16',
          vector: 'F32',
        };
        expect(t.dtype).toBe(expected[t.role]);
        if (t.dtype === 'NF4' || t.dtype === 'INT8') {
          const x = arrays.get(t.name)!.data;
          const y = streamedValues(t);
          const absmax = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
          const bound = format === 'nf4' ? 0.152 * absmax : absmax / 254 + 1e-7;
          for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThanOrEqual(bound);
        }
      }
    }
  });
});
