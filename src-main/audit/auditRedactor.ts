/**
 * Redaction of audit examples before they enter the result (and the report): every known
 * sensitive value (the dataset's PII entities, canary secrets) is replaced by its type in
 * brackets, then the PII recognisers redact whatever else they find.
 */
import { PiiScanner, redactText } from '../data/index.js';

export interface KnownValue {
  readonly value: string;
  /** e.g. NAME, MRN, CANARY. */
  readonly type: string;
}

export class AuditRedactor {
  private readonly known: KnownValue[];
  private readonly scanner = new PiiScanner();

  constructor(known: readonly KnownValue[]) {
    const seen = new Set<string>();
    // a name's pieces too ("Esther", "Batista"), since a continuation may hold only one of them
    const pieces = known.flatMap((k) =>
      k.type === 'NAME'
        ? k.value
            .split(/[\s,]+/)
            .filter((w) => w.length >= 3)
            .map((value) => ({ value, type: k.type }))
        : [],
    );
    // longest first, so "Esther Batista" goes before "Esther"
    this.known = [...known, ...pieces]
      .filter((k) => k.value.trim().length >= 2 && !seen.has(k.value) && seen.add(k.value))
      .sort((a, b) => b.value.length - a.value.length);
  }

  redact(text: string): string {
    let out = text;
    for (const k of this.known) out = out.split(k.value).join(`[${k.type}]`);
    return redactText(out, this.scanner.scan(out));
  }
}
