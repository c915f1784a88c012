/** Training runs and their metrics (loss, ε spent, tokens/s… by step). */
import type { SqliteDatabase } from '../encryptedDatabase.js';

export type RunStatus = 'created' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';

export interface RunRow {
  id: number;
  projectId: number;
  datasetId: number;
  name: string;
  status: RunStatus;
  /** The run configuration as JSON (the train module owns its schema). */
  configJson: string;
  /** The final training summary as JSON, once the run has finished. */
  summaryJson: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface MetricRow {
  runId: number;
  step: number;
  name: string;
  value: number;
  recordedAt: string;
}

const runColumns = `id, project_id AS projectId, dataset_id AS datasetId, name, status, config_json AS configJson,
  summary_json AS summaryJson, created_at AS createdAt, finished_at AS finishedAt`;

export class RunsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  create(run: { projectId: number; datasetId: number; name: string; config: unknown }): RunRow {
    const result = this.db
      .prepare(
        `INSERT INTO runs (project_id, dataset_id, name, status, config_json, created_at) VALUES (?, ?, ?, 'created', ?, ?)`,
      )
      .run(run.projectId, run.datasetId, run.name, JSON.stringify(run.config), new Date().toISOString());
    return this.require(Number(result.lastInsertRowid));
  }

  setStatus(id: number, status: RunStatus): RunRow {
    const finished = status === 'completed' || status === 'failed' || status === 'cancelled';
    this.db
      .prepare('UPDATE runs SET status = ?, finished_at = ? WHERE id = ?')
      .run(status, finished ? new Date().toISOString() : null, id);
    return this.require(id);
  }

  /** A new display name; the run's id, ledger and files stay as they are. */
  rename(id: number, name: string): RunRow {
    this.db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(name, id);
    return this.require(id);
  }

  setSummary(id: number, summary: unknown): void {
    this.db.prepare('UPDATE runs SET summary_json = ? WHERE id = ?').run(JSON.stringify(summary), id);
  }

  /** Runs that trained on a dataset, oldest first. */
  listForDataset(datasetId: number): RunRow[] {
    return this.db
      .prepare(`SELECT ${runColumns} FROM runs WHERE dataset_id = ? ORDER BY id`)
      .all(datasetId) as RunRow[];
  }

  get(id: number): RunRow | undefined {
    return this.db.prepare(`SELECT ${runColumns} FROM runs WHERE id = ?`).get(id) as RunRow | undefined;
  }

  require(id: number): RunRow {
    const row = this.get(id);
    if (!row) throw new Error(`run ${id} does not exist`);
    return row;
  }

  list(projectId?: number): RunRow[] {
    return this.db
      .prepare(`SELECT ${runColumns} FROM runs WHERE (? IS NULL OR project_id = ?) ORDER BY id`)
      .all(projectId ?? null, projectId ?? null) as RunRow[];
  }

  /** Records metric values for one step in a transaction (re-recording a step replaces it). */
  recordMetrics(runId: number, step: number, values: Record<string, number>): void {
    const insert = this.db.prepare(
      `INSERT INTO metrics (run_id, step, name, value, recorded_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(run_id, name, step) DO UPDATE SET value = excluded.value, recorded_at = excluded.recorded_at`,
    );
    const at = new Date().toISOString();
    this.db.transaction(() => {
      for (const [name, value] of Object.entries(values)) insert.run(runId, step, name, value, at);
    })();
  }

  metrics(runId: number, name?: string): MetricRow[] {
    return this.db
      .prepare(
        `SELECT run_id AS runId, step, name, value, recorded_at AS recordedAt FROM metrics
         WHERE run_id = ? AND (? IS NULL OR name = ?) ORDER BY step, name`,
      )
      .all(runId, name ?? null, name ?? null) as MetricRow[];
  }
}
