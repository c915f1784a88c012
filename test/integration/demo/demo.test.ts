// The main job end to end, in a reduced size (issue: report and demo): synthetic data →
// encrypted import → PII scan → non-private and DP fine-tuning → audits → a signed report.
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/runCli';

describe('confidant demo', () => {
  it('runs the whole job on a small dataset: data, PII scan, two fine-tunes, two audits, a signed report', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'confidant-demo-')), 'out');
    const { code, stdout, stderr } = await runCli(
      ['demo', '--out', out, '--records', '80', '--epochs', '1', '--audit-records', '12', '--json'],
      { env: { CONFIDANT_PASSPHRASE: 'test-demo-passphrase' } },
    );
    expect(stderr).not.toMatch(/internal error/);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.dataset.records).toBe(80);
    expect(summary.dataset.patients).toBeGreaterThan(5);
    expect(summary.piiScan.precision).toBeGreaterThanOrEqual(0.9);
    expect(summary.piiScan.recall).toBeGreaterThanOrEqual(0.9);
    // The bundled model was pretrained on the same generator's formats (other patients):
    // far better than chance (ln 4096 ≈ 8.3 nats, perplexity 4096).
    expect(summary.model.heldOutPerplexity).toBeGreaterThan(1);
    expect(summary.model.heldOutPerplexity).toBeLessThan(20);
    // two runs that differ only in privacy
    const { nonPrivate, private: dp } = summary.runs;
    expect(nonPrivate.epsilon).toBeNull();
    expect(dp.epsilon).toBeLessThanOrEqual(3);
    expect(dp.epsilon).toBeGreaterThan(2.5);
    expect(dp.steps).toBe(nonPrivate.steps);
    for (const run of [nonPrivate, dp]) {
      expect(run.membershipAuc).toBeGreaterThanOrEqual(0);
      expect(run.membershipAuc).toBeLessThanOrEqual(1);
      expect(run.maxExposure).toBeGreaterThan(20); // MRN canaries: log2(10^8) ≈ 26.6 bits
      expect(['pass', 'warn', 'fail']).toContain(run.overall);
    }
    if (dp.epsilonLowerBound !== null) expect(dp.epsilonLowerBound).toBeLessThanOrEqual(dp.epsilon);
    expect(stderr).toContain('Headline numbers');
    // the signed report: verifies, renders, holds both runs
    expect(existsSync(summary.report.pdf)).toBe(true);
    const verify = await runCli([
      'report',
      'verify',
      summary.report.pdf,
      '--json',
      '--store',
      join(out, 'store'),
    ]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const model = JSON.parse(readFileSync(summary.report.json, 'utf8'));
    expect(model.runs).toHaveLength(2);
    expect(model.runs[1].audit.overall).toBe(dp.overall);
    expect(existsSync(join(out, 'store', 'store.json'))).toBe(true);
    // The synthetic text is in the JSONL but never in the encrypted database file.
    const firstNote = JSON.parse(readFileSync(join(out, 'synthetic-notes.jsonl'), 'utf8').split('\n')[0]!)
      .text as string;
    const name = /Name: ([^\n]+)|Patient: ([^\n]+?)\s{2}/.exec(firstNote);
    const raw = readFileSync(join(out, 'store', 'confidant.db')).toString('latin1');
    expect(raw).not.toContain(firstNote.slice(0, 40));
    if (name) expect(raw).not.toContain((name[1] ?? name[2])!);
  }, 900_000);

  it('refuses to reuse a folder it did not create', async () => {
    const out = mkdtempSync(join(tmpdir(), 'confidant-demo-'));
    mkdirSync(join(out, 'mine'));
    writeFileSync(join(out, 'mine', 'precious.txt'), 'keep me');
    const { code, stderr } = await runCli(['demo', '--out', out, '--records', '10']);
    expect(code).toBe(2);
    expect(stderr).toContain('was not made by the demo');
    expect(readFileSync(join(out, 'mine', 'precious.txt'), 'utf8')).toBe('keep me');
  });
});
