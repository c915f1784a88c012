/**
 * Turns source rows into records under a column mapping and reports every problem with its
 * line: invalid UTF-8, missing columns, empty or oversize records, bad split values, duplicate
 * ids (errors), and exact or normalised duplicate texts (warnings, pointing at the first copy).
 * Normalisation for near-duplicates: Unicode NFKC, case-folded, punctuation dropped,
 * whitespace collapsed.
 */
import { contentSha256, type NewRecord, type Split } from '../store/index.js';
import type { ColumnMapping, SourceRow, ValidationIssue } from './importTypes.js';
import { LineIndex } from './lineIndex.js';

export const DEFAULT_MAX_RECORD_CHARS = 100_000;
const SPLITS: Record<string, Split> = {
  train: 'train',
  validation: 'validation',
  valid: 'validation',
  val: 'validation',
  dev: 'validation',
  test: 'test',
};

export function normaliseForDuplicates(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}\s]+/gu, ' ')
    .trim();
}

export interface ValidatedRow {
  record?: NewRecord;
  issues: ValidationIssue[];
}

export class RecordValidator {
  // Line numbers are >= 1, so 0 marks an empty slot in the indexes.
  private readonly ids = new LineIndex();
  private readonly exact = new LineIndex();
  private readonly normalised = new LineIndex();

  constructor(
    private readonly mapping: ColumnMapping,
    private readonly options: {
      maxRecordChars?: number;
      badLines?: ReadonlySet<number>;
      /** JSONL: a row may leave out the optional fields (subject, split, id). */
      optionalFieldsMayBeAbsent?: boolean;
    } = {},
  ) {}

  /** Columns of the mapping that a header lacks (each one an error at line 1). */
  static missingColumns(mapping: ColumnMapping, columns: readonly string[]): ValidationIssue[] {
    const present = new Set(columns);
    return Object.entries(mapping)
      .filter(([, column]) => column !== undefined && !present.has(column))
      .map(([field, column]) => ({
        line: 1,
        code: 'missing-column' as const,
        severity: 'error' as const,
        field: column as string,
        message: `The ${field} column "${column as string}" is not in the header (columns: ${columns.join(', ')}).`,
      }));
  }

  validate(row: SourceRow): ValidatedRow {
    const issues: ValidationIssue[] = [];
    const error = (code: ValidationIssue['code'], message: string, field?: string) =>
      issues.push({ line: row.line, code, severity: 'error', message, ...(field ? { field } : {}) });
    const warn = (code: ValidationIssue['code'], message: string) =>
      issues.push({ line: row.line, code, severity: 'warning', message });

    for (let l = row.line; l <= row.endLine; l += 1) {
      if (this.options.badLines?.has(l)) {
        issues.push({
          line: l,
          code: 'invalid-utf8',
          severity: 'error',
          message: 'This line is not valid UTF-8 text; save the file as UTF-8.',
        });
        return { issues };
      }
    }

    const get = (field: keyof ColumnMapping): string | null | undefined => {
      const column = this.mapping[field];
      if (column === undefined) return null;
      if (!(column in row.values)) {
        if (
          this.options.optionalFieldsMayBeAbsent &&
          (field === 'subject' || field === 'split' || field === 'id')
        ) {
          return null;
        }
        error('missing-column', `The ${field} column "${column}" is missing.`, column);
        return undefined;
      }
      const value = row.values[column];
      if (value === null || value === undefined) return '';
      return typeof value === 'string'
        ? value
        : typeof value === 'number'
          ? String(value)
          : JSON.stringify(value);
    };
    const text = get('text');
    const prompt = get('prompt');
    const response = get('response');
    const subject = get('subject');
    const rawSplit = get('split');
    const id = get('id');
    if (issues.length > 0) return { issues };

    const contentFields = this.mapping.text !== undefined ? { text } : { prompt, response };
    for (const [field, value] of Object.entries(contentFields)) {
      if (!value || value.trim() === '')
        error('empty-record', `The ${field} is empty.`, this.mapping[field as keyof ColumnMapping]);
      else if (value.length > (this.options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS)) {
        error(
          'oversize-record',
          `The ${field} has ${value.length} characters; the limit is ${this.options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS}.`,
          this.mapping[field as keyof ColumnMapping],
        );
      }
    }
    let split: Split | null = null;
    if (rawSplit) {
      split = SPLITS[rawSplit.trim().toLowerCase()] ?? null;
      if (!split)
        error(
          'invalid-split',
          `"${rawSplit}" is not a split; use train, validation or test.`,
          this.mapping.split,
        );
    }
    if (id) {
      const first = this.ids.firstLine(`id:${id}`, row.line);
      if (first !== undefined) {
        error('duplicate-id', `The id "${id}" was already used on line ${first}.`, this.mapping.id);
      }
    }
    if (issues.length > 0) return { issues };

    const parts = [text, prompt, response].map((v) => v ?? '');
    const sha256 = contentSha256({ text, prompt, response });
    const firstExact = this.exact.firstLineOfDigest(sha256, row.line);
    if (firstExact !== undefined) {
      warn('exact-duplicate', `Same text as line ${firstExact}.`);
    } else {
      const firstNormal = this.normalised.firstLine(
        parts.map(normaliseForDuplicates).join('\u0000'),
        row.line,
      );
      if (firstNormal !== undefined) {
        warn('normalised-duplicate', `Same text as line ${firstNormal} up to case, punctuation and spacing.`);
      }
    }
    return {
      issues,
      record: {
        sourceLine: row.line,
        externalId: id || null,
        subjectId: subject?.trim() || null,
        split,
        text: text ?? null,
        prompt: prompt ?? null,
        response: response ?? null,
        contentSha256: sha256,
      },
    };
  }
}
