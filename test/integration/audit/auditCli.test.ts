/**
 * `confidant audit roc | epsilon-lb | exposure | verdict`: the exact JSON shapes, values on worked
 * examples (scikit-learn's roc_curve docstring; Appendix D of Steinke, Nasr & Jagielski 2023),
 * and bad input → a ConfidantError naming the file or flag, exit code 2.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runCli } from '../../helpers/runCli';

const RocJson = z
  .object({
    auc: z.number(),
    balancedAccuracy: z.number(),
    tprAtFpr: z.object({ '0.001': z.number(), '0.01': z.number(), '0.1': z.number() }).strict(),
  })
  .strict();
const EpsilonJson = z.object({ epsilonLowerBound: z.number() }).strict();
const ExposureJson = z
  .object({ exposureExact: z.number().nullable(), exposureEstimated: z.number() })
  .strict();

let dir = '';
const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'confidant-audit-cli-'));
});

describe('confidant audit roc', () => {
  it('prints {auc, balancedAccuracy, tprAtFpr} for the scikit-learn example', async () => {
    const members = file('members.json', '[0.35, 0.8]');
    const nonmembers = file('nonmembers.json', '[0.1, 0.4]');
    const { code, stdout, stderr } = await runCli([
      'audit',
      'roc',
      '--members',
      members,
      '--nonmembers',
      nonmembers,
      '--json',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const parsed = RocJson.parse(JSON.parse(stdout));
    expect(parsed).toEqual({
      auc: 0.75,
      balancedAccuracy: 0.75,
      tprAtFpr: { '0.001': 0.5, '0.01': 0.5, '0.1': 0.5 },
    });
    expect(Object.keys(parsed)).toEqual(['auc', 'balancedAccuracy', 'tprAtFpr']);
  });

  it('prints a readable summary without --json', async () => {
    const members = file('m2.json', '[3, 4, 5]');
    const nonmembers = file('n2.json', '[0, 1, 2]');
    const { code, stdout } = await runCli(['audit', 'roc', '--members', members, '--nonmembers', nonmembers]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/AUC\s+1\.0000/);
  });

  it.each([
    ['missing.json', null, /cannot read/],
    ['notjson.json', '[0.1, 0.2', /not valid JSON/],
    ['object.json', '{"scores": [1, 2]}', /array of finite numbers/],
    ['strings.json', '[0.1, "0.2"]', /element 1/],
    ['empty.json', '[]', /empty/],
    ['huge.json', '[0.1, 1e999]', /element 1/],
  ])('refuses a bad --members file (%s) naming it, exit 2', async (name, content, message) => {
    const members = content === null ? join(dir, name) : file(name, content);
    const nonmembers = file('ok.json', '[0.1, 0.4]');
    const { code, stdout, stderr } = await runCli([
      'audit',
      'roc',
      '--members',
      members,
      '--nonmembers',
      nonmembers,
      '--json',
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(members);
    expect(stderr).toContain('--members');
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/internal error|at .*\.ts:\d+/);
  });

  it('names a missing --nonmembers flag', async () => {
    const members = file('m3.json', '[1]');
    const { code, stderr } = await runCli(['audit', 'roc', '--members', members]);
    expect(code).toBe(2);
    expect(stderr).toContain('--nonmembers');
  });
});

describe('confidant audit epsilon-lb', () => {
  it('prints {epsilonLowerBound} matching the paper’s Appendix D code', async () => {
    const args = [
      'audit',
      'epsilon-lb',
      '--m',
      '1000',
      '--r',
      '100',
      '--v',
      '100',
      '--delta',
      '1e-5',
      '--json',
    ];
    const { code, stdout } = await runCli(args);
    expect(code).toBe(0);
    const { epsilonLowerBound } = EpsilonJson.parse(JSON.parse(stdout));
    expect(epsilonLowerBound).toBeCloseTo(3.4653763473033905, 9);
    const stricter = await runCli([...args, '--confidence', '0.99']);
    expect(EpsilonJson.parse(JSON.parse(stricter.stdout)).epsilonLowerBound).toBeLessThan(epsilonLowerBound);
  });

  it.each([
    [['--m', '10', '--r', '5', '--v', '6', '--delta', '0'], '--v'],
    [['--m', '10', '--r', '11', '--v', '6', '--delta', '0'], '--r'],
    [['--m', '10', '--r', '5', '--v', '2.5', '--delta', '0'], '--v'],
    [['--m', 'ten', '--r', '5', '--v', '2', '--delta', '0'], '--m'],
    [['--m', '10', '--r', '5', '--v', '2', '--delta', '1.5'], '--delta'],
    [['--m', '10', '--r', '5', '--v', '2'], '--delta'],
    [['--m', '10', '--r', '5', '--v', '2', '--delta', '0', '--confidence', '1'], '--confidence'],
  ])('refuses %j naming %s, exit 2', async (flags, flag) => {
    const { code, stderr } = await runCli(['audit', 'epsilon-lb', ...flags, '--json']);
    expect(code).toBe(2);
    expect(stderr).toContain(`field "${flag}"`);
  });
});

describe('confidant audit exposure', () => {
  // 15 other candidates + the canary = a fully enumerated space of 16.
  const others = Array.from({ length: 15 }, (_, i) => 10 + i + (i % 3) * 0.25);

  it('gives the exact exposure when --space-size is the references + 1', async () => {
    const refs = file('refs.json', JSON.stringify(others));
    const { code, stdout } = await runCli([
      'audit',
      'exposure',
      '--canary',
      '9',
      '--references',
      refs,
      '--space-size',
      '16',
      '--json',
    ]);
    expect(code).toBe(0);
    const parsed = ExposureJson.parse(JSON.parse(stdout));
    expect(parsed.exposureExact).toBe(4); // rank 1 of 16
    expect(parsed.exposureEstimated).toBeGreaterThan(0);
    expect(parsed.exposureEstimated).toBeLessThanOrEqual(4);
    expect(Object.keys(parsed)).toEqual(['exposureExact', 'exposureEstimated']);
  });

  it('gives null exact exposure for a sampled space, estimating with the skew-normal fit', async () => {
    const refs = file('refs2.json', JSON.stringify(others));
    const sampled = await runCli([
      'audit',
      'exposure',
      '--canary',
      '9',
      '--references',
      refs,
      '--space-size',
      '1000000',
      '--json',
    ]);
    expect(sampled.code).toBe(0);
    const a = ExposureJson.parse(JSON.parse(sampled.stdout));
    expect(a.exposureExact).toBeNull();
    expect(a.exposureEstimated).toBeLessThanOrEqual(Math.log2(1e6));
    const unsized = await runCli(['audit', 'exposure', '--canary', '9', '--references', refs, '--json']);
    const b = ExposureJson.parse(JSON.parse(unsized.stdout));
    expect(b.exposureExact).toBeNull();
    expect(b.exposureEstimated).toBeCloseTo(a.exposureEstimated, 12); // under the cap, the same estimate
  });

  it.each([
    [['--canary', '9', '--space-size', '10'], '--space-size'],
    [['--canary', 'low'], '--canary'],
    [['--space-size', '16'], '--canary'],
  ])('refuses %j naming %s, exit 2', async (flags, flag) => {
    const refs = file('refs3.json', JSON.stringify(others));
    const { code, stderr } = await runCli(['audit', 'exposure', '--references', refs, ...flags, '--json']);
    expect(code).toBe(2);
    expect(stderr).toContain(`field "${flag}"`);
  });

  it('refuses references without spread, naming the file', async () => {
    const refs = file('flat.json', '[5, 5, 5, 5]');
    const { code, stderr } = await runCli([
      'audit',
      'exposure',
      '--canary',
      '1',
      '--references',
      refs,
      '--json',
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain(refs);
  });
});

const VerdictJson = z
  .object({
    verdict: z.enum(['pass', 'warn', 'fail', 'inconclusive']),
    aucLower95: z.number(),
    aucUpper95: z.number(),
    neededPerSide: z.number().int().positive().nullable(),
  })
  .strict();

describe('confidant audit verdict (issue 18)', () => {
  const verdict = async (auc: string, m: string, n: string, extra: string[] = []) => {
    const r = await runCli([
      'audit',
      'verdict',
      '--auc',
      auc,
      '--members',
      m,
      '--nonmembers',
      n,
      ...extra,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    return VerdictJson.parse(JSON.parse(r.stdout));
  };

  it('never passes on thin evidence: the demo’s AUC 0.603 on 43 + 43 is inconclusive, with the examples needed', async () => {
    const demo = await verdict('0.603', '43', '43');
    expect(demo.verdict).toBe('inconclusive');
    // Hanley & McNeil SE(0.603, 43, 43) ≈ 0.061: interval ≈ [0.483, 0.723]
    expect(demo.aucLower95).toBeCloseTo(0.483, 2);
    expect(demo.aucUpper95).toBeCloseTo(0.723, 2);
    expect(demo.neededPerSide!).toBeGreaterThan(43);
    // at the sample size it names, the same AUC is settled
    const settled = await verdict('0.603', String(demo.neededPerSide), String(demo.neededPerSide));
    expect(settled.verdict).not.toBe('inconclusive');
    // the old rule passed anything whose LOWER bound was ≤ 0.55 (up to AUC 0.665 at 43 + 43)
    expect((await verdict('0.55', '43', '43')).verdict).toBe('inconclusive');
  });

  it('passes only when the upper bound is below the threshold, and fails on confident leakage', async () => {
    const pass = await verdict('0.52', '2000', '2000', ['--tpr-at-1pct', '0.01']);
    expect(pass.verdict).toBe('pass');
    expect(pass.aucUpper95).toBeLessThan(0.55);
    expect((await verdict('0.81', '43', '43')).verdict).toBe('fail');
    // a TPR at 1% FPR cannot be resolved with fewer than 100 non-members: not a pass
    expect((await verdict('0.52', '2000', '50', ['--tpr-at-1pct', '0'])).verdict).toBe('inconclusive');
  });

  it.each([
    [['--auc', '1.5', '--members', '4', '--nonmembers', '4'], '--auc'],
    [['--auc', '0.6', '--nonmembers', '4'], '--members'],
    [['--auc', '0.6', '--members', '4', '--nonmembers', '0'], '--nonmembers'],
    [['--auc', '0.6', '--members', '4', '--nonmembers', '4', '--tpr-at-1pct', '2'], '--tpr-at-1pct'],
  ])('refuses %j naming %s, exit 2', async (flags, flag) => {
    const { code, stderr } = await runCli(['audit', 'verdict', ...flags, '--json']);
    expect(code).toBe(2);
    expect(stderr).toContain(`field "${flag}"`);
  });
});
