// The openssl child started by `fed init` must not inherit the store passphrase or any
// federation secret from Confidant's environment (issue #19).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { issueFederationCertificates } from '../../../src-main/federation/federationCa';

const bin = mkdtempSync(join(tmpdir(), 'confidant-fake-openssl-'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));

describe('child process environment', () => {
  it('gives openssl no CONFIDANT_*PASSPHRASE variable', () => {
    const dump = join(bin, 'env.txt');
    // A stand-in openssl that records the environment it was given, then fails.
    writeFileSync(join(bin, 'openssl'), `#!/bin/sh\nenv > ${JSON.stringify(dump)}\nexit 1\n`);
    chmodSync(join(bin, 'openssl'), 0o755);
    const saved = { ...process.env };
    process.env.PATH = `${bin}:${process.env.PATH ?? ''}`;
    process.env.CONFIDANT_PASSPHRASE = 'store secret value';
    process.env.CONFIDANT_FED_PASSPHRASE = 'fed secret value';
    try {
      expect(() => issueFederationCertificates('fed-0123456789abcdef', ['a', 'b'], ['localhost'])).toThrow();
    } finally {
      process.env = saved;
    }
    const seen = readFileSync(dump, 'utf8');
    expect(seen).toContain('PATH=');
    expect(seen).not.toContain('secret value');
  });
});
