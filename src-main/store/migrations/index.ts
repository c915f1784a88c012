/**
 * Numbered schema migrations, Signal-Desktop style: an ordered array, the schema version in
 * `PRAGMA user_version`, each migration in its own transaction (with the version bump),
 * and a database written by a newer Confidant is refused rather than damaged.
 */
import { ConfidantError } from '../../shared/confidantError.js';
import type { SqliteDatabase } from '../encryptedDatabase.js';
import createCoreTables from './0010-create-core-tables.js';
import addRunSummary from './0020-run-summary.js';

export interface Migration {
  version: number;
  name: string;
  up: (db: SqliteDatabase) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 10, name: 'create-core-tables', up: createCoreTables },
  { version: 20, name: 'run-summary', up: addRunSummary },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies the pending migrations in order; returns the versions applied. */
export function migrate(
  db: SqliteDatabase,
  migrations: readonly Migration[] = MIGRATIONS,
  file = '',
): number[] {
  const current = schemaVersion(db);
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  if (current > latest) {
    throw new ConfidantError(
      'DB_FROM_FUTURE',
      `The store was written by a newer Confidant (schema ${current}; this version knows up to ${latest}).`,
      { where: { file }, hint: 'Update Confidant; the store has not been changed.' },
    );
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
    applied.push(migration.version);
  }
  return applied;
}
