// Issue #23, item 11: docs/run-config.md's example must parse as written, `dataset.id: 1`
// (a YAML number) is accepted as well as "1", and every field the errors point to is documented.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunConfig, parseRunConfig, RunConfigSchema } from '../../../src-main/train/runConfig';

const doc = readFileSync('docs/run-config.md', 'utf8');

describe('docs/run-config.md', () => {
  it('has an example that parses as written, with a numeric dataset id', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    const dir = mkdtempSync(join(tmpdir(), 'confidant-runconfig-'));
    try {
      const file = join(dir, 'run.yaml');
      writeFileSync(file, example);
      const config = loadRunConfig(file);
      expect(config.dataset.id).toBe('1');
      expect(config.canaries).toEqual({ format: 'mrn', repetitions: [1, 2, 4, 8], perRepetition: 2 });
      expect(config.evalEverySteps).toBe(100);
      expect(config.earlyStoppingPatience).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts the dataset id as a number or a string, and they mean the same', () => {
    const base = { model: 'bundled', privacy: { mode: 'none' }, expectedBatchSize: 4, steps: 1 };
    const asNumber = parseRunConfig({ ...base, dataset: { id: 1 } });
    const asString = parseRunConfig({ ...base, dataset: { id: '1' } });
    expect(asNumber.dataset).toEqual(asString.dataset);
    expect(() => parseRunConfig({ ...base, dataset: { id: 0 } })).toThrow();
  });

  it('documents every top-level field of the schema', () => {
    for (const field of Object.keys(RunConfigSchema.shape)) expect(doc, field).toContain(field);
  });
});
