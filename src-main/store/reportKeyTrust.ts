/**
 * The list of report-signing keys this installation trusts (trusted-report-keys.json beside
 * store.json). `report verify` accepts a signature only from a key in this list, the store's
 * own key (added here automatically whenever the store signs) or a --trusted-key flag.
 *
 * The file holds public fingerprints only (SHA-256 of an Ed25519 SPKI), so it is readable
 * without the passphrase: anyone can verify a report without unlocking the store. It lives in
 * the store folder (0700) and is written 0600; whoever can write there is the local user,
 * whom the threat model trusts (docs/security.md).
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfidantError } from '../shared/confidantError.js';

export const TRUST_FILE = 'trusted-report-keys.json';

const fingerprintSchema = z.string().regex(/^[0-9a-f]{64}$/);

const trustedKeySchema = z.object({
  fingerprint: fingerprintSchema,
  label: z.string().max(200),
  addedAt: z.string(),
  /** True for the key of the store this file belongs to. */
  own: z.boolean(),
});
export type TrustedReportKey = z.infer<typeof trustedKeySchema>;

const trustFileSchema = z.object({
  format: z.literal('confidant-trusted-report-keys'),
  version: z.literal(1),
  keys: z.array(trustedKeySchema),
});

/** A fingerprint as typed (any case, spaces or colons between groups) → 64 lowercase hex, or null. */
export function normalizeFingerprint(text: string): string | null {
  const hex = text.toLowerCase().replace(/[\s:]/g, '');
  return fingerprintSchema.safeParse(hex).success ? hex : null;
}

/** The trusted keys of the store in `directory` ([] when it has no list yet). */
export function readTrustedReportKeys(directory: string): TrustedReportKey[] {
  const file = join(directory, TRUST_FILE);
  if (!existsSync(file)) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ConfidantError('TRUST_LIST_INVALID', 'The list of trusted report keys is not valid JSON.', {
      where: { file },
      hint: 'Delete the file and add the keys again with `confidant report trust <fingerprint>`; the store re-adds its own key the next time it signs.',
      cause,
    });
  }
  const parsed = trustFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfidantError(
      'TRUST_LIST_INVALID',
      `The list of trusted report keys is invalid: ${issue?.message ?? 'unknown'}.`,
      {
        where: { file, field: issue?.path.join('.') },
        hint: 'Delete the file and add the keys again with `confidant report trust <fingerprint>`.',
      },
    );
  }
  return parsed.data.keys;
}

function writeTrustFile(directory: string, keys: TrustedReportKey[]): void {
  const file = join(directory, TRUST_FILE);
  const temporary = `${file}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(
      fd,
      `${JSON.stringify({ format: 'confidant-trusted-report-keys', version: 1, keys }, null, 2)}\n`,
    );
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/** Adds a key (or relabels it); returns false when it was already trusted with that label. */
export function addTrustedReportKey(
  directory: string,
  fingerprintText: string,
  label: string,
  own = false,
): boolean {
  const fingerprint = normalizeFingerprint(fingerprintText);
  if (fingerprint === null) {
    throw new ConfidantError(
      'TRUST_BAD_FINGERPRINT',
      `"${fingerprintText.slice(0, 80)}" is not a key fingerprint (64 hexadecimal digits).`,
      {
        where: { field: 'fingerprint' },
        hint: 'Copy the "Signer key fingerprint" line that `confidant report verify` prints.',
      },
    );
  }
  const keys = readTrustedReportKeys(directory);
  const existing = keys.find((k) => k.fingerprint === fingerprint);
  if (existing && existing.label === label && existing.own === own) return false;
  const entry: TrustedReportKey = {
    fingerprint,
    label,
    addedAt: existing?.addedAt ?? new Date().toISOString(),
    own,
  };
  writeTrustFile(directory, [...keys.filter((k) => k.fingerprint !== fingerprint), entry]);
  return true;
}
