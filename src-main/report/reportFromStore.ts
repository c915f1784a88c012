/**
 * Assembles the report model of one or more stored runs of the same dataset (`confidant
 * report --run 3,4`, the demo): each run's training summary, latest audit and unlearning
 * certificate, the
 * dataset's PII scan (run now with the recognisers, counts only), the reproducibility
 * record and the environment. Every number comes from the store; nothing is recomputed
 * from anything else.
 */
import { cpus, totalmem } from 'node:os';
import pkg from '../../package.json' with { type: 'json' };
import { latestAudit } from '../audit/auditRun.js';
import { scanDataset } from '../data/index.js';
import { ConfidantError } from '../shared/confidantError.js';
import type { Store } from '../store/index.js';
import { TrainingSummarySchema } from '../train/trainingSummary.js';
import {
  UnlearningCertificateSchema,
  type UnlearningCertificate,
} from '../train/unlearning/unlearningCertificate.js';
import { buildReproducibility, comparisonNotes } from './reportAssembly.js';
import { ReportModelSchema, type ReportModel, type ReportRun } from './reportModel.js';

export interface ReportFromStoreOptions {
  readonly title?: string;
  /** Fixed creation time (deterministic output); default now. */
  readonly createdAt?: Date;
  /** What was done to PII before training (the demo trains on raw synthetic notes). */
  readonly piiAction?: 'redacted' | 'pseudonymised' | 'kept' | 'mixed';
  readonly commands?: readonly string[];
}

export function reportModelFromStore(
  store: Store,
  runIds: readonly number[],
  options: ReportFromStoreOptions = {},
): ReportModel {
  if (runIds.length === 0) {
    throw new ConfidantError('report.no-runs', 'Name at least one run.', { where: { field: '--run' } });
  }
  const runs: ReportRun[] = runIds.map((id) => {
    const row = store.runs.get(id);
    if (!row)
      throw new ConfidantError('report.run-not-found', `There is no run ${id}.`, {
        where: { field: '--run' },
      });
    if (!row.summaryJson) {
      throw new ConfidantError('report.run-unfinished', `Run ${id} has not finished training.`, {
        where: { field: '--run' },
        hint: 'Finish the run, then audit it (`confidant audit --run`), then write the report.',
      });
    }
    return {
      training: TrainingSummarySchema.parse(JSON.parse(row.summaryJson)),
      audit: latestAudit(store, id),
      unlearning: latestUnlearning(store, id),
    };
  });
  const datasetIds = new Set(runIds.map((id) => store.runs.get(id)!.datasetId));
  if (datasetIds.size > 1) {
    throw new ConfidantError('report.mixed-datasets', 'The runs of one report must share a dataset.', {
      where: { field: '--run' },
      hint: 'Write one report per dataset.',
    });
  }
  const dataset = store.datasets.require([...datasetIds][0]!);
  // the scan of the data as imported (a redacted copy is scanned through its parent)
  const scanned =
    dataset.parentDatasetId !== null ? store.datasets.require(dataset.parentDatasetId) : dataset;
  const scan = scanDataset(store, scanned);
  const action =
    options.piiAction ??
    (dataset.transform === 'redact'
      ? 'redacted'
      : dataset.transform === 'pseudonymise'
        ? 'pseudonymised'
        : 'kept');
  const redactedCount = (n: number) => (action === 'redacted' || action === 'pseudonymised' ? n : 0);
  const byType = Object.fromEntries(
    Object.entries(scan.counts)
      .filter(([, n]) => n > 0)
      .map(([type, n]) => [type, { found: n, redacted: redactedCount(n) }]),
  );
  const entitiesFound = Object.values(scan.counts).reduce((a, b) => a + b, 0);
  const first = runs[0]!.training;
  const model: ReportModel = {
    version: 1,
    title: options.title ?? `Privacy audit: ${dataset.name}`,
    createdAt: (options.createdAt ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    appVersion: pkg.version,
    dataset: {
      name: dataset.name,
      sha256: first.dataset.sha256,
      records: dataset.recordCount,
      patients: store.records.subjectCount(dataset.id) || null,
      piiScan: {
        recordsScanned: scan.records,
        recordsWithPii: scan.recordsWithPii,
        entitiesFound,
        byType,
        action,
        note: 'Counts from Confidant\u2019s PII recognisers (rules and name lists); they can miss entities.',
      },
    },
    runs,
    comparison: comparisonNotes(runs),
    reproducibility: buildReproducibility({
      runs,
      versions: { confidant: pkg.version, node: process.version, tfjs: '4.22.0' },
      seeds: Object.fromEntries(
        runs.map((r) => [`run ${r.training.runId} (${r.training.runName})`, r.training.seed]),
      ),
      commands: [...(options.commands ?? [`confidant report --run ${runIds.join(',')} --out report.pdf`])],
    }),
    environment: {
      appVersion: first.environment.appVersion,
      os: first.environment.os,
      node: first.environment.node,
      backend: first.environment.backend,
      cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      gpu: null,
    },
  };
  return ReportModelSchema.parse(model);
}

/** The latest unlearning certificate stored with a run (the run that holds the new adapter). */
function latestUnlearning(store: Store, runId: number): UnlearningCertificate | null {
  const row = store.audits
    .list(runId)
    .filter((a) => a.kind === 'unlearning')
    .at(-1);
  return row ? UnlearningCertificateSchema.parse(JSON.parse(row.resultJson)) : null;
}
