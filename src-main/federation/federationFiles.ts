/**
 * Reads and checks what the key ceremony wrote: a site's invitation (decrypted with its
 * passphrase) and the coordinator's bundle. Every certificate is checked against the CA.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { ConfidantError } from '../shared/confidantError.js';
import { COORDINATOR_NAME, assertKeyMatches, verifyLeaf } from './federationCa.js';
import {
  COORDINATOR_KEY_FILE,
  type FederationManifest,
  FederationManifestSchema,
  INVITATION_ENVELOPE_FORMAT,
  type Invitation,
  InvitationSchema,
  MANIFEST_FILE,
} from './federationManifest.js';
import { PassphraseEnvelopeSchema, openWithPassphrase } from './passphraseEnvelope.js';

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfidantError('fed.file-missing', `cannot read ${what}`, {
      where: { file },
      hint: 'check the path (the files are written by `confidant fed init`)',
      cause: error,
    });
  }
}

export function parseJsonFile<T>(file: string, schema: z.ZodType<T>, what: string, text?: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text ?? readText(file, what));
  } catch (error) {
    if (error instanceof ConfidantError) throw error;
    throw new ConfidantError('fed.bad-file', `${what} is not valid JSON`, {
      where: { file },
      hint: 'the file is damaged; ask for a new copy',
    });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfidantError('fed.bad-file', `${what} is not valid: ${issue?.message ?? 'unknown problem'}`, {
      where: { file, field: issue?.path.join('.') },
      hint: 'the file is damaged or from another version of Confidant',
    });
  }
  return parsed.data;
}

export function checkManifest(manifest: FederationManifest): void {
  verifyLeaf(manifest.coordinatorCertPem, manifest.caCertPem, COORDINATOR_NAME);
  for (const site of manifest.sites) verifyLeaf(site.certPem, manifest.caCertPem, site.siteId);
}

export function readInvitation(file: string, passphrase: string): Invitation {
  const envelope = parseJsonFile(file, PassphraseEnvelopeSchema, 'the invitation');
  if (envelope.format !== INVITATION_ENVELOPE_FORMAT) {
    throw new ConfidantError('fed.bad-file', 'this file is not a federation invitation', { where: { file } });
  }
  const text = openWithPassphrase(envelope, passphrase, file).toString('utf8');
  const invitation = parseJsonFile(file, InvitationSchema, 'the invitation', text);
  checkManifest(invitation.manifest);
  const cert = invitation.manifest.sites.find((s) => s.siteId === invitation.siteId);
  if (!cert)
    throw new ConfidantError('fed.bad-file', `site "${invitation.siteId}" is not in the federation`, {
      where: { file },
    });
  assertKeyMatches(
    invitation.siteKeyPem,
    verifyLeaf(cert.certPem, invitation.manifest.caCertPem, invitation.siteId),
    `site ${invitation.siteId}`,
  );
  return invitation;
}

export interface CoordinatorBundle {
  readonly dir: string;
  readonly manifest: FederationManifest;
  readonly keyPem: string;
}

export function readCoordinatorBundle(dir: string): CoordinatorBundle {
  const manifest = parseJsonFile(
    join(dir, MANIFEST_FILE),
    FederationManifestSchema,
    'the federation manifest',
  );
  checkManifest(manifest);
  const keyPem = readText(join(dir, COORDINATOR_KEY_FILE), "the coordinator's private key");
  assertKeyMatches(
    keyPem,
    verifyLeaf(manifest.coordinatorCertPem, manifest.caCertPem, COORDINATOR_NAME),
    'the coordinator',
  );
  return { dir, manifest, keyPem };
}
