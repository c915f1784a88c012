/**
 * `confidant model random --config config.json --dtype bf16 --out DIR` from source: a
 * model folder that `model info` reads, seeded (the same command twice, the same bytes).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/runCli.js';
import { TINY_QWEN25 } from '../../unit/model/tinyModels.js';

describe('confidant model random', () => {
  it('writes a seeded bf16 model folder that model info reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confidant-random-cli-'));
    const config = join(dir, 'shape.json');
    writeFileSync(config, JSON.stringify({ ...TINY_QWEN25, vocab_size: 512 }));
    const out = [join(dir, 'a'), join(dir, 'b')];
    for (const o of out) {
      const r = await runCli([
        'model',
        'random',
        '--config',
        config,
        '--dtype',
        'bf16',
        '--seed',
        '4',
        '--out',
        o,
      ]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ dtype: 'BF16', seed: 4 });
    }
    const bytes = (d: string) => readFileSync(join(d, 'model.safetensors'));
    expect(bytes(out[0]!).equals(bytes(out[1]!))).toBe(true);
    const info = await runCli(['model', 'info', out[0]!, '--json']);
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({
      modelType: 'qwen2',
      dtype: 'BF16',
      vocabSize: 512,
      tokenizerVocabSize: 257,
    });
    const bad = await runCli([
      'model',
      'random',
      '--config',
      config,
      '--dtype',
      'int3',
      '--out',
      join(dir, 'c'),
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--dtype must be bf16, f16 or fp32/);
  }, 120_000);
});
