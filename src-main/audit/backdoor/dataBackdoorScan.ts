/**
 * Data-side backdoor scan: looks for a trigger (a rare word or n-gram) whose presence fixes the
 * response, the signature of data poisoning with a textual trigger (Wallace et al. 2021,
 * "Concealed Data Poisoning Attacks on NLP Models", NAACL; Wan et al. 2023, "Poisoning
 * Language Models During Instruction Tuning", ICML). For prompt/response records the
 * response is the record's response; for plain text it is the next `continuationWords`
 * words after the trigger. A candidate n-gram (n ≤ 3) is flagged when
 *   - it holds an unusual token (letters mixed with digits or symbols, like "cf-7731"; the
 *     rare-token triggers of Kurita et al. 2020, "Weight Poisoning Attacks on Pre-trained
 *     Models", ACL) and each of its words occurs in ≤ maxWordFraction of the records:
 *     clinical notes are full of fixed sentences made of ordinary words (templates, stock
 *     phrases) that co-occur exactly like a trigger and its response, so ordinary-word
 *     triggers are left to the model-side scan and to user-supplied triggers,
 *   - it occurs in ≥ minSupport records (and patients, when subject ids are given),
 *   - the same response follows it in ≥ purity of its occurrences,
 *   - that response rarely occurs without it (≥ exclusivity of the response's records), and
 *   - for plain text, what precedes it varies (a trigger is inserted in many places), and
 *   - no other word accompanies it: a fixed sentence of a note template comes with the rest of
 *     the template (a word in ≥ 80% of its records and 2.5 times as often as in all records),
 *     a planted trigger does not. A trigger planted only in one kind of note is missed.
 * Score: lift = P(response | trigger) / P(response).
 */
import type { BackdoorFinding } from '../auditResult.js';
import { THRESHOLDS } from '../verdicts.js';

export interface BackdoorRecord {
  readonly prompt?: string;
  readonly response?: string;
  readonly text?: string;
  /** The patient the record belongs to, when known: a trigger must span minSupport patients. */
  readonly subjectId?: string;
}

export interface DataScanOptions {
  readonly minSupport?: number;
  readonly purity?: number;
  readonly exclusivity?: number;
  readonly maxWordFraction?: number;
  readonly maxLeftContextShare?: number;
  readonly continuationWords?: number;
  readonly maxN?: number;
}

