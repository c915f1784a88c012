/** Shared shapes of dataset import: formats, column mapping, records read and problems found. */
export type ImportFormat = 'csv' | 'jsonl' | 'txt';

/** Which source column (CSV header or JSON key) fills each record field. */
export interface ColumnMapping {
  text?: string;
  prompt?: string;
  response?: string;
  subject?: string;
  split?: string;
  id?: string;
}

export type MappedField = keyof ColumnMapping;
export const MAPPED_FIELDS: readonly MappedField[] = ['text', 'prompt', 'response', 'subject', 'split', 'id'];

export type IssueCode =
  | 'invalid-utf8'
  | 'empty-record'
  | 'oversize-record'
  | 'missing-column'
  | 'duplicate-id'
  | 'malformed-quoting'
  | 'wrong-field-count'
  | 'invalid-json'
  | 'invalid-split'
  | 'exact-duplicate'
  | 'normalised-duplicate';

export interface ValidationIssue {
  /** 1-based line in the source file where the record starts. */
  line: number;
  code: IssueCode;
  severity: 'error' | 'warning';
  message: string;
  field?: string;
}

/** One record as read from a file, before validation: field values by source column. */
export interface SourceRow {
  line: number;
  /** Last line of the record (CSV fields and text paragraphs may span lines). */
  endLine: number;
  values: Record<string, unknown>;
}

/** A source reader yields rows and the problems it could only see itself (quoting, JSON). */
export type SourceItem = { row: SourceRow } | { issue: ValidationIssue };

export type TextSegmentation = 'line' | 'paragraph';

export interface ReadOptions {
  format: ImportFormat;
  /** Plain text: one record per line (default) or per blank-line separated paragraph. */
  segmentation?: TextSegmentation;
}
