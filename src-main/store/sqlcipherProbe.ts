/**
 * Checks that the SQLCipher build of SQLite (better-sqlite3-multiple-ciphers) loads and
 * really encrypts: a keyed database written to a temporary file must not be readable
 * without its key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';

export interface SqlcipherStatus {
  available: boolean;
  /** SQLite version and cipher, or why it failed and what to do. */
  detail: string;
}

export function probeSqlcipher(): SqlcipherStatus {
  const dir = mkdtempSync(join(tmpdir(), 'confidant-sqlcipher-'));
  const file = join(dir, 'probe.db');
  try {
    const keyed = new Database(file);
    keyed.pragma(`cipher='sqlcipher'`);
    keyed.pragma(`key='confidant-probe'`);
    keyed.exec('CREATE TABLE t (v TEXT); INSERT INTO t VALUES (1);');
    const version = keyed.prepare('SELECT sqlite_version() AS v').get() as { v: string };
    keyed.close();

    const unkeyed = new Database(file, { readonly: true });
    let readable = true;
    try {
      unkeyed.prepare('SELECT count(*) FROM t').get();
    } catch {
      readable = false;
    } finally {
      unkeyed.close();
    }
    if (readable) {
      return { available: false, detail: 'SQLite loaded but the database was not encrypted' };
    }
    return { available: true, detail: `SQLite ${version.v} with SQLCipher encryption` };
  } catch (error) {
    return {
      available: false,
      detail:
        `better-sqlite3-multiple-ciphers did not load (${error instanceof Error ? error.message : String(error)}). ` +
        'Run `npm rebuild better-sqlite3-multiple-ciphers` (needs python3, make and a C++ compiler).',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
