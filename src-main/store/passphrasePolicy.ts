/**
 * The minimum strength of a NEW store passphrase (creating a store, or changing its
 * passphrase), checked where a person types it (CLI, app). Following NIST SP 800-63B
 * §5.1.1.2 for memorised secrets: a minimum length, no composition rules, and a refusal of
 * values that are known to be common or trivially guessable. The passphrase protects every
 * record in the store against anyone who copies the folder, and scrypt only slows guessing.
 */
import { ConfidantError } from '../shared/confidantError.js';

export const MIN_PASSPHRASE_LENGTH = 12;

const COMMON = new Set([
  'passwordpassword',
  'password1234',
  '123456789012',
  'qwertyuiopas',
  'confidantconfidant',
]);

/** Why `passphrase` is too weak for a new store, or null when it is acceptable. */
export function passphraseWeakness(passphrase: string): string | null {
  const characters = [...passphrase];
  if (characters.length < MIN_PASSPHRASE_LENGTH)
    return `it has ${characters.length} characters; use at least ${MIN_PASSPHRASE_LENGTH}`;
  if (new Set(characters).size < 5) return 'it repeats too few different characters';
  const folded = passphrase.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (COMMON.has(folded)) return 'it is a well-known passphrase';
  if (/^(0123456789|1234567890|abcdefghij)/.test(folded)) return 'it is a simple sequence';
  return null;
}

/** Throws a ConfidantError naming the problem when a new passphrase is too weak. */
export function assertNewPassphrase(passphrase: string, field = 'passphrase'): void {
  const weakness = passphraseWeakness(passphrase);
  if (weakness === null) return;
  throw new ConfidantError('STORE_WEAK_PASSPHRASE', `This passphrase is too weak for a store: ${weakness}.`, {
    where: { field },
    hint: 'Use a few unrelated words (for example four or five), at least 12 characters in all. It cannot be recovered if forgotten.',
  });
}
