import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunConfig, parseRunConfig, resolveDelta } from '../../../src-main/train/runConfig';
import { ConfidantError } from '../../../src-main/shared/confidantError';

const minimal = {
  model: 'bundled',
  dataset: { id: 'ds-1' },
  privacy: { mode: 'target-epsilon', epsilon: 3 },
  expectedBatchSize: 32,
  epochs: 2,
};

function write(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'confidant-config-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function errorOf(fn: () => unknown): ConfidantError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfidantError) return error;
    throw error;
  }
  throw new Error('expected a ConfidantError');
}

describe('run config', () => {
  it('fills documented defaults', () => {
    const c = parseRunConfig(minimal);
    expect(c).toMatchObject({
      accountant: 'rdp',
      clipNorm: 1,
      privacyUnit: 'record',
      lora: { rank: 8, alpha: 16, dropout: 0 },
      backend: 'auto',
      seed: 0,
    });
  });

  it('requires exactly one of samplingRate / expectedBatchSize and of epochs / steps', () => {
    const e = errorOf(() => parseRunConfig({ ...minimal, samplingRate: 0.01 }));
    expect(e.message).toMatch(/exactly one of "samplingRate"/);
    expect(errorOf(() => parseRunConfig({ ...minimal, steps: 10 })).message).toMatch(
      /exactly one of "epochs"/,
    );
  });

  it('rejects unknown and misspelt keys instead of ignoring them', () => {
    const e = errorOf(() => parseRunConfig({ ...minimal, clip_norm: 5 }));
    expect(e.message).toMatch(/clip_norm/);
  });

  it('names the field and the YAML line of each problem', () => {
    const file = write(
      'run.yaml',
      [
        'model: bundled',
        'dataset:',
        '  id: ds-1',
        'privacy:',
        '  mode: target-epsilon',
        '  epsilon: -3',
        'expectedBatchSize: 32',
        'epochs: 1',
        '',
      ].join('\n'),
    );
    const e = errorOf(() => loadRunConfig(file));
    expect(e.code).toBe('config.invalid');
    expect(e.options.where).toMatchObject({ file, line: 6, field: 'privacy.epsilon' });
    expect(e.describe()).toContain(`${file}:6`);
  });

  it('reports JSON syntax errors with their line', () => {
    const file = write('run.json', '{\n  "model": "bundled",\n  "dataset": {"id": "x"\n}\n');
    const e = errorOf(() => loadRunConfig(file));
    expect(e.code).toBe('config.syntax');
    expect(e.options.where?.line).toBeGreaterThanOrEqual(3);
  });

  it('reads a valid JSON file', () => {
    const file = write('run.json', JSON.stringify({ ...minimal, privacy: { mode: 'none' } }));
    expect(loadRunConfig(file).privacy).toEqual({ mode: 'none' });
  });

  it('explains a missing file', () => {
    expect(errorOf(() => loadRunConfig('/nonexistent/run.yaml')).code).toBe('config.unreadable');
  });
});

describe('resolveDelta', () => {
  it('defaults to at most 1/(10·N)', () => {
    expect(resolveDelta(undefined, 60_000).delta).toBe(1e-6);
    expect(resolveDelta(undefined, 1_000).delta).toBe(1e-4);
    expect(resolveDelta(undefined, 3_000).delta).toBe(3e-5);
    for (const n of [7, 123, 4567, 98_765])
      expect(resolveDelta(undefined, n).delta).toBeLessThanOrEqual(1 / (10 * n));
  });

  it('warns when δ ≥ 1/N', () => {
    expect(resolveDelta(1e-3, 500).warnings).toHaveLength(0);
    expect(resolveDelta(1e-2, 500).warnings[0]).toMatch(/at least 1\/N/);
  });
});
