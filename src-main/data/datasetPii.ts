/**
 * PII over a stored dataset: `scanDataset` counts identifiers per type and keeps a few
 * examples, shown redacted (the identifier and any other PII around it replaced by [TYPE]);
 * `deidentifyDataset` writes a new dataset, derived from the original, with every record
 * redacted or pseudonymised. Both are recorded in the audit log.
 */
import { ConfidantError } from '../shared/confidantError.js';
import type { DatasetRow, NewRecord, RecordRow, Store } from '../store/index.js';
import { PII_TYPES, type PiiMatch, type PiiType } from './pii/piiTypes.js';
import { PiiScanner, type PiiScanOptions } from './pii/piiScanner.js';
import { Pseudonymiser, redactText } from './pii/redaction.js';
import { isClinicalWord } from './pii/safeWords.js';

export interface PiiScanSummary {
  datasetId: number;
  records: number;
  recordsWithPii: number;
  counts: Record<PiiType, number>;
  /** Up to `examplesPerType` snippets per type, already redacted. */
  examples: Partial<Record<PiiType, string[]>>;
  /**
   * The first MAX_FLAGGED records that contain identifiers, for review: position in the dataset
   * (0-based, as the preview pages count), line in the source file and the types found. Not
   * stored with the scan (the report keeps the counts only).
   */
  flagged: FlaggedRecord[];
  /**
   * How the dataset was derived, if it was: in a pseudonymised dataset the values found are the
   * surrogates that replaced the identifiers, not new PII.
   */
  transform: 'redact' | 'pseudonymise' | null;
}

export interface FlaggedRecord {
  index: number;
  sourceLine: number;
  types: PiiType[];
}

export const MAX_FLAGGED = 1_000;

const FIELDS = ['text', 'prompt', 'response'] as const;
const PAGE = 1_000;

function* pages(store: Store, datasetId: number): Generator<RecordRow[]> {
  for (let offset = 0; ; offset += PAGE) {
    const page = store.records.page(datasetId, offset, PAGE);
    if (page.length === 0) return;
    yield page;
  }
}

function redactedSnippet(text: string, match: PiiMatch, all: readonly PiiMatch[]): string {
  const from = Math.max(0, match.start - 40);
  const to = Math.min(text.length, match.end + 40);
  const inside = all.filter((m) => m.end > from && m.start < to);
  const window = redactText(
    text.slice(from, to),
    inside.map((m) => ({ ...m, start: Math.max(m.start, from) - from, end: Math.min(m.end, to) - from })),
  );
  return `${from > 0 ? '…' : ''}${maskUnknownWords(window).replace(/\s+/g, ' ').trim()}${to < text.length ? '…' : ''}`;
}

/**
 * An example must not print a name the scanner missed: every capitalised word around the
 * identifier that is not clinical vocabulary is shown as [?] ("Grace", an English word, is a name
 * as often as not). Placeholders such as [NAME] stay.
 */
