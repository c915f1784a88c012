/**
 * The documents a key ceremony writes: the public federation manifest (parameters, CA, every
 * member's certificate), a site's invitation (the manifest plus the site's TLS key and the
 * shared CKKS secret key; stored only inside a passphrase envelope) and the coordinator's
 * bundle (the manifest plus its TLS key: no CKKS secret key).
 */
import { z } from 'zod';
import { CkksParametersSchema } from './ckksParameters.js';

export const SITE_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
export const SiteIdSchema = z
  .string()
  .regex(SITE_ID_PATTERN)
  .refine((s) => s !== 'coordinator', 'reserved name');

export const FederationManifestSchema = z
  .object({
    format: z.literal('confidant-federation'),
    version: z.literal(1),
    federationId: z.string().regex(/^fed-[0-9a-f]{16}$/),
    createdAt: z.string(),
    ckks: CkksParametersSchema,
    caCertPem: z.string().includes('BEGIN CERTIFICATE'),
    coordinatorCertPem: z.string().includes('BEGIN CERTIFICATE'),
    sites: z
      .array(z.object({ siteId: SiteIdSchema, certPem: z.string().includes('BEGIN CERTIFICATE') }).strict())
      .min(1),
    /**
     * The fewest distinct sites whose updates an aggregate must sum before any site decrypts
     * it. With one contributor the "aggregate" is that site's update; with two, each can
     * subtract its own and read the other's. Enforced by the sites, not only the coordinator.
     */
    minContributors: z.number().int().min(1).optional(),
  })
  .strict();

export type FederationManifest = z.infer<typeof FederationManifestSchema>;

/** The default minimum number of contributors per round (issue #19). */
export const DEFAULT_MIN_CONTRIBUTORS = 3;

/** A manifest's minimum (manifests written before the field: 3, or every site when fewer). */
export function minContributorsOf(manifest: FederationManifest): number {
  return manifest.minContributors ?? Math.min(DEFAULT_MIN_CONTRIBUTORS, manifest.sites.length);
}

export const InvitationSchema = z
  .object({
    format: z.literal('confidant-fed-invitation'),
    version: z.literal(1),
    manifest: FederationManifestSchema,
    siteId: SiteIdSchema,
    siteKeyPem: z.string().includes('PRIVATE KEY'),
    /** SEAL's serialisation of the shared CKKS secret key, base64. */
    ckksSecretKey: z.string().min(1),
    coordinatorUrl: z.string().url().optional(),
  })
  .strict();

export type Invitation = z.infer<typeof InvitationSchema>;

export const INVITATION_ENVELOPE_FORMAT = 'confidant-fed-invitation-envelope';
export const MANIFEST_FILE = 'federation.json';
export const COORDINATOR_KEY_FILE = 'coordinator-key.pem';
export const COORDINATOR_STATE_FILE = 'coordinator-state.sqlite';

export function siteCertPem(manifest: FederationManifest, siteId: string): string | undefined {
  return manifest.sites.find((s) => s.siteId === siteId)?.certPem;
}
