// `confidant report render | verify` through the real CLI (tsx), with a store made here.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFingerprint } from '../../../src-main/report/index';
import { Store } from '../../../src-main/store/index';
import { runCli } from '../../helpers/runCli';
import { buildReportFixture } from '../../fixtures/report/reportFixture';

const PASS = 'report cli passphrase';

describe('confidant report', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let fingerprint: string;
  let pdf: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'confidant-report-cli-'));
    env = { CONFIDANT_HOME: join(dir, 'store'), CONFIDANT_PASSPHRASE: PASS };
    const store = Store.open({
      directory: join(dir, 'store'),
      passphrase: PASS,
      create: true,
      kdfCost: { N: 1024, r: 8, p: 1 },
    });
    try {
      fingerprint = keyFingerprint(store.signingKeyPair().publicKey);
    } finally {
      store.close();
    }
    writeFileSync(join(dir, 'report.json'), JSON.stringify(buildReportFixture()));
    pdf = join(dir, 'out', 'report.pdf');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('render signs with the store key and logs it; verify says VALID and exits 0', async () => {
    const render = await runCli(['report', 'render', '--input', join(dir, 'report.json'), '--out', pdf], {
      env,
    });
    expect(render.code, render.stderr).toBe(0);
    expect(render.stdout.replace(/\s/g, '')).toContain(fingerprint);

    const verify = await runCli(['report', 'verify', pdf, '--trusted-key', fingerprint]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/^VALID: /);
    expect(verify.stdout).toContain('the signer is one of the trusted keys');

    const json = await runCli(['report', 'verify', pdf, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      valid: true,
      problems: [],
      signer: { keyFingerprint: fingerprint, algorithm: 'Ed25519', trusted: null },
      report: { title: 'Privacy audit: synthetic clinical notes', runs: 2 },
    });

    const log = await runCli(['store', 'verify-log', '--json'], { env });
    expect(JSON.parse(log.stdout)).toMatchObject({ ok: true });
  });

  it('verify exits 3 and explains a changed byte and an untrusted key', async () => {
    const tampered = join(dir, 'tampered.pdf');
    const bytes = readFileSync(pdf);
    const at = Math.floor(bytes.length / 3);
    bytes[at] = bytes[at]! ^ 0x04;
    writeFileSync(tampered, bytes);
    const changed = await runCli(['report', 'verify', tampered]);
    expect(changed.code).toBe(3);
    expect(changed.stdout).toMatch(/^TAMPERED/);
    expect(changed.stdout).toContain('The PDF was changed after it was signed');
    expect(changed.stdout).toContain('PDF content: CHANGED');

    const untrusted = await runCli(['report', 'verify', pdf, '--trusted-key', 'ab'.repeat(32)]);
    expect(untrusted.code).toBe(3);
    expect(untrusted.stdout).toContain('signed by a key that is not trusted here');
  });

  it('refuses an invalid model with the file and field, and a missing file with its path', async () => {
    const model = buildReportFixture() as unknown as { runs: unknown[] };
    model.runs = [];
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(model));
    const bad = await runCli(
      ['report', 'render', '--input', join(dir, 'bad.json'), '--out', join(dir, 'x.pdf')],
      { env },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad.json, field "runs"');

    const missing = await runCli(['report', 'verify', join(dir, 'nope.pdf')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.pdf: Cannot read the report PDF.');
  });
});
