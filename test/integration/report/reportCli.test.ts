// `confidant report render | verify` through the real CLI (tsx), with a store made here.
import { generateKeyPairSync } from 'node:crypto';
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

    // Without a flag, the store's own key (from its trust list, no passphrase needed) is trusted.
    const json = await runCli(['report', 'verify', pdf, '--json'], {
      env: { CONFIDANT_HOME: join(dir, 'store'), CONFIDANT_PASSPHRASE: '' },
    });
    expect(json.code, json.stdout + json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      valid: true,
      problems: [],
      signer: { keyFingerprint: fingerprint, algorithm: 'Ed25519', trusted: true },
      // rendered from a hand-supplied report.json: the signed record says so
      source: 'supplied-json',
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
    const changed = await runCli(['report', 'verify', tampered], { env });
    expect(changed.code).toBe(3);
    expect(changed.stdout).toMatch(/^TAMPERED/);
    expect(changed.stdout).toContain('The PDF was changed after it was signed');
    expect(changed.stdout).toContain('PDF content: CHANGED');

    // A store that is not the signer's, and a --trusted-key that is not the signer's either.
    const untrusted = await runCli(['report', 'verify', pdf, '--trusted-key', 'ab'.repeat(32)], {
      env: { CONFIDANT_HOME: join(dir, 'no-store') },
    });
    expect(untrusted.code).toBe(3);
    expect(untrusted.stdout).toContain(`signed by an unknown key ${fingerprint}`);
  });

  it('verify refuses a report forged with a fresh key until that key is trusted', async () => {
    const { createSignedReport, ed25519Signer } = await import('../../../src-main/report/index');
    const forger = ed25519Signer(generateKeyPairSync('ed25519').privateKey);
    const forgedFingerprint = keyFingerprint(forger.publicKey);
    const forged = join(dir, 'forged.pdf');
    writeFileSync(forged, (await createSignedReport(buildReportFixture(), forger)).pdf);

    const refused = await runCli(['report', 'verify', forged], { env });
    expect(refused.code).toBe(3);
    expect(refused.stdout).toMatch(/^UNKNOWN SIGNER: /);
    expect(refused.stdout).toContain(`signed by an unknown key ${forgedFingerprint}`);
    const refusedJson = JSON.parse((await runCli(['report', 'verify', forged, '--json'], { env })).stdout);
    expect(refusedJson).toMatchObject({
      valid: false,
      signer: { trusted: false },
      problems: [{ code: 'unknown-key' }],
    });

    const flagged = await runCli(['report', 'verify', forged, '--trusted-key', forgedFingerprint], { env });
    expect(flagged.code).toBe(0);

    const trust = await runCli(['report', 'trust', forgedFingerprint, '--label', 'site B'], { env });
    expect(trust.code, trust.stderr).toBe(0);
    const listed = await runCli(['report', 'verify', forged], { env });
    expect(listed.code, listed.stdout).toBe(0);
    expect(listed.stdout).toMatch(/^VALID: /);
    const log = JSON.parse((await runCli(['store', 'verify-log', '--json'], { env })).stdout);
    expect(log).toMatchObject({ ok: true });
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
