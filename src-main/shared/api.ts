/**
 * The typed API between the UI and the engine: one contract, exposed by the Electron
 * preload (contextBridge) and by the web bridge (loopback HTTP + WebSocket). Each call
 * names its request and response schemas; both sides validate with zod at the boundary.
 * This file must stay free of Node and DOM imports: the renderer compiles it too.
 */
import { z } from 'zod';
import { AppInfoSchema } from './appInfo.js';
import {
  AuditStatusSchema,
  BackendChoiceSchema,
  BackendProbeSchema,
  BudgetStatusSchema,
  ColumnInspectionSchema,
  ColumnMappingSchema,
  DatasetPreviewSchema,
  DatasetSchema,
  GenerateRequestSchema,
  IdSchema,
  ImportOutcomeSchema,
  ImportSourceSchema,
  JobSchema,
  ModelInfoSchema,
  ModelSourceSchema,
  PiiScanResultSchema,
  PiiSpanSchema,
  ProjectSchema,
  ReportEntrySchema,
  ReportVerificationSchema,
  RunChartsSchema,
  RunSchema,
  SettingsSchema,
  StoreStatusSchema,
  TrainRequestSchema,
  UnlockRequestSchema,
  VerifySourceSchema,
} from './apiSchemas.js';
import {
  AdapterExportRequestSchema,
  FederationAggregateRequestSchema,
  FederationCreateRequestSchema,
  FederationSimulateRequestSchema,
  FederationSiteApplyRequestSchema,
  FederationSiteUpdateRequestSchema,
  LibraryModelSchema,
  SubjectLookupSchema,
  UnlearnRequestSchema,
  UnlearningStatusSchema,
} from './workflowSchemas.js';

const empty = z.object({}).strict();
const name = z.string().trim().min(1).max(120);

