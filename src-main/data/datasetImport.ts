/**
 * Imports a CSV, JSONL or text file into the store: streams it, validates every record,
 * inserts valid ones in batched transactions under an 'importing' dataset, and marks the
 * dataset complete at the end (or removes it when the file has errors and errors are not
 * allowed). A killed import is found and cleaned up by the store on its next open.
 */
import { basename, extname } from 'node:path';
import { ConfidantError } from '../shared/confidantError.js';
import type { DatasetRow, NewRecord, Store } from '../store/index.js';
import { checkMapping, guessMapping } from './columnMapping.js';
import type {
  ColumnMapping,
  ImportFormat,
  SourceRow,
  TextSegmentation,
  ValidationIssue,
} from './importTypes.js';
import { RecordValidator } from './recordValidator.js';
import { openSource } from './sourceReaders.js';

export interface ImportOptions {
  project: string;
  /** Dataset name; the file name without extension by default. */
  name?: string;
  format?: ImportFormat;
  mapping?: ColumnMapping;
  segmentation?: TextSegmentation;
  maxRecordChars?: number;
  /**
   * The file's bytes, already in memory (an upload): read from here and never from disk, so
   * no plaintext copy is written; the file argument is then only the name.
   */
  content?: Buffer;
  /** Records per transaction (default 2,000). */
  batchSize?: number;
  /** Import the valid records even when some have errors (default: import nothing). */
  allowErrors?: boolean;
  /** Most issues kept in the result (all are counted). */
  maxIssues?: number;
  onBatch?: (progress: { records: number; line: number }) => void;
}

export interface ImportResult {
  dataset: DatasetRow | null;
  imported: number;
  skipped: number;
  errors: number;
  warnings: number;
  issues: ValidationIssue[];
  seconds: number;
}

export function detectFormat(file: string): ImportFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.txt' || ext === '.text') return 'txt';
  throw new ConfidantError(
    'IMPORT_UNKNOWN_FORMAT',
    `Cannot tell the format of "${basename(file)}" from its extension.`,
    {
      where: { file },
      hint: 'Pass --format csv, jsonl or txt.',
    },
  );
}

interface ValidatedStream {
  mapping: () => ColumnMapping;
  rows: AsyncGenerator<{ record?: NewRecord; issues: ValidationIssue[] }>;
  sha256: () => string;
  close: () => void;
}

/** Reads and validates a file record by record (shared by import and preview). */
export function validatedRecords(
  file: string,
  options: Pick<ImportOptions, 'format' | 'mapping' | 'segmentation' | 'maxRecordChars' | 'content'>,
): ValidatedStream {
  const format = options.format ?? detectFormat(file);
  const source = openSource(file, { format, segmentation: options.segmentation }, options.content);
  let mapping: ColumnMapping | undefined;
  let validator: RecordValidator | undefined;
  const setUp = (columns: readonly string[] | undefined, row: SourceRow | undefined): ValidationIssue[] => {
    // JSONL rows may omit optional keys: guess from the first row, then add the default name of
    // each optional field the first row has no column for (its own "subjectId" wins over "subject").
    const keys = columns ?? (row ? Object.keys(row.values) : []);
    const fromKeys = guessMapping(keys);
    const known = columns ?? [
      ...keys,
      ...(['subject', 'split', 'id'] as const).filter((field) => fromKeys[field] === undefined),
    ];
    mapping = checkMapping(format === 'txt' ? { text: 'text' } : guessMapping(known, options.mapping));
    validator = new RecordValidator(mapping, {
      maxRecordChars: options.maxRecordChars,
      badLines: source.check.badLines,
      optionalFieldsMayBeAbsent: format === 'jsonl',
    });
    return columns ? RecordValidator.missingColumns(mapping, columns) : [];
  };
  async function* rows() {
    for await (const item of source.items) {
      if ('issue' in item) {
        yield { issues: [item.issue] };
        continue;
      }
      if (!validator) {
        const headerIssues = setUp(source.columns(), item.row);
        if (headerIssues.length > 0) {
          yield { issues: headerIssues };
          source.close();
          return;
        }
      }
      yield validator!.validate(item.row);
    }
    if (!validator) setUp(source.columns(), undefined);
  }
  return {
    mapping: () => mapping ?? {},
    rows: rows(),
    sha256: () => source.check.digest(),
    close: source.close,
  };
}

