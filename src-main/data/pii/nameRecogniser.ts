/**
 * Person names in clinical text, recall first, the way rule-based de-identifiers do it (the MIT
 * deid package, Neamatullah et al. 2008; Philter, Norgeot et al., npj Digital Medicine 3:57,
 * 2020):
 * - context cues in any casing: honorifics, labels ("PATIENT:", "Seen by"), relation words
 *   ("Husband …", "his daughter (…)"), signatures ("<Name>, MD", "K. Brennan RN"), sign-offs
 *   ("Thanks, …") and self-introductions ("this is …", lower-case names included);
 * - Philter's safe list: a capitalised word that is neither English (SCOWL) nor clinical
 *   vocabulary is a possible name by itself, wherever it stands;
 * - a small dictionary of given names and surnames and a person verb after a capitalised word;
 * - propagation: once a name is found, its other mentions in the text are found too, in any case.
 * Words followed by an eponym head ("Parkinson disease", "Glasgow Coma Scale") are not names.
 */
import {
  COLON_LABELS,
  EPONYM_HEADS,
  GIVEN_NAMES,
  HONORIFICS,
  NAME_LABELS,
  NOT_NAMES,
  PERSON_VERBS,
  RELATIONS,
  SURNAMES,
} from './nameLexicon.js';
import type { PiiMatch } from './piiTypes.js';
import { isClinicalWord, isSafeWord } from './safeWords.js';

const TOKEN = String.raw`\p{Lu}[\p{L}\p{M}'’]*(?:-\p{L}[\p{L}\p{M}'’]*)*`;
const INITIAL = String.raw`\p{Lu}\.`;
const PARTICLE = String.raw`(?:van|von|de|der|den|da|di|del|della|des|du|le|la|dos|das|y|e|bin|ibn|al|el|ter|ten|zu|St\.)`;
const SEQUENCE = String.raw`${TOKEN}(?:[ \t]+(?:${PARTICLE}[ \t]+)*${TOKEN}){0,3}`;
const LAST_FIRST = String.raw`${TOKEN}(?:[ \t]+${TOKEN})?,[ \t]+${TOKEN}(?:[ \t]+${INITIAL}?|[ \t]+\p{Lu}\b)?`;
/** Lower-case name words, only after a cue ("hi dr mcallister this is jenna kowalczyk"). */
const LOWER = String.raw`\p{Ll}[\p{L}\p{M}'’-]+`;
const CREDENTIALS = String.raw`(?:M\.?D\.?|D\.?O\.?|RN|LPN|LVN|NP|PA(?:-C)?|PT|DPT|OT|OTR|SLP|CCC-SLP|LCSW|LICSW|MSW|PhD|PharmD|RPh|CNM|CRNA|APRN|FNP(?:-BC)?|DNP|BSN|MSN|MBBS|MBChB|MRCP|FRCP|FRCS|FACC|FACP|FACS|MCSP|RD|RRT|EMT|CNA|PGY-?\d)`;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const caseVariants = (words: readonly string[], lower: boolean) =>
  [
    ...new Set(
      words.flatMap((w) => [
        w,
        w.toUpperCase(),
        w.charAt(0).toUpperCase() + w.slice(1),
        ...(lower ? [w.toLowerCase()] : []),
      ]),
    ),
  ]
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|');

