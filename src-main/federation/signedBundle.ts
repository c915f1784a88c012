/**
 * The signed bundle: one format for an encrypted update (site → coordinator) and an
 * encrypted aggregate (coordinator → sites), sent over HTTPS or carried on a USB stick.
 *
 *   "CFEDBND1" | u32 LE header length | header (UTF-8 JSON) | payload (packed ciphertexts)
 *
 * The header names the federation, the round and the signer, carries SHA-256 of the payload
 * bytes, and is signed (ECDSA P-256 / SHA-256, the signer's federation certificate key) over
 * its canonical JSON without the signature field. A changed byte anywhere is detected.
 */
import { createHash, createPrivateKey, sign, verify, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../shared/canonicalJson.js';
import { ConfidantError } from '../shared/confidantError.js';
import { SiteIdSchema } from './federationManifest.js';

const MAGIC = Buffer.from('CFEDBND1', 'ascii');

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

const common = {
  version: z.literal(1),
  federationId: z.string().min(1),
  round: z.number().int().positive(),
  layout: z.array(z.number().int().nonnegative()).min(1),
  valueCount: z.number().int().positive(),
  ciphertextCount: z.number().int().positive(),
  createdAt: z.string(),
  payloadSha256: Sha256Schema,
  payloadBytes: z.number().int().positive(),
  signature: z.string().min(1),
};

export const UpdateHeaderSchema = z
  .object({
    kind: z.literal('update'),
    ...common,
    siteId: SiteIdSchema,
    /** n_i: the payload encrypts n_i · Δ_i, so the coordinator's sum divided by Σ n_i is FedAvg. */
    examples: z.number().int().positive(),
    nonce: z.string().regex(/^[0-9a-f]{32}$/),
  })
  .strict();

export const AggregateHeaderSchema = z
  .object({
    kind: z.literal('aggregate'),
    ...common,
    contributors: z
      .array(
        z
          .object({
            siteId: SiteIdSchema,
            examples: z.number().int().positive(),
            updateSha256: Sha256Schema,
            /**
             * The contributor's own signed update header (base64 of its exact bytes), so a site
             * can check that this site really sent an update for this round: a coordinator
             * cannot invent contributors to get past the sites' minimum.
             */
            updateHeader: z.string().optional(),
          })
          .strict(),
      )
      .min(1),
    totalExamples: z.number().int().positive(),
  })
  .strict();

export const BundleHeaderSchema = z.discriminatedUnion('kind', [UpdateHeaderSchema, AggregateHeaderSchema]);

export type UpdateHeader = z.infer<typeof UpdateHeaderSchema>;
export type AggregateHeader = z.infer<typeof AggregateHeaderSchema>;
export type BundleHeader = z.infer<typeof BundleHeaderSchema>;

export interface ParsedBundle<H extends BundleHeader = BundleHeader> {
  readonly header: H;
  readonly payload: Buffer;
  /**
   * The bundle's identity: SHA-256 of its framing and signed header, which carries the
   * payload's SHA-256 (so it identifies the payload too once verifyBundle has passed).
   */
  readonly bundleSha256: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function signedText(header: object): Buffer {
  const { signature: _signature, ...rest } = header as { signature?: string };
  return Buffer.from(canonicalJson(rest));
}

export function writeBundle<H extends BundleHeader>(
  unsigned: Omit<H, 'signature' | 'payloadSha256' | 'payloadBytes'>,
  payload: Buffer,
  signerKeyPem: string,
): Buffer {
  const withHash = { ...unsigned, payloadSha256: sha256Hex(payload), payloadBytes: payload.length };
  const signature = sign('sha256', signedText(withHash), createPrivateKey(signerKeyPem)).toString('base64');
  const header = Buffer.from(JSON.stringify({ ...withHash, signature }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  return Buffer.concat([MAGIC, length, header, payload]);
}

function rejected(code: string, message: string, hint: string): ConfidantError {
  return new ConfidantError(code, message, { hint });
}

/** Parses the framing and the header schema; checks nothing cryptographic. */
export function parseBundle(bytes: Buffer): ParsedBundle {
  if (bytes.length < 12 || !bytes.subarray(0, 8).equals(MAGIC)) {
    throw rejected(
      'fed.bad-bundle',
      'this is not a Confidant federation bundle',
      'send the file written by `confidant fed export-update`',
    );
  }
  const headerLength = bytes.readUInt32LE(8);
  if (12 + headerLength > bytes.length)
    throw rejected('fed.bad-bundle', 'the bundle is truncated', 'transfer it again');
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.subarray(12, 12 + headerLength).toString('utf8'));
  } catch {
    throw rejected('fed.bad-bundle', 'the bundle header is not valid JSON', 'transfer it again');
  }
  const parsed = BundleHeaderSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw rejected(
      'fed.bad-bundle',
      `the bundle header is invalid (${issue?.path.join('.')}: ${issue?.message})`,
      'the bundle is damaged or from another version',
    );
  }
  return {
    header: parsed.data,
    payload: bytes.subarray(12 + headerLength),
    bundleSha256: sha256Hex(bytes.subarray(0, 12 + headerLength)),
  };
}

/** Checks the payload hash and the signature against the signer's certificate. */
export function verifyBundle(bundle: ParsedBundle, signerCertPem: string, signerName: string): void {
  const { header, payload } = bundle;
  if (payload.length !== header.payloadBytes || sha256Hex(payload) !== header.payloadSha256) {
    throw rejected(
      'fed.tampered',
      `the ciphertext bytes of ${signerName}'s ${header.kind} for round ${header.round} do not match the signed SHA-256: they were altered after signing`,
      'do not use this bundle; ask the sender to send it again',
    );
  }
  const ok = verify(
    'sha256',
    signedText(header),
    new X509Certificate(signerCertPem).publicKey,
    Buffer.from(header.signature, 'base64'),
  );
  if (!ok) {
    throw rejected(
      'fed.bad-signature',
      `the signature on the ${header.kind} for round ${header.round} is not ${signerName}'s`,
      'the bundle was altered or signed with another key; do not use it',
    );
  }
}

/** The exact header bytes of a bundle (what its signature and bundleSha256 cover, with the framing). */
export function headerBytesOf(bytes: Buffer): Buffer {
  parseBundle(bytes);
  return bytes.subarray(12, 12 + bytes.readUInt32LE(8));
}

/**
 * Checks one contributor entry of an aggregate against the update header it carries: the
 * header hashes (with the framing) to the entry's updateSha256, is signed by that site's
 * certificate, and names this federation, this round, that site and that example count.
 */
export function verifyContributor(
  entry: AggregateHeader['contributors'][number],
  expected: { federationId: string; round: number },
  siteCertPem: string,
): boolean {
  if (!entry.updateHeader) return false;
  const headerBytes = Buffer.from(entry.updateHeader, 'base64');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length);
  if (sha256Hex(Buffer.concat([MAGIC, length, headerBytes])) !== entry.updateSha256) return false;
  let header: UpdateHeader;
  try {
    header = UpdateHeaderSchema.parse(JSON.parse(headerBytes.toString('utf8')));
  } catch {
    return false;
  }
  if (
    header.federationId !== expected.federationId ||
    header.round !== expected.round ||
    header.siteId !== entry.siteId ||
    header.examples !== entry.examples
  )
    return false;
  try {
    return verify(
      'sha256',
      signedText(header),
      new X509Certificate(siteCertPem).publicKey,
      Buffer.from(header.signature, 'base64'),
    );
  } catch {
    return false;
  }
}

/** The identity of a bundle (see ParsedBundle.bundleSha256). */
export function bundleId(bytes: Buffer): string {
  return parseBundle(bytes).bundleSha256;
}
