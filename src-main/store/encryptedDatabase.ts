/**
 * Opens the SQLCipher database (better-sqlite3-multiple-ciphers, `cipher='sqlcipher'`) with
 * a raw 256-bit key, and sets the pragmas that keep data encrypted and consistent: WAL with
 * synchronous=FULL (a killed process leaves the last committed transaction), temp files in
 * memory (no plaintext temp files on disk), secure_delete (freed pages are zeroed).
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { ConfidantError } from '../shared/confidantError.js';

export type SqliteDatabase = Database.Database;

function keyPragma(name: 'key' | 'rekey', key: Buffer): string {
  if (key.length !== 32) throw new Error('SQLCipher raw keys are 32 bytes');
  return `${name}="x'${key.toString('hex')}'"`;
}

/** Returns the open database, or null when the key does not decrypt the file. */
export function openEncryptedDatabase(file: string, key: Buffer): SqliteDatabase | null {
  const db = new Database(file);
  try {
    db.pragma(`cipher='sqlcipher'`);
    db.pragma(keyPragma('key', key));
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    db.close();
    if (error instanceof Database.SqliteError && error.code === 'SQLITE_NOTADB') return null;
    throw error;
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('temp_store = MEMORY');
  db.pragma('secure_delete = ON');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * Re-encrypts every page with a new key. SQLite3MultipleCiphers cannot rekey in WAL mode,
 * so the journal is switched to DELETE for the rekey (which then runs under a rollback
 * journal) and back to WAL afterwards.
 */
export function rekeyDatabase(db: SqliteDatabase, newKey: Buffer): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('journal_mode = DELETE');
  db.pragma(keyPragma('rekey', newKey));
  db.pragma('journal_mode = WAL');
}

export function integrityCheck(db: SqliteDatabase): string[] {
  const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
  return rows.map((row) => row.integrity_check);
}

export function assertOpened(db: SqliteDatabase | null, file: string): SqliteDatabase {
  if (db) return db;
  throw new ConfidantError(
    'STORE_CORRUPT',
    'The store header accepted the passphrase but the database could not be decrypted.',
    { where: { file }, hint: 'The database file may be damaged; restore it from a backup.' },
  );
}
