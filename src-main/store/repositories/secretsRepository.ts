/**
 * Secrets kept inside the encrypted database (never in a plaintext file): the random master
 * key (blob and pseudonym keys derive from it), and later e.g. the Ed25519 report-signing key.
 */
import { randomBytes } from 'node:crypto';
import type { SqliteDatabase } from '../encryptedDatabase.js';

export class SecretsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  get(name: string): Buffer | undefined {
    const row = this.db.prepare('SELECT value FROM secrets WHERE name = ?').get(name) as
      { value: Buffer } | undefined;
    return row?.value;
  }

  set(name: string, value: Uint8Array): void {
    this.db
      .prepare(
        'INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value',
      )
      .run(name, Buffer.from(value));
  }

  /** The named secret, created from `create` (32 random bytes by default) on first use. */
  ensure(name: string, create: () => Uint8Array = () => randomBytes(32)): Buffer {
    const existing = this.get(name);
    if (existing) return existing;
    const value = Buffer.from(create());
    this.set(name, value);
    return value;
  }
}
