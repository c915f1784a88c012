/**
 * Finds PII in a text: runs the structured and the name recognisers, drops matches under the
 * confidence threshold, and resolves overlaps (higher confidence wins, then the longer span;
 * adjacent name pieces are merged into one span).
 */
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
    const all = [...findStructured(text, this.rules), ...findNames(text)].filter(
      (m) => m.confidence >= min && (!wanted || wanted.has(m.type)),
    );
    return mergeAdjacentNames(text, resolveOverlaps([...all, ...zipsAfterAddresses(text, all)]));
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
