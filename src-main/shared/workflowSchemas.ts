/**
 * The shapes of the workflow screens added by issue #22 (adapter export, unlearning, the
 * model library) that cross the UI ↔ engine boundary. Pure zod, no Node or DOM imports:
 * the renderer compiles this file too. The engine validates its full certificate schema
 * (src-main/train/unlearning/unlearningCertificate.ts) before one crosses the API; the
 * view here names only what the screens show.
 */
import { z } from 'zod';
import { IdSchema } from './apiSchemas.js';

export const UNLEARNING_METHOD_NAMES = ['retrain', 'shard', 'gradient-ascent'] as const;

/** Patient ids as the data carries them (never names): letters, digits and - _ . : / */
export const SubjectIdSchema = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:/-]*$/, 'a patient id is letters, digits and - _ . : / (never a name)');

export const AdapterExportRequestSchema = z
  .object({
    runId: IdSchema,
    /** A new or empty folder on the engine's machine; default: the store's exports folder. */
    outDir: z.string().min(1).max(4096).optional(),
    merged: z.boolean().default(false),
    /** The user confirmed that the export writes the adapter unencrypted outside the store. */
    confirmPlaintext: z.literal(true),
  })
  .strict();

export const UnlearnRequestSchema = z
  .object({
    runId: IdSchema,
    subjects: z.array(SubjectIdSchema).min(1).max(1000),
    method: z.enum(UNLEARNING_METHOD_NAMES),
    maxSteps: z.number().int().min(1).max(10_000).optional(),
  })
  .strict();

export const SubjectLookupSchema = z.object({
  runId: IdSchema,
  subjectId: z.string(),
  found: z.boolean(),
  /** Records of this patient in the run's dataset, and how many of them it trained on. */
  records: z.number().int().nonnegative(),
  /** Whether the run was trained as SISA shards (shard unlearning is possible). */
  sharded: z.boolean(),
});

const EvidenceViewSchema = z.looseObject({
  membershipAuc: z.number(),
  forgetLoss: z.number(),
  nonMemberLoss: z.number(),
  extractionExactRate: z.number(),
  evalPerplexity: z.number(),
});

export const UnlearningCertificateViewSchema = z.looseObject({
  runId: z.number(),
  method: z.enum(UNLEARNING_METHOD_NAMES),
  forgetSetSha256: z.string(),
  forgottenRecords: z.number(),
  forgottenSubjects: z.number(),
  before: EvidenceViewSchema,
  after: EvidenceViewSchema,
  newRunId: z.number().nullable(),
  neverSawForgetRecords: z.boolean(),
  checks: z.array(z.looseObject({ name: z.string(), passed: z.boolean(), detail: z.string() })),
  verdict: z.enum(['pass', 'warn', 'fail']),
  explanation: z.string(),
});

export const UnlearningStatusSchema = z.object({
  runId: IdSchema,
  certificate: UnlearningCertificateViewSchema.nullable(),
  createdAt: z.string().nullable(),
});

export type AdapterExportRequest = z.input<typeof AdapterExportRequestSchema>;
export type UnlearnRequest = z.input<typeof UnlearnRequestSchema>;
export type SubjectLookup = z.infer<typeof SubjectLookupSchema>;
export type UnlearningCertificateView = z.infer<typeof UnlearningCertificateViewSchema>;
export type UnlearningStatus = z.infer<typeof UnlearningStatusSchema>;

export const FederationSimulateRequestSchema = z
  .object({
    sites: z.number().int().min(2).max(26).default(3),
    rounds: z.number().int().min(1).max(20).default(1),
    /** dp: DP-SGD on the bundled model with each site's own synthetic notes; synthetic: random deltas. */
    trainer: z.enum(['dp', 'synthetic']).default('dp'),
  })
  .strict();

/** What a simulation job returns in `result.report` (src-main/federation/federationSimulation.ts). */
export const FederationSimulationReportSchema = z.looseObject({
  federationId: z.string(),
  sites: z.array(z.string()),
  ckks: z.looseObject({
    polyModulusDegree: z.number(),
    coeffModulusBits: z.array(z.number()),
    scaleBits: z.number(),
    securityLevel: z.string(),
  }),
  rounds: z.array(
    z.looseObject({
      round: z.number(),
      contributors: z.array(z.string()),
      totalExamples: z.number(),
      parameters: z.number(),
      maxRelativeError: z.number(),
      bytes: z.looseObject({ total: z.number(), perUpdate: z.number(), perAggregate: z.number() }),
      timingsMs: z.looseObject({
        wall: z.number(),
        encrypt: z.number(),
        aggregate: z.number(),
        decrypt: z.number(),
      }),
      epsilon: z.record(z.string(), z.number()),
      trainer: z.string(),
    }),
  ),
  wallMs: z.number(),
});

