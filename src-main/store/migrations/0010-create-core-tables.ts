/**
 * The first schema: projects, datasets and their records, secrets, encrypted blobs,
 * training runs, checkpoints, adapters, metrics, privacy ledgers and budgets, audits,
 * reports, and the append-only audit log (UPDATE and DELETE forbidden by triggers).
 * Released migrations are never edited; add a new numbered one instead.
 */
import type { SqliteDatabase } from '../encryptedDatabase.js';

export default function up(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE secrets (
      name TEXT PRIMARY KEY,
      value BLOB NOT NULL
    ) STRICT;

    CREATE TABLE projects (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      description TEXT NOT NULL DEFAULT '',
      created_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE datasets (
      id INTEGER PRIMARY KEY,
      project_id INTEGER NOT NULL REFERENCES projects(id),
      name TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('importing', 'complete', 'interrupted', 'failed')),
      kind TEXT NOT NULL CHECK (kind IN ('text', 'prompt-response')),
      source_file TEXT NOT NULL DEFAULT '',
      source_format TEXT NOT NULL DEFAULT '',
      source_sha256 TEXT NOT NULL DEFAULT '',
      parent_dataset_id INTEGER REFERENCES datasets(id),
      transform TEXT NOT NULL DEFAULT '' CHECK (transform IN ('', 'redact', 'pseudonymise')),
      record_count INTEGER NOT NULL DEFAULT 0,
      importer_pid INTEGER,
      created_at TEXT NOT NULL,
      completed_at TEXT
    ) STRICT;
    CREATE UNIQUE INDEX datasets_live_name ON datasets(project_id, name) WHERE status IN ('importing', 'complete');

    CREATE TABLE records (
      id INTEGER PRIMARY KEY,
      dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
      ordinal INTEGER NOT NULL,
      source_line INTEGER NOT NULL,
      external_id TEXT,
      subject_id TEXT,
      split TEXT CHECK (split IS NULL OR split IN ('train', 'validation', 'test')),
      text TEXT,
      prompt TEXT,
      response TEXT,
      content_sha256 TEXT NOT NULL,
      UNIQUE (dataset_id, ordinal)
    ) STRICT;
    CREATE INDEX records_by_subject ON records(dataset_id, subject_id);

    CREATE TABLE blobs (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      file_name TEXT NOT NULL,
      size_bytes INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE runs (
      id INTEGER PRIMARY KEY,
      project_id INTEGER NOT NULL REFERENCES projects(id),
      dataset_id INTEGER NOT NULL REFERENCES datasets(id),
      name TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('created', 'running', 'paused', 'completed', 'failed', 'cancelled')),
      config_json TEXT NOT NULL,
      created_at TEXT NOT NULL,
      finished_at TEXT
    ) STRICT;

    CREATE TABLE checkpoints (
      id INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES runs(id),
      step INTEGER NOT NULL,
      blob_id TEXT NOT NULL REFERENCES blobs(id),
      state_json TEXT NOT NULL DEFAULT '{}',
      created_at TEXT NOT NULL,
      UNIQUE (run_id, step)
    ) STRICT;

    CREATE TABLE adapters (
      id INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES runs(id),
      checkpoint_id INTEGER REFERENCES checkpoints(id),
      name TEXT NOT NULL,
      blob_id TEXT NOT NULL REFERENCES blobs(id),
      config_json TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE metrics (
      run_id INTEGER NOT NULL REFERENCES runs(id),
      step INTEGER NOT NULL,
      name TEXT NOT NULL,
      value REAL NOT NULL,
      recorded_at TEXT NOT NULL,
      PRIMARY KEY (run_id, name, step)
    ) STRICT;

    CREATE TABLE privacy_ledger (
      id INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES runs(id),
      checkpoint_id INTEGER REFERENCES checkpoints(id),
      first_step INTEGER NOT NULL,
      steps INTEGER NOT NULL CHECK (steps > 0),
      sample_rate REAL NOT NULL CHECK (sample_rate > 0 AND sample_rate <= 1),
      noise_multiplier REAL NOT NULL CHECK (noise_multiplier >= 0),
      clip_norm REAL NOT NULL CHECK (clip_norm > 0),
      unit_count INTEGER NOT NULL CHECK (unit_count > 0),
      privacy_unit TEXT NOT NULL CHECK (privacy_unit IN ('record', 'patient')),
      recorded_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE privacy_budgets (
      dataset_id INTEGER PRIMARY KEY REFERENCES datasets(id),
      epsilon REAL NOT NULL CHECK (epsilon > 0),
      delta REAL NOT NULL CHECK (delta > 0 AND delta < 1),
      updated_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE audits (
      id INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES runs(id),
      checkpoint_id INTEGER REFERENCES checkpoints(id),
      kind TEXT NOT NULL,
      result_json TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE reports (
      id INTEGER PRIMARY KEY,
      run_id INTEGER REFERENCES runs(id),
      title TEXT NOT NULL,
      blob_id TEXT NOT NULL REFERENCES blobs(id),
      signature_base64 TEXT,
      created_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE pii_scans (
      id INTEGER PRIMARY KEY,
      dataset_id INTEGER NOT NULL REFERENCES datasets(id),
      summary_json TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE audit_log (
      seq INTEGER PRIMARY KEY,
      at TEXT NOT NULL,
      action TEXT NOT NULL,
      subject TEXT NOT NULL,
      details_json TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    ) STRICT;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
  `);
}
