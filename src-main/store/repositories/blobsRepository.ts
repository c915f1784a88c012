/**
 * Large binary objects (checkpoints, adapters, report PDFs) as encrypted files beside the
 * database: AES-256-GCM (NIST SP 800-38D) under a subkey of the store's master key, a random
 * 96-bit nonce per file and the blob id as associated data, so a file cannot be swapped for
 * another. The SHA-256 of the plaintext is recorded in the database and checked on read.
 * File layout: "CFB1" | nonce (12) | ciphertext | tag (16).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConfidantError } from '../../shared/confidantError.js';
import type { SqliteDatabase } from '../encryptedDatabase.js';

const MAGIC = Buffer.from('CFB1');

export interface BlobRow {
  id: string;
  kind: string;
  fileName: string;
  sizeBytes: number;
  sha256: string;
  createdAt: string;
}

const columns = 'id, kind, file_name AS fileName, size_bytes AS sizeBytes, sha256, created_at AS createdAt';

export class BlobsRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly folder: string,
    private readonly key: Buffer,
  ) {}

  /** Encrypts and writes the bytes (fsync, then atomic rename), then records the blob. */
  put(kind: string, data: Uint8Array): BlobRow {
    const id = randomUUID();
    const fileName = `${id}.blob`;
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(id));
    const body = Buffer.concat([cipher.update(data), cipher.final()]);
    const path = join(this.folder, fileName);
    const fd = openSync(`${path}.tmp`, 'w', 0o600);
    try {
      for (const part of [MAGIC, nonce, body, cipher.getAuthTag()]) writeSync(fd, part);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(`${path}.tmp`, path);
    const row: BlobRow = {
      id,
      kind,
      fileName,
      sizeBytes: data.byteLength,
      sha256: createHash('sha256').update(data).digest('hex'),
      createdAt: new Date().toISOString(),
    };
    this.db
      .prepare(
        'INSERT INTO blobs (id, kind, file_name, size_bytes, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(row.id, row.kind, row.fileName, row.sizeBytes, row.sha256, row.createdAt);
    return row;
  }

  get(id: string): BlobRow | undefined {
    return this.db.prepare(`SELECT ${columns} FROM blobs WHERE id = ?`).get(id) as BlobRow | undefined;
  }

  /** Decrypts and returns the bytes; a changed file or hash is an error, never wrong data. */
  read(id: string): Buffer {
    const row = this.get(id);
    const path = join(this.folder, row?.fileName ?? `${id}.blob`);
    if (!row)
      throw new ConfidantError('BLOB_MISSING', `No blob ${id} in the store.`, { where: { file: path } });
    const file = readFileSync(path);
    const damaged = () =>
      new ConfidantError('BLOB_DAMAGED', `The encrypted file of blob ${id} is damaged or was replaced.`, {
        where: { file: path },
        hint: 'Restore the blobs folder from a backup.',
      });
    if (file.length < 32 || !file.subarray(0, 4).equals(MAGIC)) throw damaged();
    const decipher = createDecipheriv('aes-256-gcm', this.key, file.subarray(4, 16));
    decipher.setAAD(Buffer.from(id));
    decipher.setAuthTag(file.subarray(file.length - 16));
    let data: Buffer;
    try {
      data = Buffer.concat([decipher.update(file.subarray(16, file.length - 16)), decipher.final()]);
    } catch {
      throw damaged();
    }
    if (createHash('sha256').update(data).digest('hex') !== row.sha256) throw damaged();
    return data;
  }

  remove(id: string): void {
    const row = this.get(id);
    if (!row) return;
    this.db.prepare('DELETE FROM blobs WHERE id = ?').run(id);
    rmSync(join(this.folder, row.fileName), { force: true });
  }
}
