// scrypt (RFC 7914) + AES-256-GCM (NIST SP 800-38D) envelope of an invitation.
import { describe, expect, it } from 'vitest';
import { openWithPassphrase, sealWithPassphrase } from '../../../src-main/federation/passphraseEnvelope';

const cheap = { N: 1024, r: 8, p: 1 };

describe('passphrase envelope', () => {
  it('opens with the passphrase and hides the plaintext', () => {
    const secret = Buffer.from('the CKKS secret key goes here');
    const env = sealWithPassphrase('fmt', { siteId: 'a' }, secret, 'pass phrase 1', cheap);
    expect(JSON.stringify(env)).not.toContain('CKKS secret');
    expect(openWithPassphrase(env, 'pass phrase 1', 'x.invite').equals(secret)).toBe(true);
  });

  it('refuses a wrong passphrase, a changed label and a changed ciphertext', () => {
    const env = sealWithPassphrase('fmt', { siteId: 'a' }, Buffer.from('payload'), 'pass phrase 1', cheap);
    expect(() => openWithPassphrase(env, 'pass phrase 2', 'x.invite')).toThrow(/passphrase/);
    expect(() => openWithPassphrase({ ...env, label: { siteId: 'b' } }, 'pass phrase 1', 'x.invite')).toThrow(
      /passphrase/,
    );
    const flipped = Buffer.from(env.ciphertext, 'base64');
    flipped[0] = (flipped[0] as number) ^ 1;
    expect(() =>
      openWithPassphrase({ ...env, ciphertext: flipped.toString('base64') }, 'pass phrase 1', 'x.invite'),
    ).toThrow(/altered/);
  });
});
