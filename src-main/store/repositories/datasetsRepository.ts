/**
 * Datasets. An import first creates the row as 'importing' and inserts records in batched
 * transactions; only `complete` makes it visible in listings. A process killed mid-import
 * leaves an 'importing' row whose importer is gone: `recoverInterrupted` (run on every
 * open) deletes its records and marks it 'interrupted', so a dataset is never half-visible.
 */
import type { SqliteDatabase } from '../encryptedDatabase.js';

export type DatasetStatus = 'importing' | 'complete' | 'interrupted' | 'failed';
export type DatasetKind = 'text' | 'prompt-response';
export type DatasetTransform = '' | 'redact' | 'pseudonymise';

export interface DatasetRow {
  id: number;
  projectId: number;
  name: string;
  status: DatasetStatus;
  kind: DatasetKind;
  sourceFile: string;
  sourceFormat: string;
  sourceSha256: string;
  parentDatasetId: number | null;
  transform: DatasetTransform;
  recordCount: number;
  createdAt: string;
  completedAt: string | null;
}

export interface NewDataset {
  projectId: number;
  name: string;
  kind: DatasetKind;
  sourceFile?: string;
  sourceFormat?: string;
  parentDatasetId?: number;
  transform?: DatasetTransform;
}

const columns = `id, project_id AS projectId, name, status, kind, source_file AS sourceFile,
  source_format AS sourceFormat, source_sha256 AS sourceSha256, parent_dataset_id AS parentDatasetId,
  transform, record_count AS recordCount, created_at AS createdAt, completed_at AS completedAt`;

function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DatasetsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  begin(dataset: NewDataset): DatasetRow {
    const result = this.db
      .prepare(
        `INSERT INTO datasets (project_id, name, status, kind, source_file, source_format,
           parent_dataset_id, transform, importer_pid, created_at)
         VALUES (?, ?, 'importing', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        dataset.projectId,
        dataset.name,
        dataset.kind,
        dataset.sourceFile ?? '',
        dataset.sourceFormat ?? '',
        dataset.parentDatasetId ?? null,
        dataset.transform ?? '',
        process.pid,
        new Date().toISOString(),
      );
    return this.require(Number(result.lastInsertRowid));
  }

  complete(id: number, sourceSha256 = ''): DatasetRow {
    this.db
      .prepare(
        `UPDATE datasets SET status = 'complete', importer_pid = NULL, completed_at = ?, source_sha256 = ?,
           record_count = (SELECT count(*) FROM records WHERE dataset_id = ?)
         WHERE id = ? AND status = 'importing'`,
      )
      .run(new Date().toISOString(), sourceSha256, id, id);
    return this.require(id);
  }

  /** Removes the records of an import that did not finish and records why. */
  abandon(id: number, status: 'failed' | 'interrupted'): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM records WHERE dataset_id = ?').run(id);
      this.db
        .prepare(`UPDATE datasets SET status = ?, importer_pid = NULL, record_count = 0 WHERE id = ?`)
        .run(status, id);
    })();
  }

  /** Imports whose process died: records deleted, status 'interrupted'. Returns their ids. */
  recoverInterrupted(): number[] {
    const rows = this.db
      .prepare(`SELECT id, importer_pid AS pid FROM datasets WHERE status = 'importing'`)
      .all() as Array<{ id: number; pid: number | null }>;
    const dead = rows.filter((row) => row.pid === null || !processIsAlive(row.pid)).map((row) => row.id);
    for (const id of dead) this.abandon(id, 'interrupted');
    return dead;
  }

  get(id: number): DatasetRow | undefined {
    return this.db.prepare(`SELECT ${columns} FROM datasets WHERE id = ?`).get(id) as DatasetRow | undefined;
  }

  /** A new display name; records, runs and the privacy ledger keep pointing at the same id. */
  rename(id: number, name: string): DatasetRow {
    this.db.prepare('UPDATE datasets SET name = ? WHERE id = ?').run(name, id);
    return this.require(id);
  }

  require(id: number): DatasetRow {
    const row = this.get(id);
    if (!row) throw new Error(`dataset ${id} does not exist`);
    return row;
  }

  /** A complete dataset by name, in any project or in the given one. */
  findComplete(name: string, projectId?: number): DatasetRow[] {
    return this.db
      .prepare(
        `SELECT ${columns} FROM datasets WHERE name = ? AND status = 'complete'
         AND (? IS NULL OR project_id = ?) ORDER BY id`,
      )
      .all(name, projectId ?? null, projectId ?? null) as DatasetRow[];
  }

  /** Complete datasets (the only ones a user sees), or all with `includeIncomplete`. */
  list(options: { projectId?: number; includeIncomplete?: boolean } = {}): DatasetRow[] {
    return this.db
      .prepare(
        `SELECT ${columns} FROM datasets WHERE (? IS NULL OR project_id = ?)
         AND (? OR status = 'complete') ORDER BY id`,
      )
      .all(
        options.projectId ?? null,
        options.projectId ?? null,
        options.includeIncomplete ? 1 : 0,
      ) as DatasetRow[];
  }
}
