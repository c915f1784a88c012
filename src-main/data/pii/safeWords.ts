/**
 * The safe list of the name recogniser: words known not to be identifiers. A capitalised word
 * on this list is a name only with context (a cue, a dictionary name beside it); one that is not
 * on it is a possible name by itself (Philter's recall-first rule, Norgeot et al. 2020).
 * English words come from SCOWL (resources/wordlists/english-words.txt, see resources/README.md);
 * clinical words from clinicalVocabulary.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfidantError } from '../../shared/confidantError.js';
import { CLINICAL_SUFFIX, CLINICAL_WORDS } from './clinicalVocabulary.js';
import { NOT_NAMES } from './nameLexicon.js';

const WORD_LIST = 'wordlists/english-words.txt';

let english: Set<string> | undefined;

function englishWords(): Set<string> {
  if (english) return english;
  // src-main/data/pii/ is three levels below the repository root; out/main/ two, out/main/chunks/ three
  const candidates = [
    resolve(import.meta.dirname, '../../../resources', WORD_LIST),
    resolve(import.meta.dirname, '../../resources', WORD_LIST),
    resolve(import.meta.dirname, '../../../../resources', WORD_LIST),
  ];
  const found = candidates.find((file) => existsSync(file));
  if (!found) {
    throw new ConfidantError(
      'data.pii-wordlist-missing',
      'The English word list of the PII scanner is missing.',
      {
        where: { file: candidates[0] },
        hint: 'Reinstall Confidant, or check out resources/wordlists from the repository.',
      },
    );
  }
  english = new Set(readFileSync(found, 'utf8').split('\n').filter(Boolean));
  return english;
}

const stripPossessive = (lower: string) => lower.replace(/[’']s?$/, '');

/** A word of clinical text that is never an identifier by itself (specialties, drugs, eponyms). */
export function isClinicalWord(word: string): boolean {
  const lower = stripPossessive(word.toLowerCase());
  return NOT_NAMES.has(lower) || CLINICAL_WORDS.has(lower) || CLINICAL_SUFFIX.test(lower);
}

/** An English or clinical word (in any case). */
export function isSafeWord(word: string): boolean {
  const lower = stripPossessive(word.toLowerCase());
  if (isClinicalWord(lower)) return true;
  const dictionary = englishWords();
  if (dictionary.has(lower)) return true;
  // Hyphenated: safe when every part is ("Follow-up", "Non-Hodgkin").
  return (
    lower.includes('-') &&
    lower.split('-').every((part) => part === '' || dictionary.has(part) || isClinicalWord(part))
  );
}
