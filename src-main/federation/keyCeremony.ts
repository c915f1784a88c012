/**
 * `confidant fed init`: creates a federation. One run, on one trusted machine, makes the
 * federation id, the CKKS parameters and secret key, the CA and every certificate, then
 * writes: federation.json (public), coordinator/ (manifest + coordinator TLS key; no CKKS
 * secret key) and invitations/<site>.invite (encrypted: the CKKS secret key and the site's TLS
 * key). The CA's private key is discarded: membership is fixed at init.
 *
 * Each invitation is sealed with its own random secret (120 bits, printed once by `fed init`
 * for the operator to hand over out of band), so one leaked secret opens one invitation, not
 * every site's. A shared passphrase is kept only for local simulations and tests. The
 * manifest fixes the minimum number of contributors per round (default 3), which the sites
 * enforce before they decrypt an aggregate.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfidantError } from '../shared/confidantError.js';
import { type CkksParameters, DEFAULT_CKKS_PARAMETERS } from './ckksParameters.js';
import { COORDINATOR_NAME, issueFederationCertificates } from './federationCa.js';
import {
  COORDINATOR_KEY_FILE,
  DEFAULT_MIN_CONTRIBUTORS,
  type FederationManifest,
  INVITATION_ENVELOPE_FORMAT,
  type Invitation,
  MANIFEST_FILE,
  SITE_ID_PATTERN,
} from './federationManifest.js';
import { DEFAULT_SCRYPT_COST, type ScryptCost, sealWithPassphrase } from './passphraseEnvelope.js';
import { ckksRuntime } from './sealRuntime.js';

export interface CreateFederationOptions {
  readonly siteIds: readonly string[];
  readonly outDir: string;
  /**
   * Seal every invitation with this one passphrase instead of a secret per site. Only for
   * simulations and tests on one machine: anyone who has it opens every invitation.
   */
  readonly passphrase?: string;
  /** The fewest sites an aggregate must sum before a site decrypts it (default 3). */
  readonly minContributors?: number;
  /** Names or IP addresses the coordinator's certificate is valid for. */
  readonly coordinatorHosts?: readonly string[];
  readonly coordinatorUrl?: string;
  readonly ckks?: CkksParameters;
  readonly scryptCost?: ScryptCost;
}

