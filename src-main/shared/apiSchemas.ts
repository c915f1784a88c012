/**
 * The shapes that cross the UI ↔ engine boundary (src-main/shared/api.ts): stores, projects,
 * datasets, models, jobs, runs, budgets, audits and reports. Pure zod, no Node or DOM
 * imports: the renderer compiles this file too.
 */
import { z } from 'zod';
import { AuditResultViewSchema, TrainingSummaryViewSchema } from './runViews.js';

export const IdSchema = z.number().int().positive();

export const StoreStatusSchema = z.object({
  directory: z.string(),
  /** Where the directory came from: CONFIDANT_HOME, the platform default, or a flag. */
  source: z.string(),
  exists: z.boolean(),
  unlocked: z.boolean(),
  /** The OS keychain can remember the passphrase (Electron safeStorage). */
  canRemember: z.boolean(),
  remembered: z.boolean(),
});

export const UnlockRequestSchema = z
  .object({
    /** Absent: use the remembered passphrase. */
    passphrase: z.string().min(1).max(1024).optional(),
    create: z.boolean().default(false),
    remember: z.boolean().default(false),
  })
  .strict();

export const ProjectSchema = z.object({
  id: IdSchema,
  name: z.string(),
  description: z.string(),
  createdAt: z.string(),
});

export const DatasetSchema = z.object({
  id: IdSchema,
  projectId: IdSchema,
  name: z.string(),
  status: z.enum(['importing', 'complete', 'interrupted', 'failed']),
  kind: z.enum(['text', 'prompt-response']),
  sourceFile: z.string(),
  transform: z.enum(['', 'redact', 'pseudonymise']),
  parentDatasetId: z.number().int().nullable(),
  recordCount: z.number().int().nonnegative(),
  /** Distinct patients (subject ids); 0 when the dataset has none. */
  subjectCount: z.number().int().nonnegative().default(0),
  createdAt: z.string(),
});

export const ValidationIssueSchema = z.object({
  line: z.number().int(),
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  field: z.string().optional(),
});

export const ImportOutcomeSchema = z.object({
  dataset: DatasetSchema.nullable(),
  imported: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  warnings: z.number().int().nonnegative(),
  issues: z.array(ValidationIssueSchema),
  seconds: z.number().nonnegative(),
});

/** The most a file sent through the API may hold (the web bridge caps bodies at 8 MiB). */
export const MAX_UPLOAD_CHARS = 6_000_000;
/** The largest file the browser may send as bytes (base64 takes 4 characters per 3 bytes). */
export const MAX_UPLOAD_BYTES = (MAX_UPLOAD_CHARS / 4) * 3;

export const ImportSourceSchema = z.discriminatedUnion('kind', [
  /** A file on the engine's machine. */
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096) }).strict(),
  /** A file chosen in the browser, sent as text. */
  z
    .object({
      kind: z.literal('content'),
      fileName: z
        .string()
        .min(1)
        .max(255)
        .regex(/^[^/\\]+\.(csv|jsonl|ndjson|txt|text)$/i, 'a .csv, .jsonl or .txt file name'),
      content: z.string().max(MAX_UPLOAD_CHARS),
    })
    .strict(),
  /** A file chosen in the browser, sent as its bytes (base64): the engine decodes it, so a
   *  line that is not UTF-8 is reported with its number, as the CLI does. */
  z
    .object({
      kind: z.literal('bytes'),
      fileName: z
        .string()
        .min(1)
        .max(255)
        .regex(/^[^/\\]+\.(csv|jsonl|ndjson|txt|text)$/i, 'a .csv, .jsonl or .txt file name'),
      base64: z
        .string()
        .max(MAX_UPLOAD_CHARS, `at most ${MAX_UPLOAD_BYTES / 1e6} MB; import larger files by their path`)
        .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'),
    })
    .strict(),
]);

const columnName = z.string().min(1).max(200);
/** Which source column fills each record field (the CLI's `--map`). */
export const ColumnMappingSchema = z
  .object({
    text: columnName.optional(),
    prompt: columnName.optional(),
    response: columnName.optional(),
    subject: columnName.optional(),
    split: columnName.optional(),
    id: columnName.optional(),
  })
  .strict();

export const ColumnInspectionSchema = z.object({
  format: z.enum(['csv', 'jsonl', 'txt']),
  columns: z.array(z.string()),
  guessed: ColumnMappingSchema,
});

export const PiiSpanSchema = z.object({
  type: z.string(),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  confidence: z.number(),
});

export const PreviewFieldSchema = z.object({
  field: z.enum(['text', 'prompt', 'response']),
  text: z.string(),
  spans: z.array(PiiSpanSchema),
});

export const PreviewRecordSchema = z.object({
  ordinal: z.number().int(),
  sourceLine: z.number().int(),
  subjectId: z.string().nullable(),
  split: z.string().nullable(),
  fields: z.array(PreviewFieldSchema),
});

export const DatasetPreviewSchema = z.object({
  datasetId: IdSchema,
  total: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  records: z.array(PreviewRecordSchema),
});