export function maskUnknownWords(snippet: string): string {
  return snippet.replace(/(?<![[\p{L}])\p{Lu}[\p{L}\p{M}'’-]*(?![\p{L}\]])/gu, (word) =>
    isClinicalWord(word) || /^\p{Lu}{2,}$/u.test(word) ? word : '[?]',
  );
}

export function requireCompleteDataset(store: Store, name: string, project?: string): DatasetRow {
  const projectRow = project === undefined ? undefined : store.projects.getByName(project);
  if (project !== undefined && !projectRow) {
    throw new ConfidantError('PROJECT_NOT_FOUND', `There is no project "${project}".`, {
      hint: 'Run `confidant data list` to see the projects and datasets.',
    });
  }
  const byId = /^\d+$/.test(name) ? store.datasets.get(Number(name)) : undefined;
  const matches = byId?.status === 'complete' ? [byId] : store.datasets.findComplete(name, projectRow?.id);
  if (matches.length === 1) return matches[0]!;
  throw new ConfidantError(
    'DATASET_NOT_FOUND',
    matches.length === 0 ? `There is no dataset "${name}".` : `Several projects have a dataset "${name}".`,
    {
      hint:
        matches.length === 0
          ? 'Run `confidant data list` to see the datasets.'
          : 'Pass --project, or use the dataset id.',
    },
  );
}

export function scanDataset(
  store: Store,
  dataset: DatasetRow,
  options: PiiScanOptions & { examplesPerType?: number } = {},
): PiiScanSummary {
  const scanner = new PiiScanner(options);
  const counts = Object.fromEntries(PII_TYPES.map((t) => [t, 0])) as Record<PiiType, number>;
  const examples: Partial<Record<PiiType, string[]>> = {};
  let records = 0;
  let recordsWithPii = 0;
  const flagged: FlaggedRecord[] = [];
  for (const page of pages(store, dataset.id)) {
    for (const record of page) {
      records += 1;
      let found = false;
      const types = new Set<PiiType>();
      for (const field of FIELDS) {
        const text = record[field];
        if (!text) continue;
        const matches = scanner.scan(text);
        found ||= matches.length > 0;
        for (const m of matches) {
          counts[m.type] += 1;
          types.add(m.type);
          const list = (examples[m.type] ??= []);
          if (list.length < (options.examplesPerType ?? 3)) list.push(redactedSnippet(text, m, matches));
        }
      }
      if (found) {
        recordsWithPii += 1;
        if (flagged.length < MAX_FLAGGED)
          flagged.push({
            index: records - 1,
            sourceLine: record.sourceLine,
            types: PII_TYPES.filter((t) => types.has(t)),
          });
      }
    }
  }
  const summary: PiiScanSummary = {
    datasetId: dataset.id,
    records,
    recordsWithPii,
    counts,
    examples,
    flagged,
    transform: dataset.transform ? dataset.transform : null,
  };
  store.transaction(() => {
    store.audits.recordPiiScan(dataset.id, { ...summary, flagged: undefined });
    store.auditLog.append('scan', `dataset:${dataset.id}`, {
      dataset: dataset.name,
      records,
      recordsWithPii,
      identifiers: Object.values(counts).reduce((a, b) => a + b, 0),
    });
  });
  return summary;
}

export type DeidentifyMode = 'redact' | 'pseudonymise';

export function deidentifyDataset(
  store: Store,
  dataset: DatasetRow,
  mode: DeidentifyMode,
  options: PiiScanOptions & { name?: string } = {},
): { dataset: DatasetRow; identifiers: number } {
  if (dataset.transform === mode) {
    const what = mode === 'redact' ? 'redacted' : 'pseudonymised';
    throw new ConfidantError(
      'DATASET_ALREADY_DEIDENTIFIED',
      `Dataset "${dataset.name}" is already ${what}.`,
      {
        hint:
          dataset.parentDatasetId === null
            ? `Use it as it is; scan it to check what is left.`
            : `Use it as it is, or ${mode} its parent (dataset id ${dataset.parentDatasetId}) again with --name.`,
      },
    );
  }
  const scanner = new PiiScanner(options);
  const pseudonymiser = new Pseudonymiser(store.deriveKey('pseudonym'));
  const name = options.name ?? `${dataset.name}-${mode === 'redact' ? 'redacted' : 'pseudonymised'}`;
  if (store.datasets.findComplete(name, dataset.projectId).length > 0) {
    throw new ConfidantError('DATASET_EXISTS', `A dataset "${name}" already exists.`, {
      hint: 'Pass --name to choose another name.',
    });
  }
  const target = store.datasets.begin({
    projectId: dataset.projectId,
    name,
    kind: dataset.kind,
    sourceFile: dataset.sourceFile,
    sourceFormat: dataset.sourceFormat,
    parentDatasetId: dataset.id,
    transform: mode,
  });
  let identifiers = 0;
  try {
    for (const page of pages(store, dataset.id)) {
      const batch: NewRecord[] = page.map((record) => {
        const out: NewRecord = {
          sourceLine: record.sourceLine,
          externalId: record.externalId,
          subjectId: record.subjectId,
          split: record.split,
        };
        for (const field of FIELDS) {
          const text = record[field];
          if (text === null) continue;
          const matches = scanner.scan(text);
          identifiers += matches.length;
          out[field] =
            mode === 'redact'
              ? redactText(text, matches)
              : pseudonymiser.pseudonymise(text, matches, record.subjectId ?? `dataset:${dataset.id}`);
        }
        return out;
      });
      store.records.insertBatch(target.id, batch);
    }
  } catch (error) {
    store.datasets.abandon(target.id, 'failed');
    throw error;
  }
  const done = store.transaction(() => {
    const row = store.datasets.complete(target.id);
    store.auditLog.append(mode, `dataset:${row.id}`, {
      from: dataset.id,
      dataset: row.name,
      records: row.recordCount,
      identifiers,
    });
    return row;
  });
  return { dataset: done, identifiers };
}
