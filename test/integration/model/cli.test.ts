/**
 * `confidant model info`, `generate` and `score` run from source on a tiny random GPT-2
 * with the fixture tokenizer; their output equals the library's results in-process.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LoraAdapter, saveAdapter } from '../../../src-main/lora/index.js';
import { generateTokens, loadModel, scoreTexts, TextTokenizer } from '../../../src-main/model/index.js';
import { runCli } from '../../helpers/runCli.js';
import { TINY_GPT2, writeRandomModel } from '../../unit/model/tinyModels.js';

const env = { CONFIDANT_BACKEND: 'cpu' };
const dir = mkdtempSync(join(tmpdir(), 'confidant-cli-model-'));
const adapterDir = join(dir, 'adapter');
const config = { ...TINY_GPT2, vocab_size: 321, bos_token_id: 320, eos_token_id: 320, n_positions: 96 };

beforeAll(async () => {
  await tf.setBackend('cpu');
  await writeRandomModel(dir, config, { seed: 9, std: 0.3 });
  copyFileSync(
    resolve(import.meta.dirname, '../../fixtures/model/tiny-bpe/tokenizer.json'),
    join(dir, 'tokenizer.json'),
  );
  const { model } = await loadModel(dir);
  const adapter = LoraAdapter.create(model, { r: 2, alpha: 4, dropout: 0, targetModules: ['c_attn'] }, 1);
  adapter.modules.forEach((m, i) => m.b.assign(tf.randomNormal(m.b.shape, 0, 0.5, 'float32', i)));
  await saveAdapter(adapter, model, adapterDir);
});

describe('confidant model / generate / score', () => {
  it('model info --json', async () => {
    const r = await runCli(['model', 'info', dir, '--json'], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      architecture: 'gpt2',
      parameters:
        321 * 32 + 96 * 32 + 2 * (4 * 32 + 32 * 96 + 96 + 32 * 32 + 32 + 32 * 128 + 128 + 128 * 32 + 32) + 64,
      dtype: 'F32',
      vocabSize: 321,
      tokenizerVocabSize: 321,
      contextLength: 96,
    });
  });

  it('generate streams the greedy continuation the library computes', async () => {
    const r = await runCli(['generate', '--model', dir, '--prompt', 'the patient', '--max-tokens', '10'], {
      env,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const tok = await TextTokenizer.load(dir);
    const { model } = await loadModel(dir);
    const ids = await generateTokens(model, tok.encode('the patient'), {
      maxNewTokens: 10,
      stopTokens: [320],
    });
    expect(r.stdout).toBe(`${tok.decode(ids, { skipSpecialTokens: true })}\n`);
    model.dispose();
  });

  it('score --json prints the mean NLL per line; the adapter changes it', async () => {
    const textFile = join(dir, 'texts.txt');
    const lines = ['the patient was admitted', 'no fever', '', 'she was discharged home with follow up'];
    writeFileSync(textFile, `${lines.join('\n')}\n`);
    const r = await runCli(
      ['score', '--model', dir, '--text-file', textFile, '--json', '--batch-size', '2'],
      { env },
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { lines: { line: number; tokens: number; meanNll: number | null }[] };
    const tok = await TextTokenizer.load(dir);
    const { model } = await loadModel(dir);
    const expected = await scoreTexts(model, tok, lines);
    expect(out.lines).toHaveLength(4);
    out.lines.forEach((row, i) => {
      expect(row.tokens).toBe(expected[i]!.tokens);
      if (expected[i]!.meanNll === null) expect(row.meanNll).toBeNull();
      else expect(row.meanNll).toBeCloseTo(expected[i]!.meanNll!, 5);
    });
    model.dispose();
    const withAdapter = await runCli(
      ['score', '--model', dir, '--adapter', adapterDir, '--text-file', textFile, '--json'],
      { env },
    );
    expect(withAdapter.code).toBe(0);
    const adapted = JSON.parse(withAdapter.stdout) as typeof out;
    expect(Math.abs(adapted.lines[0]!.meanNll! - out.lines[0]!.meanNll!)).toBeGreaterThan(1e-4);
  });

  it('a folder that is not a model gives a clear error, no stack trace', async () => {
    const r = await runCli(['model', 'info', join(dir, 'nope'), '--json'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config\.json/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