export const PiiScanResultSchema = z.object({
  datasetId: IdSchema,
  records: z.number().int().nonnegative(),
  recordsWithPii: z.number().int().nonnegative(),
  counts: z.record(z.string(), z.number().int().nonnegative()),
  examples: z.record(z.string(), z.array(z.string())),
  /** The first records with identifiers (position in the dataset, source line, types), for review. */
  flagged: z
    .array(
      z.object({
        index: z.number().int().nonnegative(),
        sourceLine: z.number().int().nonnegative(),
        types: z.array(z.string()),
      }),
    )
    .optional(),
  /** Set when the dataset was derived: in a pseudonymised one the values found are surrogates. */
  transform: z.enum(['redact', 'pseudonymise']).nullable().optional(),
});

export const ModelSourceSchema = z.union([
  z.literal('bundled'),
  z.object({ path: z.string().min(1).max(4096) }).strict(),
]);

export const ModelInfoSchema = z.object({
  dir: z.string(),
  bundled: z.boolean(),
  architecture: z.string(),
  modelType: z.string(),
  parameters: z.number().int(),
  dtype: z.string().nullable(),
  vocabSize: z.number().int(),
  contextLength: z.number().int(),
  layers: z.number().int(),
  hiddenSize: z.number().int(),
  heads: z.number().int(),
});

/** The privacy choices the training screen offers (DESIGN.md: ε = 1, 3, 8 or none). */
export const PRIVACY_PRESETS = ['1', '3', '8', 'none'] as const;
export const PrivacyPresetSchema = z.enum(PRIVACY_PRESETS);

export const TrainRequestSchema = z
  .object({
    datasetId: IdSchema,
    model: ModelSourceSchema,
    privacy: PrivacyPresetSchema,
    runName: z.string().min(1).max(120).optional(),
    privacyUnit: z.enum(['record', 'patient']).default('record'),
    steps: z.number().int().min(1).max(1_000_000),
    expectedBatchSize: z.number().int().min(1).max(100_000).default(32),
    microBatchSize: z.number().int().min(1).max(256).default(8),
    maxSequenceLength: z.number().int().min(8).max(8192).default(128),
    learningRate: z.number().gt(0).max(1).default(1e-3),
    loraRank: z.number().int().min(1).max(256).default(8),
    checkpointEverySteps: z.number().int().min(1).default(50),
    /** SISA shards (docs/run-config.md): 1 trains one adapter. */
    shards: z.number().int().min(1).max(32).default(1),
    /** Raise the dataset budget to this ε first (recorded in the audit log). */
    raiseBudgetTo: z.number().gt(0).max(100).optional(),
    /** Plant secret canaries (docs/run-config.md `canaries`, default design) for the audit. */
    auditCanaries: z.boolean().default(false),
    /** Examples for the audit's one-run ε lower bound (`oneRunExamples`). */
    oneRunExamples: z.number().int().min(0).max(10_000).default(0),
  })
  .strict();

export const JobKindSchema = z.enum([
  'train',
  'audit',
  'report',
  'generate',
  'export',
  'unlearn',
  'federation',
]);
export const JobStatusSchema = z.enum(['running', 'succeeded', 'failed', 'cancelled']);

export const ApiErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
});

/** One point of a job's history (training: loss by step; DP runs have eval loss only). */
export const JobPointSchema = z.object({
  step: z.number().int().nonnegative(),
  trainLoss: z.number().nullable(),
  evalLoss: z.number().nullable(),
  epsilon: z.number().nullable(),
});

