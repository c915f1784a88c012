/**
 * Finds PII in a text: runs the structured and the name recognisers, drops matches under the
 * confidence threshold, and resolves overlaps (higher confidence wins, then the longer span;
 * adjacent name pieces are merged into one span).
 */
import { findLocations } from './locationRecogniser.js';
import { findNames } from './nameRecogniser.js';
import type { PiiMatch, PiiType } from './piiTypes.js';
import { findStructured, structuredRules, type CuedPattern } from './structuredRecognisers.js';

export interface PiiScanOptions {
  /** Matches below this confidence are ignored (default 0.5). */
  minConfidence?: number;
  /** Replaces the default cue patterns for MRN, account, health-plan, device, plate, SSN, ZIP. */
  cuedPatterns?: readonly CuedPattern[];
  /** Only these types (default all). */
  types?: readonly PiiType[];
}

export class PiiScanner {
  private readonly rules;

  constructor(private readonly options: PiiScanOptions = {}) {
    this.rules = structuredRules(options.cuedPatterns);
  }

  scan(text: string): PiiMatch[] {
    const min = this.options.minConfidence ?? 0.5;
    const wanted = this.options.types ? new Set(this.options.types) : null;
    const found = [...findStructured(text, this.rules), ...findLocations(text), ...findNames(text)];
    const places = placesNextToAddresses(text, found);
    const all = [
      ...found,
      ...places,
      ...zipsAfterAddresses(text, [...found, ...places]),
      ...agesAfterNames(text, found),
    ];
    return mergeAdjacentNames(text, resolveOverlaps(all)).filter(
      (m) => m.confidence >= min && (!wanted || wanted.has(m.type)),
    );
  }
}

/** "12 Main Street, 02139": a 5-digit number right after a street address is its ZIP code. */
function zipsAfterAddresses(text: string, matches: readonly PiiMatch[]): PiiMatch[] {
  const out: PiiMatch[] = [];
  for (const m of matches) {
    if (m.type !== 'ADDRESS') continue;
    const zip = /^,?[ \t]*(\d{5}(?:-\d{4})?)(?!\d)/.exec(text.slice(m.end));
    if (!zip) continue;
    const start = m.end + zip[0].length - zip[1]!.length;
    out.push({
      type: 'ZIP',
      start,
      end: start + zip[1]!.length,
      text: zip[1]!,
      confidence: 0.9,
      source: 'zip-after-address',
    });
  }
  return out;
}

const PLACE = /^\p{Lu}[\p{Ll}\p{M}'’.-]*\p{Ll}[\p{L}\p{M}'’.-]*(?:[ \t]+\p{Lu}[\p{L}\p{M}'’.-]*){0,2}/u;

/**
 * The town of an address: "2207 Willowbrook Ct, Springfield", "Rowan House Care Home, Kirkcaldy",
 * and in an address block the line after the street or the line before the postcode.
 */
function placesNextToAddresses(text: string, matches: readonly PiiMatch[]): PiiMatch[] {
  const out: PiiMatch[] = [];
  const add = (start: number, value: string, source: string) =>
    out.push({ type: 'ADDRESS', start, end: start + value.length, text: value, confidence: 0.8, source });
  for (const m of matches) {
    if (m.type === 'ADDRESS') {
      const after = /^(,[ \t]*|[ \t]*\n[ \t]*)/.exec(text.slice(m.end));
      const place = after && PLACE.exec(text.slice(m.end + after[0].length));
      const lineEnd =
        place &&
        text
          .slice(m.end + after![0].length + place[0].length)
          .match(/^[ \t]*(?:,|\n|$|[A-Z]{2}\b|[A-Z]\d|\d{5}\b)/);
      if (place && lineEnd && !/^(?:Tel|Phone|Fax|Dear|Re|Date|Email)\b/i.test(place[0]))
        add(m.end + after![0].length, place[0], 'place-after-address');
    }
    if (m.type === 'ZIP') {
      const line = /(?:^|\n)[ \t]*(\p{Lu}[\p{L}\p{M}'’. -]{1,40}?)[ \t]*\n[ \t]*$/u.exec(
        text.slice(Math.max(0, m.start - 60), m.start),
      );
      if (line) {
        const start =
          m.start -
          (text.slice(Math.max(0, m.start - 60), m.start).length - line.index - line[0].indexOf(line[1]!));
        add(start, line[1]!, 'place-before-postcode');
      }
    }
  }
  return out;
}

/** "Subramanian Raman, 93." and "Carmen Ibarra is 94 and": an age right after a name. */
function agesAfterNames(text: string, matches: readonly PiiMatch[]): PiiMatch[] {
  const out: PiiMatch[] = [];
  for (const m of matches) {
    if (m.type !== 'NAME' || m.confidence < 0.75) continue;
    const age = /^(?:,[ \t]*|[ \t]+is[ \t]+|[ \t]*\()(\d{2,3})(?=[ \t]*(?:[,.;)]|and\b|\n|$))/.exec(
      text.slice(m.end, m.end + 12),
    );
    if (!age || Number(age[1]) < 90 || Number(age[1]) > 129) continue;
    const start = m.end + age[0].length - age[1]!.length;
    out.push({
      type: 'AGE',
      start,
      end: start + age[1]!.length,
      text: age[1]!,
      confidence: 0.9,
      source: 'age-after-name',
    });
  }
  return out;
}

/** "Ana" + "Ruiz" found separately become one NAME span "Ana Ruiz". */
function mergeAdjacentNames(text: string, matches: PiiMatch[]): PiiMatch[] {
  const out: PiiMatch[] = [];
  for (const m of matches) {
    const last = out[out.length - 1];
    if (last?.type === 'NAME' && m.type === 'NAME' && /^[ \t]+$/.test(text.slice(last.end, m.start))) {
      out[out.length - 1] = {
        ...last,
        end: m.end,
        text: text.slice(last.start, m.end),
        confidence: Math.max(last.confidence, m.confidence),
      };
    } else {
      out.push(m);
    }
  }
  return out;
}

export function resolveOverlaps(matches: readonly PiiMatch[]): PiiMatch[] {
  const ranked = [...matches].sort(
    (a, b) => b.confidence - a.confidence || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  const kept: PiiMatch[] = [];
  for (const m of ranked) {
    if (kept.some((k) => m.start < k.end && k.start < m.end)) continue;
    kept.push(m);
  }
  kept.sort((a, b) => a.start - b.start);
  return kept;
}

/** One scanner with default options, for callers that do not configure anything. */
export function findPii(text: string, options?: PiiScanOptions): PiiMatch[] {
  return new PiiScanner(options).scan(text);
}
