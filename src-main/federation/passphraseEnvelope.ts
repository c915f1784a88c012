/**
 * Passphrase encryption of a small JSON document (an invitation): scrypt (Percival 2009,
 * RFC 7914) derives a 256-bit key, AES-256-GCM (NIST SP 800-38D) encrypts and authenticates;
 * the envelope's public fields are bound as additional authenticated data.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../shared/canonicalJson.js';
import { ConfidantError } from '../shared/confidantError.js';

export const ScryptCostSchema = z
  .object({ N: z.number().int().min(1024), r: z.number().int().min(1), p: z.number().int().min(1) })
  .strict();
export type ScryptCost = z.infer<typeof ScryptCostSchema>;

/** ~0.1 s and 32 MiB on our machines. */
export const DEFAULT_SCRYPT_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };

export const PassphraseEnvelopeSchema = z
  .object({
    format: z.string().min(1),
    version: z.literal(1),
    /** Public, authenticated (AAD): who the envelope is for. */
    label: z.record(z.string(), z.string()),
    kdf: z.object({ name: z.literal('scrypt'), salt: z.string().min(1), cost: ScryptCostSchema }).strict(),
    cipher: z.literal('aes-256-gcm'),
    iv: z.string().min(1),
    tag: z.string().min(1),
    ciphertext: z.string(),
  })
  .strict();

export type PassphraseEnvelope = z.infer<typeof PassphraseEnvelopeSchema>;

function deriveKey(passphrase: string, salt: Buffer, cost: ScryptCost): Buffer {
  return scryptSync(passphrase.normalize('NFC'), salt, 32, {
    ...cost,
    maxmem: 256 * cost.N * cost.r + 2 ** 20,
  });
}

export function sealWithPassphrase(
  format: string,
  label: Record<string, string>,
  plaintext: Buffer,
  passphrase: string,
  cost: ScryptCost = DEFAULT_SCRYPT_COST,
): PassphraseEnvelope {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(passphrase, salt, cost), iv);
  cipher.setAAD(Buffer.from(canonicalJson({ format, label })));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    format,
    version: 1,
    label,
    kdf: { name: 'scrypt', salt: salt.toString('base64'), cost },
    cipher: 'aes-256-gcm',
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

export function openWithPassphrase(envelope: PassphraseEnvelope, passphrase: string, file: string): Buffer {
  const key = deriveKey(passphrase, Buffer.from(envelope.kdf.salt, 'base64'), envelope.kdf.cost);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.iv, 'base64'));
  decipher.setAAD(Buffer.from(canonicalJson({ format: envelope.format, label: envelope.label })));
  decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(envelope.ciphertext, 'base64')), decipher.final()]);
  } catch {
    throw new ConfidantError(
      'fed.wrong-passphrase',
      'the passphrase does not open this file (or the file was altered)',
      {
        where: { file },
        hint: 'check CONFIDANT_FED_PASSPHRASE (or --passphrase); it is the one chosen at `confidant fed init`',
      },
    );
  }
}