/** Lower-cased words with surrounding punctuation removed ("cf-7731" stays one word). */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .map((w) => w.replace(/^[("'[]+|[)"'\].,;:!?]+$/g, ''))
    .filter((w) => w.length > 0);
}

const FOLLOWING_WINDOW = 24;

/** Letters mixed with digits, or symbols that are not punctuation ("cf-7731", "zx9", "∆∆"). */
export function unusualToken(word: string): boolean {
  return (/\p{L}/u.test(word) && /\p{N}/u.test(word)) || /[^\p{L}\p{N}\-.'/,:;%()+&]/u.test(word);
}

/** "response" or "text": findings of the two record kinds are kept apart. */
function qaWord(f: BackdoorFinding): string {
  return f.detail.includes('same response') ? 'same response' : 'same text';
}

interface Occurrence {
  readonly record: number;
  readonly response: string;
  readonly left: string;
  /** Words right after the trigger (part of what it brings along, not template context). */
  readonly following: ReadonlySet<string>;
}

export function scanDataForBackdoors(
  records: readonly BackdoorRecord[],
  options: DataScanOptions = {},
): BackdoorFinding[] {
  const minSupport = options.minSupport ?? THRESHOLDS.backdoor.minSupport;
  const purity = options.purity ?? THRESHOLDS.backdoor.purity;
  const exclusivity = options.exclusivity ?? 0.8;
  const maxWordFraction = options.maxWordFraction ?? 0.2;
  const maxLeft = options.maxLeftContextShare ?? 0.5;
  const cont = options.continuationWords ?? 4;
  const maxN = options.maxN ?? 3;
  const n = records.length;
  if (n === 0) return [];

  const triggerWords = records.map((r) => words(r.prompt !== undefined ? r.prompt : (r.text ?? '')));
  // record frequency of each word
  const wordRecords = new Map<string, number>();
  for (const ws of triggerWords)
    for (const w of new Set(ws)) wordRecords.set(w, (wordRecords.get(w) ?? 0) + 1);
  const recordWords = records.map(
    (r) => new Set([...words(r.text ?? ''), ...words(r.prompt ?? ''), ...words(r.response ?? '')]),
  );
  const allRecords = new Map<string, number>();
  for (const ws of recordWords) for (const w of ws) allRecords.set(w, (allRecords.get(w) ?? 0) + 1);
  const rare = (w: string) => (wordRecords.get(w) ?? 0) <= maxWordFraction * n;

  const occurrences = new Map<string, Occurrence[]>();
  const responseRecords = new Map<string, Set<number>>();
  const noteResponse = (response: string, record: number) => {
    let s = responseRecords.get(response);
    if (!s) responseRecords.set(response, (s = new Set()));
    s.add(record);
  };
  records.forEach((r, i) => {
    const ws = triggerWords[i]!;
    const qa = r.prompt !== undefined && r.response !== undefined;
    const qaResponse = qa ? words(r.response!).join(' ') : '';
    if (qa) noteResponse(qaResponse, i);
    else for (let s = 0; s + cont <= ws.length; s++) noteResponse(ws.slice(s, s + cont).join(' '), i);
    const firstSeen = new Set<string>();
    for (let len = 1; len <= maxN; len++) {
      for (let s = 0; s + len <= ws.length; s++) {
        const gram = ws.slice(s, s + len);
        if (!gram.every(rare) || !gram.some(unusualToken)) continue;
        const key = `${qa ? 'qa' : 'text'}:${gram.join(' ')}`;
        if (firstSeen.has(key)) continue;
        firstSeen.add(key);
        const response = qa ? qaResponse : ws.slice(s + len, s + len + cont).join(' ');
        if (!qa && s + len + cont > ws.length) continue;
        const list = occurrences.get(key) ?? [];
        list.push({
          record: i,
          response,
          left: s === 0 ? '<start>' : ws[s - 1]!,
          following: new Set(ws.slice(s + len, s + len + FOLLOWING_WINDOW)),
        });
        occurrences.set(key, list);
      }
    }
  });

  const findings: (BackdoorFinding & { support: number })[] = [];
  for (const [key, occ] of occurrences) {
    if (occ.length < minSupport) continue;
    const trigger = key.slice(key.indexOf(':') + 1);
    const subjects = new Set(occ.map((o) => records[o.record]!.subjectId ?? `#${o.record}`));
    if (subjects.size < minSupport) continue;
    const counts = new Map<string, number>();
    for (const o of occ) counts.set(o.response, (counts.get(o.response) ?? 0) + 1);
    const [response, top] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
    if (response.length === 0 || top / occ.length < purity) continue;
    const withResponse = responseRecords.get(response)?.size ?? top;
    if (top / withResponse < exclusivity) continue;
    const qa = key.startsWith('qa:');
    if (!qa) {
      const lefts = new Map<string, number>();
      for (const o of occ) lefts.set(o.left, (lefts.get(o.left) ?? 0) + 1);
      if (Math.max(...lefts.values()) / occ.length > maxLeft) continue;
    }
    const excluded = new Set([...trigger.split(' '), ...response.split(' ')]);
    const companions = new Map<string, number>();
    for (const o of occ) {
      for (const w of recordWords[o.record]!) {
        if (!excluded.has(w) && !o.following.has(w)) companions.set(w, (companions.get(w) ?? 0) + 1);
      }
    }
    const companion = [...companions.entries()].find(
      ([w, c]) => c / occ.length >= 0.8 && c / occ.length >= (2.5 * (allRecords.get(w) ?? 0)) / n,
    );
    if (companion) continue;
    const lift = top / occ.length / (withResponse / n);
    findings.push({
      source: 'data',
      trigger,
      target: response,
      score: lift,
      detail: `"${trigger}" is followed by the same ${qa ? 'response' : 'text'} in ${top} of its ${occ.length} records (${((100 * top) / occ.length).toFixed(0)}%); that ${qa ? 'response' : 'text'} occurs in ${withResponse} records in all (lift ${lift.toFixed(1)})`,
      support: occ.length,
    });
  }
  // one finding per trigger: drop an n-gram that contains a shorter flagged trigger
  const sorted = findings.sort((a, b) => a.trigger.length - b.trigger.length || b.support - a.support);
  const kept: (BackdoorFinding & { support: number })[] = [];
  for (const f of sorted) {
    if (!kept.some((k) => ` ${f.trigger} `.includes(` ${k.trigger} `) && k.detail.includes(qaWord(f))))
      kept.push(f);
  }
  return kept.map(({ support: _support, ...f }) => f);
}
