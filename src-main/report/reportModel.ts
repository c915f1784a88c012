/**
 * The report model: everything a signed audit report says, as one versioned JSON object.
 * The PDF is a rendering of this object; the object itself is embedded in the PDF
 * (report.json) and covered by the signature in its canonical JSON form. Nothing in the
 * PDF is computed from anything else, so the embedded JSON is the evidence behind every
 * number printed.
 */
import { z } from 'zod';
import { AuditResultSchema } from '../audit/auditResult.js';
import { TrainingSummarySchema } from '../train/trainingSummary.js';
import { UnlearningCertificateSchema } from '../train/unlearning/unlearningCertificate.js';

export const REPORT_MODEL_VERSION = 1;

/** The randomness a reproducibility record must never contain (DESIGN.md, "Privacy is the product"). */
export const NEVER_RECORDED = ['dp-noise', 'poisson-sampling'] as const;

export const NEVER_RECORDED_STATEMENT =
  'The random numbers behind the differential-privacy noise and the Poisson sampling of each ' +
  'training batch come from the operating system\u2019s cryptographic generator; they were never ' +
  'seeded from anything stored and are not recorded here. A rerun reproduces the configuration, ' +
  'data and seeds below, not the exact noise, so nobody can use this record to replay which ' +
  'records were in which batch.';

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 as 64 lowercase hex digits');

export const PiiTypeCountSchema = z
  .object({
    /** Entities of this type the scan found. */
    found: z.number().int().nonnegative(),
    /** How many of them were redacted or pseudonymised before training. */
    redacted: z.number().int().nonnegative(),
  })
  .strict();

export const PiiScanSummarySchema = z
  .object({
    recordsScanned: z.number().int().nonnegative(),
    recordsWithPii: z.number().int().nonnegative(),
    entitiesFound: z.number().int().nonnegative(),
    /** Entity type (e.g. "PERSON", "MRN", "DATE") → counts. */
    byType: z.record(z.string(), PiiTypeCountSchema),
    /** What was done to the found entities before training. */
    action: z.enum(['redacted', 'pseudonymised', 'kept', 'mixed']),
    /** Plain words on anything the numbers do not say (e.g. recogniser recall on a labelled set). */
    note: z.string().optional(),
  })
  .strict();

export const ReportDatasetSchema = z
  .object({
    name: z.string().min(1),
    sha256: Sha256Schema,
    records: z.number().int().nonnegative(),
    /** Distinct patients when the dataset has a subject id; null otherwise. */
    patients: z.number().int().nonnegative().nullable(),
    piiScan: PiiScanSummarySchema,
  })
  .strict();

export const ReportRunSchema = z
  .object({
    training: TrainingSummarySchema,
    /** null when the run was not audited (the report says so, loudly). */
    audit: AuditResultSchema.nullable(),
    /** The latest unlearning certificate of this model, when a patient was forgotten. */
    unlearning: UnlearningCertificateSchema.nullable().optional(),
  })
  .strict();

export const ReproducibilitySchema = z
  .object({
    /** Software versions: app, Node, tfjs, accountants... */
    versions: z.record(z.string(), z.string()),
    /** Every seed that was used (data split, initialisation, audit sampling...), by name. */
    seeds: z.record(z.string(), z.number().int()),
    /** SHA-256 of every input: dataset, base-model weights, adapters, configurations. */
    hashes: z.record(z.string(), Sha256Schema),
    /** Commands that rerun the pipeline. */
    commands: z.array(z.string()),
    /** Must name both the DP noise and the Poisson sampling. */
    neverRecorded: z
      .array(z.enum(NEVER_RECORDED))
      .refine((list) => NEVER_RECORDED.every((item) => list.includes(item)), {
        message: `must list ${NEVER_RECORDED.join(' and ')}`,
      }),
  })
  .strict();

export const ReportEnvironmentSchema = z
  .object({
    appVersion: z.string(),
    os: z.string(),
    node: z.string(),
    backend: z.string(),
    cpu: z.string(),
    /** Installed memory in GiB. */
    memoryGiB: z.number().nonnegative(),
    gpu: z.string().nullable(),
  })
  .strict();

export const ReportModelSchema = z
  .object({
    version: z.literal(REPORT_MODEL_VERSION),
    title: z.string().min(1),
    /** ISO 8601 UTC; also the PDF's CreationDate, so rendering is deterministic. */
    createdAt: z.iso.datetime(),
    appVersion: z.string(),
    dataset: ReportDatasetSchema,
    /** One or more runs, e.g. a non-private and a DP run compared side by side. */
    runs: z.array(ReportRunSchema).min(1),
    /** Plain-language notes comparing the runs (shown on the verdict page). */
    comparison: z.array(z.string()).optional(),
    reproducibility: ReproducibilitySchema,
    environment: ReportEnvironmentSchema,
  })
  .strict();

export type ReportModel = z.infer<typeof ReportModelSchema>;
export type ReportRun = z.infer<typeof ReportRunSchema>;
export type ReportDataset = z.infer<typeof ReportDatasetSchema>;
export type PiiScanSummary = z.infer<typeof PiiScanSummarySchema>;
export type Reproducibility = z.infer<typeof ReproducibilitySchema>;
export type ReportEnvironment = z.infer<typeof ReportEnvironmentSchema>;

/** True when the run trained under differential privacy (it has a finite ε). */
export function isPrivateRun(run: ReportRun): boolean {
  return run.training.privacy.mode !== 'none' && run.training.privacy.epsilon !== null;
}