export const API_CALLS = {
  appInfo: { request: empty, response: AppInfoSchema },

  // the encrypted store
  'store.status': { request: empty, response: StoreStatusSchema },
  'store.unlock': { request: UnlockRequestSchema, response: StoreStatusSchema },
  'store.lock': { request: empty, response: StoreStatusSchema },
  'store.forget': { request: empty, response: StoreStatusSchema },

  // projects and datasets
  'projects.list': { request: empty, response: z.array(ProjectSchema) },
  'projects.create': {
    request: z.object({ name, description: z.string().max(2000).default('') }).strict(),
    response: ProjectSchema,
  },
  'datasets.list': {
    request: z.object({ projectId: IdSchema.optional() }).strict(),
    response: z.array(DatasetSchema),
  },
  'datasets.import': {
    request: z
      .object({
        projectId: IdSchema,
        name: name.optional(),
        source: ImportSourceSchema,
        allowErrors: z.boolean().default(false),
        /** Columns chosen in the picker; guessed from the column names when absent. */
        mapping: ColumnMappingSchema.optional(),
      })
      .strict(),
    response: ImportOutcomeSchema,
  },
  'datasets.inspect': {
    request: z.object({ source: ImportSourceSchema }).strict(),
    response: ColumnInspectionSchema,
  },
  'datasets.synthesize': {
    request: z
      .object({
        projectId: IdSchema,
        name,
        records: z.number().int().min(1).max(100_000),
        seed: z.number().int().min(0).default(1),
      })
      .strict(),
    response: ImportOutcomeSchema,
  },
  'datasets.preview': {
    request: z
      .object({
        datasetId: IdSchema,
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(100).default(10),
      })
      .strict(),
    response: DatasetPreviewSchema,
  },
  'datasets.scan': { request: z.object({ datasetId: IdSchema }).strict(), response: PiiScanResultSchema },
  'datasets.deidentify': {
    request: z
      .object({ datasetId: IdSchema, mode: z.enum(['redact', 'pseudonymise']), name: name.optional() })
      .strict(),
    response: DatasetSchema,
  },

  // models
  'model.info': { request: z.object({ source: ModelSourceSchema }).strict(), response: ModelInfoSchema },

  // long work: jobs
  'train.start': { request: TrainRequestSchema, response: JobSchema },
  'train.resume': { request: z.object({ runId: IdSchema }).strict(), response: JobSchema },
  'jobs.list': { request: empty, response: z.array(JobSchema) },
  'jobs.get': { request: z.object({ jobId: z.string().min(1).max(64) }).strict(), response: JobSchema },
  'jobs.cancel': { request: z.object({ jobId: z.string().min(1).max(64) }).strict(), response: JobSchema },

  // runs and privacy
  'runs.list': {
    request: z.object({ projectId: IdSchema.optional(), datasetId: IdSchema.optional() }).strict(),
    response: z.array(RunSchema),
  },
  'runs.get': { request: z.object({ runId: IdSchema }).strict(), response: RunSchema },
  'runs.charts': { request: z.object({ runId: IdSchema }).strict(), response: RunChartsSchema },
  'privacy.budget': { request: z.object({ datasetId: IdSchema }).strict(), response: BudgetStatusSchema },
  'privacy.setBudget': {
    request: z
      .object({ datasetId: IdSchema, epsilon: z.number().gt(0).max(100), delta: z.number().gt(0).lt(1) })
      .strict(),
    response: BudgetStatusSchema,
  },

  // audits and reports
  'audit.start': { request: z.object({ runId: IdSchema }).strict(), response: JobSchema },
  'audit.result': { request: z.object({ runId: IdSchema }).strict(), response: AuditStatusSchema },
  'report.export': {
    request: z
      .object({
        runId: IdSchema,
        /** Further runs compared in the same report (the CLI's `report --runs 1,2`). */
        alsoRunIds: z.array(IdSchema).max(7).optional(),
        title: z.string().min(1).max(200).optional(),
      })
      .strict(),
    response: JobSchema,
  },
  'report.list': {
    request: z.object({ runId: IdSchema.optional() }).strict(),
    response: z.array(ReportEntrySchema),
  },
  'report.verify': { request: VerifySourceSchema, response: ReportVerificationSchema },

  // renaming (names are labels: ids, records and the privacy ledger do not change)
  'projects.rename': { request: z.object({ projectId: IdSchema, name }).strict(), response: ProjectSchema },
  'datasets.rename': { request: z.object({ datasetId: IdSchema, name }).strict(), response: DatasetSchema },
  'runs.rename': { request: z.object({ runId: IdSchema, name }).strict(), response: RunSchema },

  // playground
  generate: { request: GenerateRequestSchema, response: JobSchema },
  /** Identifiers in a text (generated text in the playground), as the dataset preview shows them. */
  'pii.find': {
    request: z.object({ text: z.string().max(200_000) }).strict(),
    response: z.array(PiiSpanSchema),
  },

  // settings
  'settings.get': { request: empty, response: SettingsSchema },
  'settings.setBackend': {
    request: z.object({ backend: BackendChoiceSchema }).strict(),
    response: SettingsSchema,
  },
  'settings.probeBackends': { request: empty, response: z.array(BackendProbeSchema) },

  // adapter export and unlearning (issue #22; src-main/app/api/workflowCalls.ts)
  'adapter.export': { request: AdapterExportRequestSchema, response: JobSchema },
  'unlearn.findSubject': {
    request: z.object({ runId: IdSchema, subjectId: z.string().trim().min(1).max(128) }).strict(),
    response: SubjectLookupSchema,
  },
  'unlearn.start': { request: UnlearnRequestSchema, response: JobSchema },
  'unlearn.status': { request: z.object({ runId: IdSchema }).strict(), response: UnlearningStatusSchema },
  'federation.simulate': { request: FederationSimulateRequestSchema, response: JobSchema },
  'federation.create': { request: FederationCreateRequestSchema, response: JobSchema },
  'federation.siteUpdate': { request: FederationSiteUpdateRequestSchema, response: JobSchema },
  'federation.aggregate': { request: FederationAggregateRequestSchema, response: JobSchema },
  'federation.siteApply': { request: FederationSiteApplyRequestSchema, response: JobSchema },
  'models.list': { request: empty, response: z.array(LibraryModelSchema) },
  'models.add': {
    request: z.object({ path: z.string().trim().min(1).max(4096) }).strict(),
    response: z.array(LibraryModelSchema),
  },
  'models.remove': {
    request: z.object({ path: z.string().min(1).max(4096) }).strict(),
    response: z.array(LibraryModelSchema),
  },
} as const;

export type ApiCallName = keyof typeof API_CALLS;
export type ApiRequest<K extends ApiCallName> = z.input<(typeof API_CALLS)[K]['request']>;
export type ApiParsedRequest<K extends ApiCallName> = z.output<(typeof API_CALLS)[K]['request']>;
export type ApiResponse<K extends ApiCallName> = z.output<(typeof API_CALLS)[K]['response']>;

/**
 * Pushed to the UI: a job's progress (training step, audit stage...) and its status changes.
 * Training metrics: step, totalSteps, trainLoss (non-private runs only: a DP run's batch loss
 * is private), evalLoss, perplexity, epsilon, tokensPerSecond, etaSeconds, learningRate.
 */
export const ApiEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('job.progress'),
    jobId: z.string(),
    kind: z.string(),
    stage: z.string(),
    /** 0..1, or null when the total is unknown. */
    fraction: z.number().min(0).max(1).nullable(),
    message: z.string().optional(),
    metrics: z.record(z.string(), z.number()).optional(),
  }),
  z.object({ type: z.literal('job.status'), job: JobSchema }),
]);

export type ApiEvent = z.infer<typeof ApiEventSchema>;

/** A call's outcome as it crosses a process boundary: nothing is thrown across it. */
export type ApiResult<T> =
  { ok: true; value: T } | { ok: false; error: { code: string; message: string; hint?: string } };

/** What the preload exposes as `window.confidant`, and what the web bridge client implements. */
export interface ConfidantApi {
  call<K extends ApiCallName>(name: K, request: ApiRequest<K>): Promise<ApiResult<ApiResponse<K>>>;
  /** Subscribes to progress events; returns the unsubscribe function. */
  onEvent(listener: (event: ApiEvent) => void): () => void;
}
