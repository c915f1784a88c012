/**
 * Two ways to remove identifiers from text. Redaction replaces each span with its type in
 * brackets ([NAME], [DATE]…). Pseudonymisation replaces it with a realistic surrogate chosen by
 * HMAC-SHA256 under a key kept in the store, so the same identifier gets the same surrogate in
 * every record (a person keeps one fake name, name by name token, so "Mr. Swift" and "Kadin
 * Swift" stay the same person); dates move by a keyed per-subject shift that keeps intervals;
 * ages over 89 become "90+" (Safe Harbor); other identifiers keep their shape.
 */
import { createHmac } from 'node:crypto';
import { GIVEN_NAMES, SURNAMES } from './nameLexicon.js';
import type { PiiMatch, PiiType } from './piiTypes.js';
import { MONTH_NAMES } from '../monthNames.js';

export function redactText(text: string, matches: readonly PiiMatch[]): string {
  return replaceSpans(text, matches, (m) => `[${m.type}]`);
}

function replaceSpans(text: string, matches: readonly PiiMatch[], replace: (m: PiiMatch) => string): string {
  let out = '';
  let at = 0;
  for (const m of [...matches].sort((a, b) => a.start - b.start)) {
    if (m.start < at) continue;
    out += text.slice(at, m.start) + replace(m);
    at = m.end;
  }
  return out + text.slice(at);
}

const GIVEN = [...GIVEN_NAMES].sort();
const FAMILY = [...SURNAMES].sort();
const capitalise = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
const MONTHS: readonly string[] = MONTH_NAMES;
const PARTICLES = new Set([
  'van',
  'von',
  'de',
  'der',
  'den',
  'da',
  'di',
  'del',
  'della',
  'des',
  'du',
  'le',
  'la',
  'dos',
  'das',
  'y',
  'e',
]);

export class Pseudonymiser {
  constructor(private readonly key: Buffer) {}

  private hmac(...parts: string[]): Buffer {
    const h = createHmac('sha256', this.key);
    for (const p of parts) h.update(p).update('\u0000');
    return h.digest();
  }

  private pick<T>(list: readonly T[], ...parts: string[]): T {
    return list[this.hmac(...parts).readUInt32BE(0) % list.length]!;
  }

  /** The surrogate for one name token, the same wherever the token appears. */
  nameToken(token: string): string {
    const lower = token.toLowerCase();
    if (PARTICLES.has(lower)) return '';
    if (GIVEN_NAMES.has(lower)) return capitalise(this.pick(GIVEN, 'given', lower));
    // Surnames: single or double-barrelled, about 40,000 surrogates, so two real surnames
    // rarely share one (a shared surrogate would merge two people, never split one).
    const h = this.hmac('family', lower);
    const first = FAMILY[h.readUInt32BE(0) % FAMILY.length]!;
    const second = FAMILY[h.readUInt32BE(4) % FAMILY.length]!;
    return h[8]! < 16 || first === second ? capitalise(first) : `${capitalise(first)}-${capitalise(second)}`;
  }

  name(value: string): string {
    return value
      .replace(/[\p{L}'’-]+/gu, (token) => this.nameToken(token))
      .replace(/\s{2,}/g, ' ')
      .trim();
  }

  /** A keyed shift of -365…+365 days per subject (or per dataset when there is no subject). */
  dateShiftDays(subject: string): number {
    return (this.hmac('date-shift', subject).readUInt32BE(0) % 731) - 365;
  }

  date(value: string, subject: string): string {
    const parsed = parseDate(value);
    if (!parsed) return '[DATE]';
    const shifted = new Date(parsed.date.getTime() + this.dateShiftDays(subject) * 86_400_000);
    return parsed.format(shifted);
  }

  /** Same shape, other characters: digits stay digits, letters stay letters (and case). */
  shape(type: PiiType, value: string): string {
    const bytes = this.hmac('shape', type, value.toLowerCase());
    let i = 0;
    const next = () => bytes[i++ % bytes.length]!;
    return value.replace(/[0-9]|\p{Lu}|\p{Ll}/gu, (c) => {
      if (/[0-9]/.test(c)) return String(next() % 10);
      const letter = String.fromCharCode(97 + (next() % 26));
      return c === c.toUpperCase() ? letter.toUpperCase() : letter;
    });
  }

  replacement(match: PiiMatch, subject: string): string {
    const tag = this.hmac('tag', match.type, match.text.toLowerCase()).toString('hex').slice(0, 8);
    switch (match.type) {
      case 'NAME':
        return this.name(match.text) || '[NAME]';
      case 'DATE':
        return this.date(match.text, subject);
      case 'AGE':
        return '90+';
      case 'EMAIL':
        return `patient.${tag}@example.org`;
      case 'URL':
        return `https://example.org/${tag}`;
      case 'IP': {
        const b = this.hmac('ip', match.text);
        return `10.${b[0]}.${b[1]}.${b[2]}`;
      }
      case 'ADDRESS':
        return this.shape('ADDRESS', match.text.replace(/[^\d\s,.#-]+/g, 'Elm')).replace(
          /Elm(\s+Elm)*/g,
          'Elm Street',
        );
      default:
        return this.shape(match.type, match.text);
    }
  }

  pseudonymise(text: string, matches: readonly PiiMatch[], subject = ''): string {
    return replaceSpans(text, matches, (m) => this.replacement(m, subject));
  }
}

interface ParsedDate {
  date: Date;
  format: (d: Date) => string;
}

const pad = (n: number) => String(n).padStart(2, '0');

function monthIndex(name: string): number {
  return MONTHS.findIndex((m) => m.toLowerCase().startsWith(name.toLowerCase().replace('.', '').slice(0, 3)));
}

/** Parses the date formats the recogniser finds; null for anything else. */
export function parseDate(value: string): ParsedDate | null {
  let m: RegExpExecArray | null;
  const utc = (y: number, mo: number, d: number) => new Date(Date.UTC(y, mo, d));
  if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value))) {
    return {
      date: utc(+m[1]!, +m[2]! - 1, +m[3]!),
      format: (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    };
  }
  if ((m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(value))) {
    const short = m[3]!.length === 2;
    const year = short ? 2000 + +m[3]! - (+m[3]! > 50 ? 100 : 0) : +m[3]!;
    const padded = m[1]!.length === 2;
    return {
      date: utc(year, +m[1]! - 1, +m[2]!),
      format: (d) => {
        const [mo, da] = [d.getUTCMonth() + 1, d.getUTCDate()];
        const y = short ? String(d.getUTCFullYear()).slice(2) : String(d.getUTCFullYear());
        return padded ? `${pad(mo)}/${pad(da)}/${y}` : `${mo}/${da}/${y}`;
      },
    };
  }
  if ((m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(value))) {
    return {
      date: utc(+m[3]!, +m[2]! - 1, +m[1]!),
      format: (d) => `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`,
    };
  }
  if ((m = /^([A-Za-z]+\.?)\s+(\d{1,2}),?\s+(\d{4})$/.exec(value)) && monthIndex(m[1]!) >= 0) {
    return {
      date: utc(+m[3]!, monthIndex(m[1]!), +m[2]!),
      format: (d) => `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`,
    };
  }
  if ((m = /^(\d{1,2})\s+([A-Za-z]+\.?)\s+(\d{4})$/.exec(value)) && monthIndex(m[2]!) >= 0) {
    return {
      date: utc(+m[3]!, monthIndex(m[2]!), +m[1]!),
      format: (d) => `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]!.slice(0, 3)} ${d.getUTCFullYear()}`,
    };
  }
  return null;
}
