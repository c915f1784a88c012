/**
 * `confidant model plan` from source, on the published Llama-3.1-8B config.json alone (no
 * weights): the JSON shape the issue asks for, the verdicts for an NF4 and an fp32 base on
 * a 24 GiB GPU, and the suggestions printed when a run does not fit.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/runCli.js';

const dir = resolve(import.meta.dirname, '../../fixtures/model/configs/llama-3.1-8b');
const args = ['model', 'plan', '--model', dir, '--batch', '4', '--seq', '512', '--lora-r', '16'];

describe('confidant model plan', () => {
  it('--weights nf4 fits 24 GiB; --weights fp32 does not and proposes what fits', async () => {
    const nf4 = await runCli([...args, '--weights', 'nf4', '--device-gb', '24', '--json']);
    expect(nf4.stderr).toBe('');
    expect(nf4.code).toBe(0);
    const p = JSON.parse(nf4.stdout);
    for (const key of [
      'weightsBytes',
      'loraBytes',
      'optimizerBytes',
      'activationBytes',
      'totalBytes',
      'deviceBytes',
    ]) {
      expect(typeof p[key]).toBe('number');
    }
    expect(p).toMatchObject({
      fits: true,
      dp: true,
      weights: 'nf4',
      deviceBytes: 24 * 2 ** 30,
      parameters: 8_030_261_248,
    });

    const fp32 = await runCli([...args, '--weights', 'fp32', '--device-gb', '24', '--json']);
    const q = JSON.parse(fp32.stdout);
    expect(q.fits).toBe(false);
    expect(q.weightsBytes).toBe(4 * 8_030_261_248);
    expect(q.suggestions[0]).toMatchObject({ weights: 'nf4', batch: 4, change: '--weights nf4' });

    const text = await runCli([...args, '--device-gb', '24']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/does NOT fit/);
    expect(text.stdout).toMatch(/would fit: --weights nf4/);
  }, 60_000);

  it('refuses an unknown weight format and says which exist', async () => {
    const r = await runCli([...args, '--weights', 'fp8']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--weights must be one of fp32, bf16, int8, nf4/);
  }, 60_000);
});
