/**
 * store.json: the small plaintext header beside the encrypted database. It holds only
 * what is needed to derive and check the key (KDF parameters, salt, key check value),
 * never data. `pending` is written before a re-key and removed after it, so a crash in
 * the middle leaves a store that opens with either the old or the new passphrase.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfidantError } from '../shared/confidantError.js';
import { kdfParamsSchema } from './storeKeys.js';

export const HEADER_FILE = 'store.json';
export const DATABASE_FILE = 'confidant.db';
export const BLOB_FOLDER = 'blobs';

const headerSchema = z.object({
  format: z.literal('confidant-store'),
  version: z.literal(1),
  createdAt: z.string(),
  cipher: z.literal('sqlcipher'),
  kdf: kdfParamsSchema,
  pending: kdfParamsSchema.optional(),
});
export type StoreHeader = z.infer<typeof headerSchema>;

export function headerPath(directory: string): string {
  return join(directory, HEADER_FILE);
}

export function readHeader(directory: string): StoreHeader | null {
  const file = headerPath(directory);
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ConfidantError('STORE_HEADER_INVALID', 'The store header is not valid JSON.', {
      where: { file },
      hint: 'Restore store.json from a backup; without it the store cannot be unlocked.',
      cause,
    });
  }
  const parsed = headerSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfidantError(
      'STORE_HEADER_INVALID',
      `The store header is invalid: ${issue?.message ?? 'unknown'}.`,
      {
        where: { file, field: issue?.path.join('.') },
        hint: 'Restore store.json from a backup; without it the store cannot be unlocked.',
      },
    );
  }
  return parsed.data;
}

/** Atomic replace: write a temporary file, fsync, rename. */
export function writeHeader(directory: string, header: StoreHeader): void {
  const file = headerPath(directory);
  const temporary = `${file}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(header, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}