export type FederationSimulateRequest = z.input<typeof FederationSimulateRequestSchema>;
export type FederationSimulationReport = z.infer<typeof FederationSimulationReportSchema>;

/** One model of the library: the bundled model or a local Hugging Face folder imported into it. */
export const LibraryModelSchema = z.object({
  /** "bundled", or the folder's absolute path. */
  source: z.union([z.literal('bundled'), z.object({ path: z.string() }).strict()]),
  name: z.string(),
  architecture: z.string(),
  modelType: z.string(),
  parameters: z.number().int(),
  /** The weights' dtype (F32, BF16, F16…). */
  dtype: z.string().nullable(),
  /** Bytes of the weight files on disk. */
  weightBytes: z.number().int().nonnegative(),
  contextLength: z.number().int(),
  vocabSize: z.number().int(),
  isDefault: z.boolean(),
  addedAt: z.string().nullable(),
});

export type LibraryModel = z.infer<typeof LibraryModelSchema>;

/** The coordinator's "create a federation" (key ceremony) form. */
export const FederationCreateRequestSchema = z
  .object({
    /** Site ids: 1–32 lower-case letters, digits, - or _ (checked again by the key ceremony). */
    siteIds: z
      .array(
        z
          .string()
          .trim()
          .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'a site id is 1–32 lower-case letters, digits, - or _'),
      )
      .min(2)
      .max(26),
    /** A new or empty folder for the federation's files. */
    outDir: z.string().min(1).max(4096),
    /** Seals each invitation; given to the sites through another channel, never stored. */
    passphrase: z.string().min(8).max(1024),
    coordinatorHosts: z.array(z.string().trim().min(1).max(253)).min(1).default(['localhost', '127.0.0.1']),
    coordinatorUrl: z.string().trim().min(1).max(2048).optional(),
    /** Contributors a round needs before sites decrypt its aggregate (default 3; see docs/security.md). */
    minContributors: z.number().int().min(1).max(26).optional(),
  })
  .strict();

export type FederationCreateRequest = z.input<typeof FederationCreateRequestSchema>;

/** An air-gapped site's "export this round's update" form. */
export const FederationSiteUpdateRequestSchema = z
  .object({
    invitationFile: z.string().trim().min(1).max(4096),
    passphrase: z.string().min(1).max(1024),
    datasetId: IdSchema,
    round: z.number().int().min(1).max(10_000),
    /** The update bundle to write (default: the store's federation folder). */
    outFile: z.string().trim().min(1).max(4096).optional(),
    /** DP-SGD this round: steps, and the target ε of the site's whole participation. */
    steps: z.number().int().min(1).max(100_000).default(3),
    noiseMultiplier: z.number().gt(0).max(100).default(1),
    maxSequenceLength: z.number().int().min(8).max(8192).default(64),
    expectedBatchSize: z.number().int().min(1).max(100_000).default(8),
  })
  .strict();

export type FederationSiteUpdateRequest = z.input<typeof FederationSiteUpdateRequestSchema>;

/** An air-gapped coordinator's round: the sites' update files in, the signed aggregate out. */
export const FederationAggregateRequestSchema = z
  .object({
    /** The coordinator bundle folder the key ceremony wrote. */
    coordinatorDir: z.string().trim().min(1).max(4096),
    updateFiles: z.array(z.string().trim().min(1).max(4096)).min(1).max(100),
    round: z.number().int().min(1).max(10_000),
    outFile: z.string().trim().min(1).max(4096),
  })
  .strict();

export type FederationAggregateRequest = z.input<typeof FederationAggregateRequestSchema>;

/** An air-gapped site's "apply the round's aggregate" form. */
export const FederationSiteApplyRequestSchema = z
  .object({
    invitationFile: z.string().trim().min(1).max(4096),
    passphrase: z.string().min(1).max(1024),
    datasetId: IdSchema,
    aggregateFile: z.string().trim().min(1).max(4096),
  })
  .strict();

export type FederationSiteApplyRequest = z.input<typeof FederationSiteApplyRequestSchema>;
