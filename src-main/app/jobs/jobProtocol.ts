/**
 * What the job runner sends a worker thread (the job to do, and how to open the store) and
 * what the worker sends back (progress, the training run it works on, the result or the
 * error). Both directions are validated with zod: a worker is another module instance and
 * its messages cross a thread boundary.
 */
import { z } from 'zod';

export const TrainJobSpecSchema = z
  .object({
    kind: z.literal('train'),
    runName: z.string().min(1),
    /** A run configuration (src-main/train/runConfig.ts); absent when resuming. */
    config: z.unknown().optional(),
    resumeRunId: z.number().int().positive().optional(),
    raiseBudgetTo: z.number().positive().optional(),
  })
  .strict();

export const AuditJobSpecSchema = z
  .object({ kind: z.literal('audit'), runId: z.number().int().positive() })
  .strict();

export const ReportJobSpecSchema = z
  .object({
    kind: z.literal('report'),
    runId: z.number().int().positive(),
    /** Further runs compared in the same report. */
    alsoRunIds: z.array(z.number().int().positive()).default([]),
    title: z.string().min(1),
    /** Folder the signed PDF and its JSON are written to. */
    outDir: z.string().min(1),
    appVersion: z.string(),
  })
  .strict();

export const GenerateJobSpecSchema = z
  .object({
    kind: z.literal('generate'),
    modelDir: z.string().min(1),
    runId: z.number().int().positive().optional(),
    prompt: z.string().min(1),
    maxTokens: z.number().int().positive(),
    temperature: z.number().min(0),
    topP: z.number().gt(0).max(1),
    seed: z.number().int().min(0),
  })
  .strict();

/** A run's adapter written out of the store (src-main/report/runAdapterExport.ts). */
export const ExportJobSpecSchema = z
  .object({
    kind: z.literal('export'),
    runId: z.number().int().positive(),
    outDir: z.string().min(1),
    merged: z.boolean(),
  })
  .strict();

/** Patients forgotten by a run (src-main/train/unlearning/unlearn.ts). */
export const UnlearnJobSpecSchema = z
  .object({
    kind: z.literal('unlearn'),
    runId: z.number().int().positive(),
    subjects: z.array(z.string().min(1)).min(1),
    method: z.enum(['retrain', 'shard', 'gradient-ascent']),
    maxSteps: z.number().int().positive().optional(),
  })
  .strict();

/** A simulated federation on loopback (src-main/federation/federationSimulation.ts). */
export const FederationJobSpecSchema = z
  .object({
    kind: z.literal('federation'),
    sites: z.number().int().min(2).max(26),
    rounds: z.number().int().min(1).max(20),
    trainer: z.enum(['dp', 'synthetic']),
    /** An empty folder for the federation's files (keys, invitations, site stores). */
    workDir: z.string().min(1),
  })
  .strict();

/** The key ceremony of a new federation (src-main/federation/keyCeremony.ts). */
export const FederationInitJobSpecSchema = z
  .object({
    kind: z.literal('federation-init'),
    siteIds: z.array(z.string().min(1)).min(2),
    outDir: z.string().min(1),
    passphrase: z.string().min(8),
    coordinatorHosts: z.array(z.string().min(1)).min(1),
    coordinatorUrl: z.string().min(1).optional(),
    minContributors: z.number().int().min(1).optional(),
  })
  .strict();

/** An air-gapped site's update for one round, trained with DP-SGD on its dataset. */
export const FederationSiteUpdateJobSpecSchema = z
  .object({
    kind: z.literal('federation-site-update'),
    invitationFile: z.string().min(1),
    passphrase: z.string().min(1),
    /** A run configuration (src-main/train/runConfig.ts) for this site's local training. */
    config: z.unknown(),
    round: z.number().int().positive(),
    outFile: z.string().min(1),
    stateDir: z.string().min(1),
  })
  .strict();

/** An air-gapped coordinator's round: import the sites' update files, aggregate, write the aggregate. */
export const FederationAggregateJobSpecSchema = z
  .object({
    kind: z.literal('federation-aggregate'),
    coordinatorDir: z.string().min(1),
    updateFiles: z.array(z.string().min(1)).min(1),
    round: z.number().int().positive(),
    outFile: z.string().min(1),
  })
  .strict();

/** An air-gapped site applies a round's signed aggregate (decrypts it with its key). */
export const FederationSiteApplyJobSpecSchema = z
  .object({
    kind: z.literal('federation-site-apply'),
    invitationFile: z.string().min(1),
    passphrase: z.string().min(1),
    config: z.unknown(),
    aggregateFile: z.string().min(1),
    stateDir: z.string().min(1),
  })
  .strict();

export const JobSpecSchema = z.discriminatedUnion('kind', [
  TrainJobSpecSchema,
  AuditJobSpecSchema,
  ReportJobSpecSchema,
  GenerateJobSpecSchema,
  ExportJobSpecSchema,
  UnlearnJobSpecSchema,
  FederationJobSpecSchema,
  FederationInitJobSpecSchema,
  FederationSiteUpdateJobSpecSchema,
  FederationAggregateJobSpecSchema,
  FederationSiteApplyJobSpecSchema,
]);
export type JobSpec = z.infer<typeof JobSpecSchema>;

export const WorkerInitSchema = z
  .object({
    store: z.object({ directory: z.string(), passphrase: z.string() }).strict(),
    /** auto | tensorflow | webgpu | native | wasm | cpu */
    backend: z.string(),
    spec: JobSpecSchema,
  })
  .strict();
export type WorkerInit = z.infer<typeof WorkerInitSchema>;

const ResultValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const WorkerMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('progress'),
    stage: z.string(),
    fraction: z.number().min(0).max(1).nullable(),
    message: z.string().optional(),
    metrics: z.record(z.string(), z.number()).optional(),
    point: z
      .object({
        step: z.number().int().nonnegative(),
        trainLoss: z.number().nullable(),
        evalLoss: z.number().nullable(),
        epsilon: z.number().nullable(),
      })
      .optional(),
  }),
  z.object({ type: z.literal('run'), runId: z.number().int().positive() }),
  z.object({ type: z.literal('done'), result: z.record(z.string(), ResultValueSchema) }),
  z.object({
    type: z.literal('error'),
    error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }),
  }),
]);
export type WorkerMessage = z.infer<typeof WorkerMessageSchema>;
export type JobResult = Record<string, z.infer<typeof ResultValueSchema>>;

/** How a task reports back; the worker entry turns these into messages. */
export interface TaskContext {
  progress(update: Omit<Extract<WorkerMessage, { type: 'progress' }>, 'type'>): void;
  runStarted(runId: number): void;
}
