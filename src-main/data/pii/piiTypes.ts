/**
 * The HIPAA Safe Harbor identifiers (45 CFR §164.514(b)(2)) that occur in clinical text, as
 * PII types. Geographic units are limited to street addresses and ZIP codes; photos and
 * biometrics do not occur in text.
 */
export const PII_TYPES = [
  'NAME',
  'DATE',
  'AGE',
  'PHONE',
  'FAX',
  'EMAIL',
  'SSN',
  'MRN',
  'ACCOUNT',
  'HEALTH_PLAN',
  'ADDRESS',
  'ZIP',
  'URL',
  'IP',
  'DEVICE_ID',
  'LICENSE_PLATE',
] as const;
export type PiiType = (typeof PII_TYPES)[number];

/** Everything except names: identifiers with a recognisable structure. */
export const STRUCTURED_PII_TYPES: readonly PiiType[] = PII_TYPES.filter((t) => t !== 'NAME');

/** A labelled span: [start, end) in UTF-16 code units of the text. */
export interface PiiSpan {
  type: PiiType;
  start: number;
  end: number;
  text: string;
}

export interface PiiMatch extends PiiSpan {
  /** 0–1: how sure the recogniser is (context cues raise it). */
  confidence: number;
  /** Which recogniser found it (for debugging and reports). */
  source: string;
}