export const JobSchema = z.object({
  id: z.string(),
  kind: JobKindSchema,
  status: JobStatusSchema,
  /** The training run the job works on, once known. */
  runId: z.number().int().nullable(),
  label: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  stage: z.string(),
  fraction: z.number().min(0).max(1).nullable(),
  message: z.string().optional(),
  metrics: z.record(z.string(), z.number()),
  history: z.array(JobPointSchema),
  error: ApiErrorSchema.optional(),
  /** Kind-specific result, e.g. the generated text or the report's paths. */
  result: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

export const RunSchema = z.object({
  id: IdSchema,
  projectId: IdSchema,
  datasetId: IdSchema,
  name: z.string(),
  status: z.enum(['created', 'running', 'paused', 'completed', 'failed', 'cancelled']),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  privacy: z.string(),
  /** A job of this app is working on the run now. */
  active: z.boolean(),
  /** Stopped before completing (cancelled, failed, or its process is gone): it can be resumed. */
  resumable: z.boolean(),
  /** Refused before its first step (e.g. over the privacy budget): resuming would be refused again. */
  refused: z.boolean(),
  audited: z.boolean(),
  /** The stored audit's overall verdict; null before an audit. */
  verdict: z.enum(['pass', 'inconclusive', 'warn', 'fail']).nullable(),
  summary: TrainingSummaryViewSchema.nullable(),
});

export const BudgetStatusSchema = z.object({
  datasetId: IdSchema,
  budget: z.object({ epsilon: z.number(), delta: z.number() }).nullable(),
  /** ε spent by all runs on the dataset at the budget's δ; null when unbounded or no budget. */
  spentEpsilon: z.number().nullable(),
  nonPrivateRuns: z.number().int().nonnegative(),
  runs: z.number().int().nonnegative(),
});

export const RunChartsSchema = z.object({
  runId: IdSchema,
  /** SVG documents rendered by the engine from the same vega-lite specs as the PDF report. */
  loss: z.string().nullable(),
  roc: z.string().nullable(),
  exposure: z.string().nullable(),
  epsilon: z.string().nullable(),
});

export const AuditStatusSchema = z.object({
  runId: IdSchema,
  available: z.boolean(),
  result: AuditResultViewSchema.nullable(),
  createdAt: z.string().nullable(),
});

export const ReportEntrySchema = z.object({
  id: IdSchema,
  runId: z.number().int().nullable(),
  title: z.string(),
  createdAt: z.string(),
});

export const ReportVerificationSchema = z.object({
  valid: z.boolean(),
  signer: z.string().nullable(),
  problems: z.array(z.object({ code: z.string(), message: z.string() })),
  summary: z.string(),
});

export const VerifySourceSchema = z.discriminatedUnion('kind', [
  /** A report kept in the store. */
  z.object({ kind: z.literal('stored'), reportId: IdSchema }).strict(),
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096) }).strict(),
  z
    .object({
      kind: z.literal('content'),
      fileName: z.string().min(1).max(255),
      base64: z.string().max(MAX_UPLOAD_CHARS),
    })
    .strict(),
]);

export const GenerateRequestSchema = z
  .object({
    model: ModelSourceSchema,
    /** Apply the final adapter of this training run. */
    runId: IdSchema.optional(),
    prompt: z.string().min(1).max(4000),
    maxTokens: z.number().int().min(1).max(512).default(64),
    temperature: z.number().min(0).max(2).default(0.8),
    topP: z.number().gt(0).max(1).default(0.95),
    seed: z.number().int().min(0).default(0),
  })
  .strict();

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'webgpu', 'native', 'wasm', 'cpu'] as const;
export const BackendChoiceSchema = z.enum(BACKEND_CHOICES);

export const BackendProbeSchema = z.object({
  name: z.string(),
  available: z.boolean(),
  detail: z.string(),
});

export const SettingsSchema = z.object({
  dataDirectory: z.string(),
  dataDirectorySource: z.string(),
  backend: BackendChoiceSchema,
  airGapped: z.boolean(),
  /** What keeps the app offline, in plain words. */
  networkPolicy: z.array(z.string()),
  door: z.enum(['electron', 'web-bridge']),
});

export type StoreStatus = z.infer<typeof StoreStatusSchema>;
export type Project = z.infer<typeof ProjectSchema>;
export type Dataset = z.infer<typeof DatasetSchema>;
export type ImportOutcome = z.infer<typeof ImportOutcomeSchema>;
export type ImportSource = z.infer<typeof ImportSourceSchema>;
export type ColumnMappingView = z.infer<typeof ColumnMappingSchema>;
export type ColumnInspectionView = z.infer<typeof ColumnInspectionSchema>;
export type ValidationIssueView = z.infer<typeof ValidationIssueSchema>;
export type DatasetPreview = z.infer<typeof DatasetPreviewSchema>;
export type PreviewRecord = z.infer<typeof PreviewRecordSchema>;
export type PiiSpanView = z.infer<typeof PiiSpanSchema>;
export type PiiScanResult = z.infer<typeof PiiScanResultSchema>;
export type ModelSource = z.infer<typeof ModelSourceSchema>;
export type ModelInfoView = z.infer<typeof ModelInfoSchema>;
export type PrivacyPreset = z.infer<typeof PrivacyPresetSchema>;
export type TrainRequest = z.input<typeof TrainRequestSchema>;
export type TrainRequestParsed = z.output<typeof TrainRequestSchema>;
export type JobKind = z.infer<typeof JobKindSchema>;
export type JobStatus = z.infer<typeof JobStatusSchema>;
export type JobPoint = z.infer<typeof JobPointSchema>;
export type Job = z.infer<typeof JobSchema>;
export type ApiErrorView = z.infer<typeof ApiErrorSchema>;
export type Run = z.infer<typeof RunSchema>;
export type BudgetStatus = z.infer<typeof BudgetStatusSchema>;
export type RunCharts = z.infer<typeof RunChartsSchema>;
export type AuditStatus = z.infer<typeof AuditStatusSchema>;
export type ReportEntry = z.infer<typeof ReportEntrySchema>;
export type ReportVerificationView = z.infer<typeof ReportVerificationSchema>;
export type GenerateRequest = z.output<typeof GenerateRequestSchema>;
export type BackendChoice = z.infer<typeof BackendChoiceSchema>;
export type Settings = z.infer<typeof SettingsSchema>;
