/** Checkpoints and LoRA adapters of a run; their weights live in encrypted blobs. */
import type { SqliteDatabase } from '../encryptedDatabase.js';

export interface CheckpointRow {
  id: number;
  runId: number;
  step: number;
  blobId: string;
  /** Optimizer/sampler state as JSON (the train module owns its schema). */
  stateJson: string;
  createdAt: string;
}

export interface AdapterRow {
  id: number;
  runId: number;
  checkpointId: number | null;
  name: string;
  blobId: string;
  configJson: string;
  createdAt: string;
}

const checkpointColumns =
  'id, run_id AS runId, step, blob_id AS blobId, state_json AS stateJson, created_at AS createdAt';
const adapterColumns = `id, run_id AS runId, checkpoint_id AS checkpointId, name, blob_id AS blobId,
  config_json AS configJson, created_at AS createdAt`;

export class CheckpointsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  create(checkpoint: { runId: number; step: number; blobId: string; state?: unknown }): CheckpointRow {
    const result = this.db
      .prepare(
        'INSERT INTO checkpoints (run_id, step, blob_id, state_json, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(
        checkpoint.runId,
        checkpoint.step,
        checkpoint.blobId,
        JSON.stringify(checkpoint.state ?? {}),
        new Date().toISOString(),
      );
    return this.db
      .prepare(`SELECT ${checkpointColumns} FROM checkpoints WHERE id = ?`)
      .get(result.lastInsertRowid) as CheckpointRow;
  }

  latest(runId: number): CheckpointRow | undefined {
    return this.db
      .prepare(`SELECT ${checkpointColumns} FROM checkpoints WHERE run_id = ? ORDER BY step DESC LIMIT 1`)
      .get(runId) as CheckpointRow | undefined;
  }

  list(runId: number): CheckpointRow[] {
    return this.db
      .prepare(`SELECT ${checkpointColumns} FROM checkpoints WHERE run_id = ? ORDER BY step`)
      .all(runId) as CheckpointRow[];
  }

  createAdapter(adapter: {
    runId: number;
    checkpointId?: number;
    name: string;
    blobId: string;
    config: unknown;
  }): AdapterRow {
    const result = this.db
      .prepare(
        'INSERT INTO adapters (run_id, checkpoint_id, name, blob_id, config_json, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        adapter.runId,
        adapter.checkpointId ?? null,
        adapter.name,
        adapter.blobId,
        JSON.stringify(adapter.config),
        new Date().toISOString(),
      );
    return this.db
      .prepare(`SELECT ${adapterColumns} FROM adapters WHERE id = ?`)
      .get(result.lastInsertRowid) as AdapterRow;
  }

  adapters(runId: number): AdapterRow[] {
    return this.db
      .prepare(`SELECT ${adapterColumns} FROM adapters WHERE run_id = ? ORDER BY id`)
      .all(runId) as AdapterRow[];
  }
}