const HONORIFIC_RE = new RegExp(
  String.raw`(?<![\p{L}\d])(?:${caseVariants(
    HONORIFICS.filter((h) => h.length > 1),
    false,
  )}|dr|mrs|miss|doctor|nurse|professor|prof|father|sister|M)\.?[ \t]+((?:${PARTICLE}[ \t]+)*${SEQUENCE})`,
  'gu',
);
const LOWER_HONORIFIC_RE = new RegExp(
  String.raw`(?<![\p{L}\d])(?:dr|mr|mrs|ms|miss|doctor|nurse)\.?[ \t]+(${LOWER}(?:[ \t]+${LOWER})?)`,
  'gu',
);
const LABEL_RE = new RegExp(
  String.raw`(?<![\p{L}\d])(?:${caseVariants(NAME_LABELS, false)})(?![\p{L}])[ \t]*(?::|-|#)?[ \t]*(${LAST_FIRST}|${SEQUENCE})`,
  'gu',
);
const LOWER_LABEL_RE = new RegExp(
  String.raw`(?<![\p{L}\d])(?:${caseVariants(
    NAME_LABELS.filter((l) => / (?:by|to|with|from)$/.test(l)),
    true,
  )})[ \t]+(${SEQUENCE})`,
  'gu',
);
const COLON_LABEL_RE = new RegExp(
  String.raw`(?<![\p{L}\d])(?:${caseVariants(COLON_LABELS, false)})(?![\p{L}])[ \t]*:[ \t]*(?:(?:${caseVariants(
    HONORIFICS.filter((h) => h.length > 1),
    false,
  )})\.?[ \t]+)?(${LAST_FIRST}|${SEQUENCE})`,
  'gu',
);
// "his daughter, Ana Ruiz", "Husband Flo", "mother (Keisha Bell)", "sister of Jane Doe".
const RELATION_RE = new RegExp(
  String.raw`(?<![\p{L}\d])(?:${caseVariants(RELATIONS, false)})(?![\p{L}])(?:[ \t]*,|[ \t]+of|[ \t]*\(|[ \t]*:)?[ \t]+?\(?((?:${PARTICLE}[ \t]+)*${SEQUENCE})`,
  'gu',
);
const LOWER_RELATION_RE = new RegExp(
  String.raw`(?<![\p{L}\d])(?:my|his|her|their|our|pt's|patient's)[ \t]+(?:${RELATIONS.map(escape).join('|')})[ \t]+(${LOWER})`,
  'gu',
);
// "this is jenna kowalczyk", "My name is Tobias", "I am Dr …".
const SELF_CUES = caseVariants(['this is', 'my name is', "it's", 'it is'], true);
const SELF_RE = new RegExp(String.raw`(?<![\p{L}\d])(?:${SELF_CUES})[ \t]+(${SEQUENCE})`, 'gu');
const LOWER_SELF_RE = new RegExp(
  String.raw`(?<![\p{L}\d])(?:${SELF_CUES})[ \t]+(${LOWER}(?:[ \t]+${LOWER})?)`,
  'gu',
);
// "Tomasz Wierzbicki, MD", "K. Brennan, RN", "Okafor, Chidi MD", "Bridget RN".
const SIGNATURE_RE = new RegExp(
  String.raw`((?:${INITIAL}[ \t]*)*(?:${LAST_FIRST}|${SEQUENCE}))(?:,[ \t]*|[ \t]+)\(?(?:[\p{Ll} ]{0,12}[ \t])?${CREDENTIALS}\b(?![ \t]*\d{5})`,
  'gu',
);
// "-- K. Brennan", "- Lucia", "Thanks, Tobias", "Kind regards,\n\nProfessor …".
const SIGN_OFFS = caseVariants(
  [
    'thanks',
    'thank you',
    'many thanks',
    'regards',
    'kind regards',
    'best regards',
    'best wishes',
    'best',
    'sincerely',
    'yours sincerely',
    'yours faithfully',
    'yours truly',
    'cheers',
    'warmly',
    'love',
  ],
  true,
);
const SIGN_OFF_RE = new RegExp(
  String.raw`(?:(?:^|\n)[ \t]*[-–—~]{1,2}[ \t]*|(?:^|[.!?\n][ \t]*)(?:${SIGN_OFFS})[ \t]*[,.!]*\s{1,4})((?:${INITIAL}[ \t]*)*${SEQUENCE})`,
  'gu',
);
const LOWER_SIGN_OFF_RE = new RegExp(
  String.raw`(?:^|[.!?\n][ \t]*)(?:${SIGN_OFFS})[ \t]*[,.!]*\s{1,4}(${LOWER})[ \t]*$`,
  'gu',
);
const WORD_RE = new RegExp(TOKEN, 'gu');
const ANY_WORD_RE = new RegExp(`${TOKEN}|${LOWER}`, 'gu');
const RUN_RE = new RegExp(`^(?:[ \\t]+${TOKEN})*`, 'u');
const DOSE_AFTER =
  /^[ \t]+\d+(?:[.,]\d+)?[ \t]*(?:mg|mcg|µg|g|ml|mL|units?|iu|IU|mEq|mmol|%|puffs?|tabs?|drops?)\b/;
