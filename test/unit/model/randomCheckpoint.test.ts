/**
 * Random-weight model folders: seeded (same seed, same bytes, whatever the chunk size),
 * loadable by the model loader and tokenizer, weights distributed N(0, std²) in the
 * requested dtype; the table's quantiles against published values of Φ⁻¹.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../src-main/model/loadModel.js';
import { normalQuantile, normalTable } from '../../../src-main/model/normalTable.js';
import { writeRandomModelFolder } from '../../../src-main/model/randomCheckpoint.js';
import { SafetensorsFile } from '../../../src-main/model/safetensors.js';
import { TextTokenizer } from '../../../src-main/model/tokenizer.js';
import { ConfidantError } from '../../../src-main/shared/confidantError.js';
import { TINY_GPT2, TINY_LLAMA } from './tinyModels.js';

const LLAMA = { ...TINY_LLAMA, vocab_size: 300, hidden_size: 64, intermediate_size: 128 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('normal quantiles (Acklam)', () => {
  it('match published values of the standard normal quantile function', () => {
    // Abramowitz & Stegun table 26.5 / any statistics table
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 8);
    expect(normalQuantile(0.8413447460685429)).toBeCloseTo(1, 8);
  });

  it('the 65,536-level table has mean 0 and standard deviation within 0.1% of std', () => {
    const t = normalTable(0.02);
    let sum = 0;
    let sq = 0;
    for (const v of t) {
      sum += v;
      sq += v * v;
    }
    expect(Math.abs(sum / t.length)).toBeLessThan(1e-9);
    expect(Math.sqrt(sq / t.length)).toBeGreaterThan(0.02 * 0.999);
    expect(Math.sqrt(sq / t.length)).toBeLessThan(0.02 * 1.001);
  });
});

describe('writeRandomModelFolder', () => {
  it('writes a folder the loader and tokenizer read; weights are N(0, 0.02²) in BF16', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confidant-random-'));
    const summary = await writeRandomModelFolder(LLAMA, dir, { dtype: 'BF16', seed: 3 });
    const file = await SafetensorsFile.open(join(dir, 'model.safetensors'));
    expect(new Set(file.names.map((n) => file.info(n).dtype))).toEqual(new Set(['BF16']));
    const w = await file.readFloat('model.layers.1.mlp.up_proj.weight');
    const norm = await file.readFloat('model.layers.0.input_layernorm.weight');
    await file.close();
    const mean = w.data.reduce((a, b) => a + b, 0) / w.data.length;
    const std = Math.sqrt(w.data.reduce((a, b) => a + (b - mean) ** 2, 0) / w.data.length);
    // 8,192 samples: standard error of the std ≈ 0.02/√(2·8192) = 1.6e-4; allow 5 of them
    expect(Math.abs(mean)).toBeLessThan(5 * (0.02 / Math.sqrt(8192)));
    expect(Math.abs(std - 0.02)).toBeLessThan(8e-4);
    expect(Array.from(norm.data).every((v) => v === 1)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).torch_dtype).toBe('bfloat16');
    const { model, storedDtype } = await loadModel(dir);
    expect(storedDtype).toBe('BF16');
    model.dispose();
    expect(summary.parameters).toBe(
      2 * 300 * 64 + 2 * (2 * 64 + 64 * 64 + 2 * 64 * 32 + 64 * 64 + 3 * 64 * 128) + 64,
    );
    const tokenizer = await TextTokenizer.load(dir);
    const ids = tokenizer.encode('Patient denies chest pain. Température 38,5 °C');
    expect(Math.max(...ids)).toBeLessThan(300);
    expect(tokenizer.decode(ids)).toBe('Patient denies chest pain. Température 38,5 °C');
  });

  it('is seeded: the same seed gives the same bytes at any chunk size; another seed differs', async () => {
    const a = mkdtempSync(join(tmpdir(), 'confidant-random-'));
    const b = mkdtempSync(join(tmpdir(), 'confidant-random-'));
    const c = mkdtempSync(join(tmpdir(), 'confidant-random-'));
    await writeRandomModelFolder(LLAMA, a, { dtype: 'F16', seed: 9 });
    await writeRandomModelFolder(LLAMA, b, { dtype: 'F16', seed: 9, chunkValues: 1001 });
    await writeRandomModelFolder(LLAMA, c, { dtype: 'F16', seed: 10 });
    const bytes = (d: string) => readFileSync(join(d, 'model.safetensors'));
    expect(bytes(a).equals(bytes(b))).toBe(true);
    expect(bytes(a).equals(bytes(c))).toBe(false);
  });

  it('different tensors get different values; GPT-2 in fp32 loads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confidant-random-'));
    await writeRandomModelFolder({ ...TINY_GPT2, vocab_size: 257 }, dir, { dtype: 'F32', seed: 1 });
    const file = await SafetensorsFile.open(join(dir, 'model.safetensors'));
    const x = await file.readFloat('transformer.h.0.attn.c_proj.weight');
    const y = await file.readFloat('transformer.h.1.attn.c_proj.weight');
    await file.close();
    expect(Array.from(x.data.subarray(0, 16))).not.toEqual(Array.from(y.data.subarray(0, 16)));
    const { model } = await loadModel(dir);
    model.dispose();
  });

  it('refuses a vocabulary too small for the byte-level tokenizer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confidant-random-'));
    await expect(writeRandomModelFolder(TINY_LLAMA, dir, { dtype: 'BF16', seed: 1 })).rejects.toThrow(
      ConfidantError,
    );
  });
});