export async function importDataset(
  store: Store,
  file: string,
  options: ImportOptions,
): Promise<ImportResult> {
  const started = performance.now();
  const format = options.format ?? detectFormat(file);
  const name = options.name ?? basename(file, extname(file));
  const existing = store.projects.getByName(options.project);
  if (existing && store.datasets.findComplete(name, existing.id).length > 0) {
    throw new ConfidantError(
      'IMPORT_NAME_TAKEN',
      `Project "${existing.name}" already has a dataset "${name}".`,
      {
        hint: 'Pass --name to choose another name.',
      },
    );
  }
  const stream = validatedRecords(file, { ...options, format });
  const project = existing ?? store.projects.create(options.project);
  const maxIssues = options.maxIssues ?? 10_000;
  const batchSize = options.batchSize ?? 2_000;
  const issues: ValidationIssue[] = [];
  let errors = 0;
  let warnings = 0;
  let imported = 0;
  let skipped = 0;
  let batch: NewRecord[] = [];
  let dataset: DatasetRow | null = null;
  const flush = () => {
    if (batch.length === 0) return;
    dataset ??= store.datasets.begin({
      projectId: project.id,
      name,
      kind: stream.mapping().text !== undefined ? 'text' : 'prompt-response',
      sourceFile: basename(file),
      sourceFormat: format,
    });
    store.records.insertBatch(dataset.id, batch);
    imported += batch.length;
    options.onBatch?.({ records: imported, line: batch[batch.length - 1]?.sourceLine ?? 0 });
    batch = [];
  };
  try {
    for await (const { record, issues: found } of stream.rows) {
      for (const issue of found) {
        if (issue.severity === 'error') errors += 1;
        else warnings += 1;
        if (issues.length < maxIssues) issues.push(issue);
      }
      if (!record) {
        skipped += 1;
        continue;
      }
      if (errors > 0 && !options.allowErrors) continue; // keep validating, stop writing
      batch.push(record);
      if (batch.length >= batchSize) flush();
    }
  } catch (error) {
    if (dataset) store.datasets.abandon((dataset as DatasetRow).id, 'failed');
    throw error;
  }
  if (errors > 0 && !options.allowErrors) {
    if (dataset) store.datasets.abandon((dataset as DatasetRow).id, 'failed');
    return {
      dataset: null,
      imported: 0,
      skipped,
      errors,
      warnings,
      issues,
      seconds: (performance.now() - started) / 1000,
    };
  }
  flush();
  if (imported === 0) {
    throw new ConfidantError('IMPORT_EMPTY', 'The file has no records to import.', {
      where: { file },
      hint: 'Check that it is the right file and that --format and --map match it.',
    });
  }
  dataset ??= store.datasets.begin({
    projectId: project.id,
    name,
    kind: stream.mapping().text !== undefined ? 'text' : 'prompt-response',
    sourceFile: basename(file),
    sourceFormat: format,
  });
  const finalDataset = dataset as DatasetRow;
  const complete = store.transaction(() => {
    const row = store.datasets.complete(finalDataset.id, stream.sha256());
    store.auditLog.append('import', `dataset:${row.id}`, {
      project: project.name,
      dataset: row.name,
      file: basename(file),
      format,
      records: row.recordCount,
      skipped,
      sha256: row.sourceSha256,
    });
    return row;
  });
  return {
    dataset: complete,
    imported,
    skipped,
    errors,
    warnings,
    issues,
    seconds: (performance.now() - started) / 1000,
  };
}

export interface DatasetPreview {
  format: ImportFormat;
  mapping: ColumnMapping;
  records: NewRecord[];
  issues: ValidationIssue[];
}

/** The first `limit` records and the problems among them, without touching the store. */
export async function previewDataset(
  file: string,
  options: Pick<ImportOptions, 'format' | 'mapping' | 'segmentation' | 'maxRecordChars'> & {
    limit?: number;
  } = {},
): Promise<DatasetPreview> {
  const format = options.format ?? detectFormat(file);
  const stream = validatedRecords(file, { ...options, format });
  const records: NewRecord[] = [];
  const issues: ValidationIssue[] = [];
  for await (const row of stream.rows) {
    issues.push(...row.issues);
    if (row.record) records.push(row.record);
    if (records.length >= (options.limit ?? 10)) break;
  }
  stream.close();
  return { format, mapping: stream.mapping(), records, issues };
}
