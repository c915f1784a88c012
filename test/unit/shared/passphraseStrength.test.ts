// The passphrase rule of issue #23, item 10: "abc" and well-known passwords are refused,
// length and variety count, repeats and runs do not.
import { describe, expect, it } from 'vitest';
import {
  MIN_PASSPHRASE_BITS,
  MIN_PASSPHRASE_LENGTH,
  passphraseStrength,
} from '../../../src-main/shared/passphraseStrength';

describe('passphraseStrength', () => {
  it('refuses short, common and repetitive passphrases', () => {
    for (const weak of [
      'abc',
      'Password',
      'password1234',
      'PASSWORD!',
      'aaaaaaaaaaaaaaaa',
      'abcdefghijklmnop',
      '123456789012',
    ]) {
      const strength = passphraseStrength(weak);
      expect(strength, weak).toMatchObject({ acceptable: false, level: 'too weak' });
      expect(strength.advice, weak).toBeTruthy();
    }
  });

  it('accepts a few unrelated words, and rates longer ones higher', () => {
    const words = passphraseStrength('correct horse battery staple');
    expect(words).toMatchObject({ acceptable: true, level: 'strong', advice: null });
    // 28 characters of lower case and space: log2(26 + 33) ≈ 5.88 bits each, minus runs ("st" in staple, "rs" …)
    expect(words.bits).toBeGreaterThan(120);
    const fair = passphraseStrength('plum-tiger-9');
    expect(fair.acceptable).toBe(true);
    expect(fair.bits).toBeGreaterThanOrEqual(MIN_PASSPHRASE_BITS);
    expect(passphraseStrength('plum tiger 9 velvet canoe').bits).toBeGreaterThan(fair.bits);
  });

  it('needs the minimum length even when the alphabet is rich', () => {
    const short = passphraseStrength('Xq#9!vT2');
    expect(short.bits).toBeGreaterThanOrEqual(MIN_PASSPHRASE_BITS);
    expect(short.acceptable).toBe(false);
    expect(short.advice).toContain(String(MIN_PASSPHRASE_LENGTH));
  });
});