export interface CreatedFederation {
  readonly federationId: string;
  readonly manifestFile: string;
  readonly coordinatorDir: string;
  readonly invitations: ReadonlyMap<string, string>;
  /** Each site's invitation secret (the shared passphrase when one was given). */
  readonly siteSecrets: ReadonlyMap<string, string>;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A random invitation secret: 15 bytes (120 bits) as 24 base32 letters in groups of 4. */
export function newInvitationSecret(): string {
  const bytes = randomBytes(15);
  let bits = 0;
  let value = 0;
  let text = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      text += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return text.match(/.{4}/g)!.join('-');
}

function checkOptions(options: CreateFederationOptions): void {
  const bad = options.siteIds.find((id) => !SITE_ID_PATTERN.test(id) || id === COORDINATOR_NAME);
  if (bad !== undefined) {
    throw new ConfidantError('fed.invalid-site-id', `"${bad}" is not a valid site id`, {
      where: { field: '--sites' },
      hint: 'use 1–32 lower-case letters, digits, "-" or "_" (not "coordinator"), e.g. --sites st-marys,royal-free',
    });
  }
  if (new Set(options.siteIds).size !== options.siteIds.length || options.siteIds.length < 2) {
    throw new ConfidantError('fed.invalid-site-id', 'a federation needs at least two distinct site ids', {
      where: { field: '--sites' },
      hint: 'e.g. --sites a,b,c',
    });
  }
  if (options.passphrase !== undefined && options.passphrase.length < 8) {
    throw new ConfidantError(
      'fed.weak-passphrase',
      'the invitation passphrase must have at least 8 characters',
      {
        where: { field: 'CONFIDANT_FED_PASSPHRASE' },
        hint: 'choose a long passphrase and give it to each site through another channel than the invitation file',
      },
    );
  }
  if (existsSync(options.outDir) && readdirSync(options.outDir).length > 0) {
    throw new ConfidantError('fed.out-not-empty', `the folder ${options.outDir} is not empty`, {
      where: { file: options.outDir },
      hint: 'choose a new folder for the federation; an existing one is never overwritten',
    });
  }
  const minimum = options.minContributors ?? DEFAULT_MIN_CONTRIBUTORS;
  if (!(Number.isInteger(minimum) && minimum >= 1 && minimum <= options.siteIds.length)) {
    throw new ConfidantError(
      'fed.min-contributors',
      `a round needs at least ${minimum} contributors, but the federation has ${options.siteIds.length} sites`,
      {
        where: { field: '--min-contributors' },
        hint:
          `add sites, or choose 1 ≤ --min-contributors ≤ ${options.siteIds.length}. Below 3, a site can work out ` +
          'another site’s update from the aggregate (with 2, by subtracting its own).',
      },
    );
  }
}

export async function createFederation(options: CreateFederationOptions): Promise<CreatedFederation> {
  checkOptions(options);
  const ckks = options.ckks ?? DEFAULT_CKKS_PARAMETERS;
  const runtime = await ckksRuntime(ckks);
  const federationId = `fed-${randomBytes(8).toString('hex')}`;
  const certs = issueFederationCertificates(
    federationId,
    options.siteIds,
    options.coordinatorHosts ?? ['localhost', '127.0.0.1'],
  );
  const manifest: FederationManifest = {
    format: 'confidant-federation',
    version: 1,
    federationId,
    createdAt: new Date().toISOString(),
    ckks,
    caCertPem: certs.ca.certPem,
    coordinatorCertPem: certs.coordinator.certPem,
    sites: options.siteIds.map((siteId) => ({ siteId, certPem: certs.sites.get(siteId)?.certPem ?? '' })),
    minContributors: options.minContributors ?? DEFAULT_MIN_CONTRIBUTORS,
  };
  const keyGenerator = runtime.seal.KeyGenerator(runtime.context);
  const secretKey = keyGenerator.secretKey();
  const secretKeyB64 = Buffer.from(secretKey.saveArray(runtime.compression)).toString('base64');
  secretKey.delete();
  keyGenerator.delete();

  mkdirSync(options.outDir, { recursive: true });
  const manifestFile = join(options.outDir, MANIFEST_FILE);
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  const coordinatorDir = join(options.outDir, 'coordinator');
  mkdirSync(coordinatorDir, { mode: 0o700 });
  writeFileSync(join(coordinatorDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(coordinatorDir, COORDINATOR_KEY_FILE), certs.coordinator.keyPem, { mode: 0o600 });
  const invitationsDir = join(options.outDir, 'invitations');
  mkdirSync(invitationsDir, { mode: 0o700 });
  const invitations = new Map<string, string>();
  const siteSecrets = new Map<string, string>();
  for (const siteId of options.siteIds) {
    const secret = options.passphrase ?? newInvitationSecret();
    siteSecrets.set(siteId, secret);
    const invitation: Invitation = {
      format: 'confidant-fed-invitation',
      version: 1,
      manifest,
      siteId,
      siteKeyPem: certs.sites.get(siteId)?.keyPem ?? '',
      ckksSecretKey: secretKeyB64,
      ...(options.coordinatorUrl ? { coordinatorUrl: options.coordinatorUrl } : {}),
    };
    const envelope = sealWithPassphrase(
      INVITATION_ENVELOPE_FORMAT,
      { federationId, siteId },
      Buffer.from(JSON.stringify(invitation)),
      secret,
      options.scryptCost ?? DEFAULT_SCRYPT_COST,
    );
    const file = join(invitationsDir, `${siteId}.invite`);
    writeFileSync(file, `${JSON.stringify(envelope, null, 2)}\n`, { mode: 0o600 });
    invitations.set(siteId, file);
  }
  return { federationId, manifestFile, coordinatorDir, invitations, siteSecrets };
}
