/**
 * From a passphrase to the SQLCipher key. scrypt (Percival 2009, RFC 7914) through
 * node:crypto, a memory-hard KDF: 64 bytes are derived; the first 32 are the database key,
 * the last 32 only feed a key check value (SHA-256 of them), so a wrong passphrase is
 * detected before the database is touched and the check value reveals nothing about the
 * database key. Blob and pseudonym keys are HKDF (RFC 5869) subkeys of a random master key
 * kept inside the encrypted database, so re-keying never re-encrypts blobs.
 */
import { createHash, hkdfSync, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const kdfParamsSchema = z.object({
  algorithm: z.literal('scrypt'),
  /** CPU/memory cost, a power of two. */
  N: z
    .number()
    .int()
    .min(1024)
    .max(2 ** 22),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
  saltBase64: z.string().min(16),
  keyCheckBase64: z.string().min(16),
});
export type KdfParams = z.infer<typeof kdfParamsSchema>;

export interface KdfCost {
  N: number;
  r: number;
  p: number;
}

/** 2^17 · 8 · 128 B = 128 MiB of memory per derivation (OWASP's scrypt minimum is 2^17). */
export const DEFAULT_KDF_COST: KdfCost = { N: 2 ** 17, r: 8, p: 1 };

export interface DerivedKey {
  /** 32 bytes, given to SQLCipher as a raw key. */
  databaseKey: Buffer;
  keyCheck: Buffer;
}

export function deriveKey(passphrase: string, salt: Buffer, cost: KdfCost): DerivedKey {
  const out = scryptSync(passphrase.normalize('NFC'), salt, 64, {
    ...cost,
    maxmem: 256 * cost.N * cost.r + 16 * 1024 * 1024,
  });
  return {
    databaseKey: out.subarray(0, 32),
    keyCheck: createHash('sha256').update(out.subarray(32)).digest(),
  };
}

/** A fresh salt and the parameters to store in the plaintext header, plus the key. */
export function newKdf(
  passphrase: string,
  cost: KdfCost = DEFAULT_KDF_COST,
): { params: KdfParams; key: Buffer } {
  const salt = randomBytes(16);
  const derived = deriveKey(passphrase, salt, cost);
  return {
    params: {
      algorithm: 'scrypt',
      ...cost,
      saltBase64: salt.toString('base64'),
      keyCheckBase64: derived.keyCheck.toString('base64'),
    },
    key: derived.databaseKey,
  };
}

/** The database key if the passphrase matches the stored check value, else null. */
export function unlockKdf(passphrase: string, params: KdfParams): Buffer | null {
  const derived = deriveKey(passphrase, Buffer.from(params.saltBase64, 'base64'), params);
  const expected = Buffer.from(params.keyCheckBase64, 'base64');
  if (expected.length !== derived.keyCheck.length || !timingSafeEqual(expected, derived.keyCheck)) {
    return null;
  }
  return derived.databaseKey;
}

/** A named 32-byte subkey of the store's master key (HKDF-SHA256). */
export function subkey(masterKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `confidant:${purpose}`, 32));
}
