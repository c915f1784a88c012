// A new store passphrase has a minimum strength (NIST SP 800-63B §5.1.1.2: length, no
// composition rules, refuse common values); the CLI and the app check it on creation.
import { describe, expect, it } from 'vitest';
import { assertNewPassphrase, passphraseWeakness } from '../../../src-main/store/passphrasePolicy';

describe('new store passphrase', () => {
  it.each([
    ['short', /5 characters; use at least 12/],
    ['aaaaaaaaaaaaaaaa', /too few different characters/],
    ['Password1234', /well-known/],
    ['1234567890ab', /simple sequence/],
  ])('refuses %j', (passphrase, reason) => {
    expect(passphraseWeakness(passphrase)).toMatch(reason);
    expect(() => assertNewPassphrase(passphrase)).toThrow(
      expect.objectContaining({ code: 'STORE_WEAK_PASSPHRASE' }),
    );
  });

  it.each(['correct horse battery staple', 'cli test passphrase', 'Zürich ist schön 2026'])(
    'accepts %j',
    (passphrase) => {
      expect(passphraseWeakness(passphrase)).toBeNull();
    },
  );
});
