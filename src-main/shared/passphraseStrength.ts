/**
 * How strong a new store passphrase is, for a store of clinical notes. One rule, shared by
 * the unlock screen's meter and by the engine, which refuses to create a store behind a
 * weaker one. No Node or DOM imports: the renderer compiles this file.
 *
 * The estimate is the usual brute-force bound, log2(alphabet size) bits per character
 * (NIST SP 800-63B, appendix A discusses why composition rules matter less than length),
 * made pessimistic for what guessers try first: characters that repeat or continue a run
 * (aaaa, abcd, 1234) count for nothing, and a well-known password scores as one guess.
 * A passphrase must have at least MIN_PASSPHRASE_LENGTH characters and MIN_PASSPHRASE_BITS.
 */
export const MIN_PASSPHRASE_LENGTH = 12;
export const MIN_PASSPHRASE_BITS = 50;

export type PassphraseLevel = 'too weak' | 'fair' | 'good' | 'strong';

export interface PassphraseStrength {
  bits: number;
  level: PassphraseLevel;
  acceptable: boolean;
  /** What to do, when it is not acceptable. */
  advice: string | null;
}

const COMMON = new Set([
  'password',
  'passphrase',
  'passwort',
  'motdepasse',
  'confidant',
  'qwerty',
  'azerty',
  'letmein',
  'welcome',
  'admin',
  'hospital',
  'patient',
  'iloveyou',
  'monkey',
  'dragon',
]);

function alphabetSize(text: string): number {
  let size = 0;
  if (/[a-z]/.test(text)) size += 26;
  if (/[A-Z]/.test(text)) size += 26;
  if (/[0-9]/.test(text)) size += 10;
  if (/[^a-zA-Z0-9]/.test(text)) size += 33;
  return size;
}

/** Characters that are neither a repeat nor the next in a run (abc, 321) of the one before. */
function effectiveLength(text: string): number {
  const chars = [...text];
  let count = 0;
  for (let i = 0; i < chars.length; i += 1) {
    const here = chars[i]!.codePointAt(0)!;
    const before = i > 0 ? chars[i - 1]!.codePointAt(0)! : null;
    if (before === null || Math.abs(here - before) > 1) count += 1;
  }
  return count;
}

export function passphraseStrength(passphrase: string): PassphraseStrength {
  const core = passphrase.toLowerCase().replace(/[^a-z]/g, '');
  const common = COMMON.has(core) || COMMON.has(passphrase.toLowerCase());
  const bits = common
    ? 10
    : Math.round(effectiveLength(passphrase) * Math.log2(Math.max(1, alphabetSize(passphrase))));
  const longEnough = [...passphrase].length >= MIN_PASSPHRASE_LENGTH;
  const acceptable = longEnough && bits >= MIN_PASSPHRASE_BITS;
  const level: PassphraseLevel = !acceptable
    ? 'too weak'
    : bits >= 90
      ? 'strong'
      : bits >= 70
        ? 'good'
        : 'fair';
  const advice = acceptable
    ? null
    : common
      ? 'This is one of the first passphrases anyone would try. Use several unrelated words instead.'
      : !longEnough
        ? `Use at least ${MIN_PASSPHRASE_LENGTH} characters: four or five unrelated words are easy to remember and hard to guess.`
        : 'Avoid repeated characters and runs such as “aaaa” or “1234”: add unrelated words.';
  return { bits, level, acceptable, advice };
}
