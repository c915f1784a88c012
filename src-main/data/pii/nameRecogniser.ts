/**
 * Person names in clinical text, the way rule-based de-identifiers do it (e.g. the MIT
 * deid package, Neamatullah et al. 2008; Philter, Norgeot et al. 2020): context cues
 * (honorifics, labels such as "Patient:", relation words such as "his daughter"), a small
 * dictionary of common given names and surnames, capitalised word sequences followed by a
 * person verb, and propagation: once a name is found, its other mentions in the same text are
 * found too. Capitalised words known not to be names in clinical text are never names.
 */
import {
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

const TOKEN = String.raw`\p{Lu}[\p{Ll}\p{Lu}'’]*(?:-\p{Lu}[\p{Ll}'’]+)*`;
const PARTICLE = String.raw`(?:van|von|de|der|den|da|di|del|della|des|du|le|la|dos|das|y|e|bin|ibn|al|St\.)`;
const SEQUENCE = String.raw`${TOKEN}(?:[ \t]+(?:${PARTICLE}[ \t]+)*${TOKEN}){0,3}`;
const LAST_FIRST = String.raw`${TOKEN}(?:[ \t]+${TOKEN})?,[ \t]+${TOKEN}`;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const HONORIFIC_RE = new RegExp(
  String.raw`\b(?:${HONORIFICS.map(escape).join('|')})\.?[ \t]+((?:${PARTICLE}[ \t]+)*${SEQUENCE})`,
  'gu',
);
const LABEL_RE = new RegExp(
  String.raw`(?:^|\b)(?:${NAME_LABELS.map(escape).join('|')})[ \t]*[:\-]?[ \t]*(${LAST_FIRST}|${SEQUENCE})`,
  'gmu',
);
// "his daughter, Ana Ruiz", "spoke with husband Flo", "sister of Jane Doe".
const RELATION_RE = new RegExp(
  String.raw`\b(?:${RELATIONS.join('|')})(?:[ \t]*,|[ \t]+of)?[ \t]+(${SEQUENCE})`,
  'gu',
);
const CAPITALISED_RE = new RegExp(SEQUENCE, 'gu');
const WORD_RE = new RegExp(TOKEN, 'gu');
const TRAILING_PARTICLES_RE = new RegExp(String.raw`(?:${PARTICLE}[ \t]+)+$`, 'u');

const isNotName = (token: string) => NOT_NAMES.has(token.toLowerCase().replace(/[’']s$/, ''));
const tokensOf = (s: string) => s.match(WORD_RE) ?? [];

/** Trims leading and trailing words that are known not to be names; null if nothing is left. */
function trimToName(text: string, start: number): { text: string; start: number } | null {
  const tokens = [...text.matchAll(WORD_RE)];
  let first = 0;
  let last = tokens.length - 1;
  while (first <= last && isNotName(tokens[first]![0])) first += 1;
  while (last >= first && isNotName(tokens[last]![0])) last -= 1;
  if (first > last) return null;
  // Keep lowercase particles ("van der Berg") that precede the first kept token.
  const particles = TRAILING_PARTICLES_RE.exec(text.slice(0, tokens[first]!.index!));
  const from = particles && first === 0 ? particles.index : tokens[first]!.index!;
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

function cued(text: string, regex: RegExp, confidence: number, source: string, out: PiiMatch[]): void {
  regex.lastIndex = 0;
  for (const m of text.matchAll(regex)) {
    const value = m[1];
    if (!value || m.index === undefined) continue;
    const trimmed = trimToName(value, m.index + m[0].lastIndexOf(value));
    if (
      !trimmed ||
      (source !== 'name:honorific' && followedByEponymHead(text, trimmed.start + trimmed.text.length))
    )
      continue;
    out.push(match(trimmed.text, trimmed.start, confidence, source));
  }
}

function atSentenceStart(text: string, index: number): boolean {
  const before = text.slice(Math.max(0, index - 3), index);
  return index === 0 || /(?:[.!?:]\s+|\n\s*)$/.test(before);
}

export function findNames(text: string): PiiMatch[] {
  const out: PiiMatch[] = [];
  cued(text, HONORIFIC_RE, 0.95, 'name:honorific', out);
  cued(text, LABEL_RE, 0.9, 'name:label', out);
  cued(text, RELATION_RE, 0.9, 'name:relation', out);

  // Capitalised sequences without a cue: dictionary words, or a person verb after them.
  CAPITALISED_RE.lastIndex = 0;
  for (const m of text.matchAll(CAPITALISED_RE)) {
    const trimmed = trimToName(m[0], m.index!);
    if (!trimmed || followedByEponymHead(text, trimmed.start + trimmed.text.length)) continue;
    const tokens = tokensOf(trimmed.text);
    const after = text.slice(trimmed.start + trimmed.text.length).match(/^[ \t]+([a-z]+)/)?.[1] ?? '';
    const known = tokens.some((t) => GIVEN_NAMES.has(t.toLowerCase()) || SURNAMES.has(t.toLowerCase()));
    if (known && tokens.length >= 2) out.push(match(trimmed.text, trimmed.start, 0.85, 'name:dictionary'));
    else if (PERSON_VERBS.has(after) && tokens.every((t) => t.length > 1 && !/^[A-Z]{2,}$/.test(t))) {
      out.push(match(trimmed.text, trimmed.start, 0.75, 'name:person-verb'));
    } else if (
      tokens.length >= 2 &&
      !atSentenceStart(text, trimmed.start) &&
      tokens.every((t) => !/^[A-Z]{2,}$/.test(t))
    ) {
      out.push(match(trimmed.text, trimmed.start, 0.55, 'name:capitalised-pair'));
    }
  }

  // Propagation: other mentions of the tokens of confident names.
  const known = new Set(
    out
      .filter((m) => m.confidence >= 0.75)
      .flatMap((m) => tokensOf(m.text).filter((t) => t.length > 1 && !isNotName(t))),
  );
  if (known.size > 0) {
    WORD_RE.lastIndex = 0;
    for (const m of text.matchAll(WORD_RE)) {
      if (known.has(m[0])) out.push(match(m[0], m.index, 0.85, 'name:propagated'));
    }
  }
  return out;
}
