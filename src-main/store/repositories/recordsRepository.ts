/** The records of a dataset: text, or prompt and response, with optional subject and split. */
import { createHash } from 'node:crypto';
import type { SqliteDatabase } from '../encryptedDatabase.js';

export type Split = 'train' | 'validation' | 'test';

export interface NewRecord {
  sourceLine: number;
  externalId?: string | null;
  subjectId?: string | null;
  split?: Split | null;
  text?: string | null;
  prompt?: string | null;
  response?: string | null;
  /** SHA-256 of the content, when the caller already computed it with `contentSha256`. */
  contentSha256?: string;
}

export interface RecordRow {
  id: number;
  datasetId: number;
  ordinal: number;
  sourceLine: number;
  externalId: string | null;
  subjectId: string | null;
  split: Split | null;
  text: string | null;
  prompt: string | null;
  response: string | null;
  contentSha256: string;
}

const columns = `id, dataset_id AS datasetId, ordinal, source_line AS sourceLine, external_id AS externalId,
  subject_id AS subjectId, split, text, prompt, response, content_sha256 AS contentSha256`;

export function contentSha256(record: Pick<NewRecord, 'text' | 'prompt' | 'response'>): string {
  const hash = createHash('sha256');
  for (const part of [record.text, record.prompt, record.response]) hash.update(`${part ?? ''}\u0000`);
  return hash.digest('hex');
}

export class RecordsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  /** Appends records in one transaction; ordinals continue from the dataset's last one. */
  insertBatch(datasetId: number, records: readonly NewRecord[]): void {
    const next = this.db.prepare('SELECT coalesce(max(ordinal), 0) AS n FROM records WHERE dataset_id = ?');
    const insert = this.db.prepare(
      `INSERT INTO records (dataset_id, ordinal, source_line, external_id, subject_id, split, text, prompt,
         response, content_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      let ordinal = (next.get(datasetId) as { n: number }).n;
      for (const r of records) {
        ordinal += 1;
        insert.run(
          datasetId,
          ordinal,
          r.sourceLine,
          r.externalId ?? null,
          r.subjectId ?? null,
          r.split ?? null,
          r.text ?? null,
          r.prompt ?? null,
          r.response ?? null,
          r.contentSha256 ?? contentSha256(r),
        );
      }
    })();
  }

  count(datasetId: number): number {
    return (
      this.db.prepare('SELECT count(*) AS n FROM records WHERE dataset_id = ?').get(datasetId) as {
        n: number;
      }
    ).n;
  }

  /** Streams the records in order without loading the dataset into memory. */
  *iterate(datasetId: number): Generator<RecordRow> {
    const statement = this.db.prepare(`SELECT ${columns} FROM records WHERE dataset_id = ? ORDER BY ordinal`);
    for (const row of statement.iterate(datasetId)) yield row as RecordRow;
  }

  page(datasetId: number, offset: number, limit: number): RecordRow[] {
    return this.db
      .prepare(`SELECT ${columns} FROM records WHERE dataset_id = ? ORDER BY ordinal LIMIT ? OFFSET ?`)
      .all(datasetId, limit, offset) as RecordRow[];
  }

  subjectCount(datasetId: number): number {
    return (
      this.db
        .prepare(
          'SELECT count(DISTINCT subject_id) AS n FROM records WHERE dataset_id = ? AND subject_id IS NOT NULL',
        )
        .get(datasetId) as { n: number }
    ).n;
  }
}