/** Verbs that follow things as often as people ("Appendix is normal"). */
const WEAK_PERSON_VERBS = new Set(
  'is was has had remains remained appears appeared seems seemed looks looked became become returned returns will came comes presented presents'.split(
    ' ',
  ),
);
const CAPITALISED_RE = new RegExp(SEQUENCE, 'gu');
const TRAILING_PARTICLES_RE = new RegExp(String.raw`(?:${PARTICLE}[ \t]+)+$`, 'u');
const TITLE_CASE = /^\p{Lu}[\p{Ll}\p{M}'’]*\p{Ll}[\p{L}\p{M}'’]*(?:-\p{L}[\p{L}\p{M}'’]*)*$/u;

const ROLE_WORDS = new Set([
  ...RELATIONS,
  'partner',
  'consultant',
  'registrar',
  'resident',
  'fellow',
  'intern',
  'hospitalist',
  'midwife',
  'matron',
  'chaplain',
  'staff',
  'member',
  'team',
  'caller',
  'rn',
  'lpn',
  'np',
  'pa',
  'md',
]);
const isNotName = (token: string) => {
  const lower = token.toLowerCase().replace(/[’']s$/, '');
  return NOT_NAMES.has(lower) || ROLE_WORDS.has(lower) || isClinicalWord(token);
};
const tokensOf = (s: string) => s.match(WORD_RE) ?? [];
const isDictionaryName = (t: string) => GIVEN_NAMES.has(t.toLowerCase()) || SURNAMES.has(t.toLowerCase());

/** Trims leading and trailing words that are known not to be names; null if nothing is left. */
function trimToName(text: string, start: number): { text: string; start: number } | null {
  const tokens = [...text.matchAll(ANY_WORD_RE)];
  let first = 0;
  let last = tokens.length - 1;
  while (first <= last && isNotName(tokens[first]![0])) first += 1;
  while (last >= first && isNotName(tokens[last]![0])) last -= 1;
  if (first > last) return null;
  // Keep lowercase particles ("van der Berg") and initials ("K. Brennan") before the first kept token.
  const lead = text.slice(0, tokens[first]!.index);
  const particles = TRAILING_PARTICLES_RE.exec(lead);
  const initials = /(?:\p{Lu}\.[ \t]*)+$/u.exec(lead);
  const from =
    first === 0 && particles
      ? particles.index
      : first === 0 && initials
        ? initials.index
        : tokens[first]!.index!;
  const to = tokens[last]!.index! + tokens[last]![0].length;
  return { text: text.slice(from, to), start: start + from };
}

/** True when the word after the span makes it an eponym, scale or place, or a number follows. */
function followedByEponymHead(text: string, end: number): boolean {
  const next = /^[ \t]+([\p{L}]+|\d)/u.exec(text.slice(end, end + 40))?.[1];
  return next !== undefined && (/^\d$/.test(next) || EPONYM_HEADS.has(next.toLowerCase()));
}

function match(text: string, start: number, confidence: number, source: string): PiiMatch {
  return { type: 'NAME', start, end: start + text.length, text, confidence, source };
}

function cued(
  text: string,
  regex: RegExp,
  confidence: number,
  source: string,
  out: PiiMatch[],
  lower = false,
): void {
  regex.lastIndex = 0;
  for (const m of text.matchAll(regex)) {
    const value = m[1];
    if (!value || m.index === undefined) continue;
    const at = m.index + m[0].lastIndexOf(value);
    if (lower) {
      // Lower-case cue values: keep the leading words that are not English or clinical words.
      const words = [...value.matchAll(/\S+/gu)].filter((w) => !isSafeWord(w[0].replace(/[.,;:!?]+$/, '')));
      const kept = words.filter(
        (w, i) => i === 0 || words[i - 1]!.index! + words[i - 1]![0].length + 1 >= w.index!,
      );
      if (kept.length === 0 || kept[0]!.index !== 0) continue;
      const endOf =
        kept[kept.length - 1]!.index! + kept[kept.length - 1]![0].replace(/[.,;:!?]+$/, '').length;
      out.push(match(value.slice(0, endOf), at, confidence, source));
      continue;
    }
    const trimmed = trimToName(value, at);
    if (
      !trimmed ||
      (source !== 'name:honorific' && followedByEponymHead(text, trimmed.start + trimmed.text.length))
    )
      continue;
    // A lone short capitalised abbreviation after a label is a clinical abbreviation ("CC: MVC").
    if (source !== 'name:honorific' && /^[\p{Lu}\d]{1,4}$/u.test(trimmed.text)) continue;
    out.push(match(trimmed.text, trimmed.start, confidence, source));
  }
}

function atSentenceStart(text: string, index: number): boolean {
  const before = text.slice(Math.max(0, index - 3), index);
  return index === 0 || /(?:[.!?:]\s+|\n\s*)$/.test(before);
}

/** Philter's rule: title-case words that are neither English nor clinical words are names. */
function unknownWords(text: string, out: PiiMatch[]): void {
  WORD_RE.lastIndex = 0;
  for (const m of text.matchAll(WORD_RE)) {
    const word = m[0];
    if (!TITLE_CASE.test(word) || word.length < 2 || isSafeWord(word)) continue;
    const end = m.index + word.length;
    const run = RUN_RE.exec(text.slice(end, end + 80))![0];
    if (followedByEponymHead(text, end + run.length) || /^[-'’]?\d/.test(text.slice(end, end + 2))) continue;
    // A dose after the word makes it a drug ("Zoloft 50 mg", "Humalog 4 units").
    if (DOSE_AFTER.test(text.slice(end, end + 24))) continue;
    out.push(match(word, m.index, 0.6, 'name:not-a-word'));
  }
}

export function findNames(text: string): PiiMatch[] {
  const out: PiiMatch[] = [];
  cued(text, HONORIFIC_RE, 0.95, 'name:honorific', out);
  cued(text, LOWER_HONORIFIC_RE, 0.9, 'name:honorific', out, true);
  cued(text, LABEL_RE, 0.9, 'name:label', out);
  cued(text, LOWER_LABEL_RE, 0.9, 'name:label', out);
  cued(text, COLON_LABEL_RE, 0.9, 'name:label', out);
  cued(text, RELATION_RE, 0.9, 'name:relation', out);
  cued(text, LOWER_RELATION_RE, 0.85, 'name:relation', out, true);
  cued(text, SELF_RE, 0.9, 'name:self', out);
  cued(text, LOWER_SELF_RE, 0.9, 'name:self', out, true);
  cued(text, SIGNATURE_RE, 0.9, 'name:signature', out);
  cued(text, SIGN_OFF_RE, 0.85, 'name:sign-off', out);
  cued(text, LOWER_SIGN_OFF_RE, 0.85, 'name:sign-off', out, true);
  for (const m of [...out]) {
    // Lower-case cue matches ("this is jenna kowalczyk") are cued only when the words are not English.
    if (/^\p{Ll}/u.test(m.text) && m.source !== 'name:honorific' && isSafeWord(m.text.split(/\s/)[0]!)) {
      out.splice(out.indexOf(m), 1);
    }
  }
  unknownWords(text, out);

  // Capitalised sequences without a cue: dictionary words, or a person verb after them.
  CAPITALISED_RE.lastIndex = 0;
  for (const m of text.matchAll(CAPITALISED_RE)) {
    const trimmed = trimToName(m[0], m.index!);
    if (!trimmed || followedByEponymHead(text, trimmed.start + trimmed.text.length)) continue;
    const tokens = tokensOf(trimmed.text);
    const after = text.slice(trimmed.start + trimmed.text.length).match(/^[ \t]+([a-z]+)/)?.[1] ?? '';
    if (tokens.some(isDictionaryName) && tokens.length >= 2) {
      out.push(match(trimmed.text, trimmed.start, 0.85, 'name:dictionary'));
    } else if (
      PERSON_VERBS.has(after) &&
      tokens.every((t) => t.length > 1 && !/^[A-Z]{2,}$/.test(t)) &&
      (!WEAK_PERSON_VERBS.has(after) || tokens.some((t) => !isSafeWord(t) || isDictionaryName(t)))
    ) {
      out.push(match(trimmed.text, trimmed.start, 0.75, 'name:person-verb'));
    } else if (
      tokens.length >= 2 &&
      !atSentenceStart(text, trimmed.start) &&
      tokens.every((t) => !/^[A-Z]{2,}$/.test(t))
    ) {
      out.push(match(trimmed.text, trimmed.start, 0.55, 'name:capitalised-pair'));
    }
  }
  return [...out, ...propagate(text, out)];
}

/** Other mentions, in any case, of the tokens of names found with a cue or a dictionary. */
function propagate(text: string, found: readonly PiiMatch[]): PiiMatch[] {
  const known = new Set(
    found
      .filter((m) => m.confidence >= 0.75)
      .flatMap((m) => (m.text.match(ANY_WORD_RE) ?? []).filter((t) => t.length > 2 && !isNotName(t)))
      .map((t) => t.toLowerCase()),
  );
  const out: PiiMatch[] = [];
  if (known.size === 0) return out;
  for (const m of text.matchAll(/[\p{L}\p{M}'’-]+/gu)) {
    const word = m[0].replace(/[’']s$/, '');
    if (known.has(word.toLowerCase()) && (/^\p{Lu}/u.test(word) || !isSafeWord(word))) {
      out.push(match(word, m.index, 0.85, 'name:propagated'));
    }
  }
  return out;
}
