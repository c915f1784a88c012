/**
 * API calls that start and follow long work (training, audits, reports, generation, all in
 * worker threads through the job runner), and the calls that read what that work left in
 * the store: runs with their summaries and charts, the dataset privacy budget, audit
 * results, reports and their verification.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { storedAudit } from '../../audit/auditRun.js';
import { datasetBudgetStatus } from '../../train/datasetPrivacy.js';
import type { JobSpec, WorkerInit } from '../jobs/jobProtocol.js';
import type { Job, JobKind, TrainRequestParsed } from '../../shared/apiSchemas.js';
import { ConfidantError } from '../../shared/confidantError.js';
import type { RunRow, Store } from '../../store/index.js';
import { TrainingSummarySchema } from '../../train/trainingSummary.js';
import type { EngineSession } from '../engineSession.js';
import type { CallImplementations } from './callImplementations.js';
import { requireDataset, resolveModelDir } from './dataCalls.js';
import { requireReadablePath } from './pickedFiles.js';

type JobCallName =
  | 'train.start'
  | 'train.resume'
  | 'jobs.list'
  | 'jobs.get'
  | 'jobs.cancel'
  | 'runs.list'
  | 'runs.get'
  | 'runs.rename'
  | 'runs.charts'
  | 'privacy.budget'
  | 'privacy.setBudget'
  | 'audit.start'
  | 'audit.result'
  | 'report.export'
  | 'report.list'
  | 'report.verify'
  | 'generate';

/** The run configuration (docs/run-config.md) the training screen's choices stand for. */
export function runConfigFor(
  request: TrainRequestParsed,
  modelDir: string,
  backend: string,
): Record<string, unknown> {
  return {
    model: request.model === 'bundled' ? 'bundled' : modelDir,
    dataset: { id: String(request.datasetId) },
    lora: { rank: request.loraRank, alpha: 2 * request.loraRank, dropout: 0 },
    optimizer: { learningRate: request.learningRate },
    privacy:
      request.privacy === 'none'
        ? { mode: 'none' }
        : { mode: 'target-epsilon', epsilon: Number(request.privacy) },
    privacyUnit: request.privacyUnit,
    expectedBatchSize: request.expectedBatchSize,
    steps: request.steps,
    microBatchSize: request.microBatchSize,
    maxSequenceLength: request.maxSequenceLength,
    checkpointEverySteps: request.checkpointEverySteps,
    shards: request.shards,
    ...(request.auditCanaries
      ? { canaries: { format: 'mrn', repetitions: [1, 2, 4, 8], perRepetition: 2 } }
      : {}),
    ...(request.oneRunExamples > 0 ? { oneRunExamples: request.oneRunExamples } : {}),
    backend,
  };
}

function privacyLabel(configJson: string): string {
  const privacy = (
    JSON.parse(configJson) as { privacy?: { mode?: string; epsilon?: number; noiseMultiplier?: number } }
  ).privacy;
  if (!privacy || privacy.mode === 'none') return 'not private';
  if (privacy.mode === 'target-epsilon') return `ε = ${privacy.epsilon}`;
  return `σ = ${privacy.noiseMultiplier}`;
}

/** Runs the trainer refused before any step (it logs `refused`), that never wrote a checkpoint. */
function refusedRunIds(store: Store): Set<number> {
  const ids = new Set<number>();
  for (const entry of store.auditLog.list()) {
    const id = /^run:(\d+)$/.exec(entry.subject)?.[1];
    if (entry.action === 'train' && entry.details.refused === true && id !== undefined) ids.add(Number(id));
  }
  for (const id of ids) if (store.checkpoints.latest(id)) ids.delete(id);
  return ids;
}

function runView(store: Store, row: RunRow, active: Set<number>, refused = refusedRunIds(store)) {
  const summary = row.summaryJson ? TrainingSummarySchema.safeParse(JSON.parse(row.summaryJson)) : null;
  const isActive = active.has(row.id);
  const audit = storedAudit(store, row.id);
  return {
    id: row.id,
    projectId: row.projectId,
    datasetId: row.datasetId,
    name: row.name,
    status: row.status,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
    privacy: privacyLabel(row.configJson),
    active: isActive,
    // a run still marked 'running' that no job of this app works on lost its process
    resumable:
      !isActive && !refused.has(row.id) && ['running', 'cancelled', 'failed', 'paused'].includes(row.status),
    refused: refused.has(row.id),
    audited: audit !== null,
    verdict: audit?.result.overall ?? null,
    summary: summary?.success ? summary.data : null,
  };
}

/** A dataset's privacy budget and what all its runs spent, composed at the budget's δ. */
export function budgetStatus(store: Store, datasetId: number) {
  return datasetBudgetStatus(store, datasetId);
}

function requireRun(store: Store, runId: number): RunRow {
  const run = store.runs.get(runId);
  if (!run) throw new ConfidantError('run.not-found', `There is no run ${runId}.`);
  return run;
}

export function jobCalls(session: EngineSession): CallImplementations<JobCallName> {
  const store = () => session.requireStore();
  const startJob = (kind: JobKind, label: string, spec: JobSpec, runId: number | null = null): Job => {
    const init: WorkerInit = { store: session.storeAccess(), backend: session.backend, spec };
    return session.jobs.start(kind, label, init, runId);
  };
  const requireJob = (jobId: string): Job => {
    const job = session.jobs.get(jobId);
    if (!job) throw new ConfidantError('job.not-found', 'That job is no longer known to the app.');
    return job;
  };
  const refuseBusy = (runId: number) => {
    if (session.jobs.activeRunIds().has(runId)) {
      throw new ConfidantError('run.busy', `Run ${runId} is being worked on right now.`, {
        hint: 'Wait for the running job to finish, or cancel it.',
      });
    }
  };
  const bundledDir = async () => (await import('../../model/bundledModel.js')).bundledModelDir;

  return {
    'train.start': async (request) => {
      const dataset = requireDataset(store(), request.datasetId);
      const modelDir = resolveModelDir(request.model, await bundledDir());
      const config = runConfigFor(request, modelDir, session.backend);
      const runName =
        request.runName ??
        `${dataset.name}-${request.privacy === 'none' ? 'nonprivate' : `eps${request.privacy}`}`;
      return startJob('train', `Training ${runName}`, {
        kind: 'train',
        runName,
        config,
        ...(request.raiseBudgetTo !== undefined ? { raiseBudgetTo: request.raiseBudgetTo } : {}),
      });
    },
    'train.resume': ({ runId }) => {
      const run = requireRun(store(), runId);
      refuseBusy(runId);
      if (run.status === 'completed') {
        throw new ConfidantError('train.run-finished', `Run ${runId} has already completed.`);
      }
      return startJob(
        'train',
        `Resuming ${run.name}`,
        { kind: 'train', runName: run.name, resumeRunId: runId },
        runId,
      );
    },
    'jobs.list': () => session.jobs.list(),
    'jobs.get': ({ jobId }) => requireJob(jobId),
    'jobs.cancel': async ({ jobId }) => {
      requireJob(jobId);
      return (await session.jobs.cancel(jobId)) ?? requireJob(jobId);
    },
    'runs.list': ({ projectId, datasetId }) => {
      const active = session.jobs.activeRunIds();
      const rows =
        datasetId !== undefined ? store().runs.listForDataset(datasetId) : store().runs.list(projectId);
      const refused = refusedRunIds(store());
      return rows.map((row) => runView(store(), row, active, refused));
    },
    'runs.get': ({ runId }) => runView(store(), requireRun(store(), runId), session.jobs.activeRunIds()),
    'runs.rename': ({ runId, name }) => {
      const before = requireRun(store(), runId);
      const row = store().runs.rename(before.id, name);
      store().auditLog.append('rename', `run:${row.id}`, { from: before.name, to: name });
      return runView(store(), row, session.jobs.activeRunIds());
    },
    'runs.charts': async ({ runId }) => {
      const run = runView(store(), requireRun(store(), runId), session.jobs.activeRunIds());
      if (!run.summary) return { runId, loss: null, roc: null, exposure: null, epsilon: null };
      const charts = await import('../../report/charts/index.js');
      const reportRun = { training: run.summary, audit: storedAudit(store(), runId)?.result ?? null };
      const render = async (spec: Parameters<typeof charts.renderChartSvg>[0] | null) =>
        spec ? charts.renderChartSvg(spec) : null;
      return {
        runId,
        loss: await render(charts.lossChartSpec([reportRun])),
        roc: await render(charts.rocChartSpec(reportRun)),
        exposure: await render(charts.exposureChartSpec([reportRun])),
        epsilon: await render(charts.epsilonChartSpec([reportRun])),
      };
    },
    'privacy.budget': ({ datasetId }) => budgetStatus(store(), requireDataset(store(), datasetId).id),
    'privacy.setBudget': ({ datasetId, epsilon, delta }) => {
      const dataset = requireDataset(store(), datasetId);
      const before = store().privacy.budget(dataset.id);
      store().privacy.setBudget(dataset.id, epsilon, delta);
      store().auditLog.append('budget', `dataset:${dataset.id}`, {
        from: before?.epsilon ?? null,
        to: epsilon,
        delta,
        reason: 'set in the app',
      });
      return budgetStatus(store(), dataset.id);
    },
    'audit.start': ({ runId }) => {
      const run = requireRun(store(), runId);
      refuseBusy(runId);
      if (run.status !== 'completed') {
        throw new ConfidantError(
          'audit.run-not-finished',
          `Run ${runId} has not completed (${run.status}).`,
          {
            hint: 'The audit attacks the final adapter: finish or resume the run first.',
          },
        );
      }
      return startJob('audit', `Auditing ${run.name}`, { kind: 'audit', runId }, runId);
    },
    'audit.result': ({ runId }) => {
      requireRun(store(), runId);
      const audit = storedAudit(store(), runId);
      return {
        runId,
        available: audit !== null,
        result: audit?.result ?? null,
        createdAt: audit?.createdAt ?? null,
      };
    },
    'report.export': ({ runId, alsoRunIds = [], title }) => {
      const run = requireRun(store(), runId);
      for (const each of [run, ...alsoRunIds.map((id) => requireRun(store(), id))]) {
        if (!each.summaryJson) {
          throw new ConfidantError('report.run-not-finished', `Run “${each.name}” has not finished.`, {
            hint: 'A report needs finished training runs (and, ideally, their audits).',
          });
        }
      }
      const others = alsoRunIds.filter((id) => id !== runId);
      const outDir = join(session.dataDirectory.path, 'reports');
      mkdirSync(outDir, { recursive: true, mode: 0o700 });
      return startJob(
        'report',
        others.length > 0 ? `Report comparing ${others.length + 1} runs` : `Report for ${run.name}`,
        {
          kind: 'report',
          runId,
          alsoRunIds: others,
          title:
            title ??
            (others.length > 0
              ? `Privacy audit report: ${others.length + 1} runs compared`
              : `Privacy audit report: ${run.name}`),
          outDir,
          appVersion: session.options.version,
        },
        runId,
      );
    },
    'report.list': ({ runId }) =>
      store()
        .audits.reports(runId)
        .map((r) => ({ id: r.id, runId: r.runId, title: r.title, createdAt: r.createdAt })),
    'report.verify': async (source) => {
      let bytes: Buffer;
      let name: string;
      if (source.kind === 'stored') {
        const row = store()
          .audits.reports()
          .find((r) => r.id === source.reportId);
        if (!row) throw new ConfidantError('report.not-found', `There is no report ${source.reportId}.`);
        bytes = store().blobs.read(row.blobId);
        name = row.title;
      } else if (source.kind === 'path') {
        const file = requireReadablePath(source.path, session.dataDirectory.path);
        try {
          bytes = readFileSync(file);
        } catch (cause) {
          throw new ConfidantError('report.unreadable', 'Cannot read that file.', {
            where: { file: source.path },
            cause,
          });
        }
        name = basename(source.path);
      } else {
        bytes = Buffer.from(source.base64, 'base64');
        name = source.fileName;
      }
      const { verifyReport } = await import('../../report/verifyReport.js');
      const { describeVerification } = await import('../../cli/commands/report.js');
      const { readTrustedReportKeys } = await import('../../store/index.js');
      // Only the store's own key and the keys in its trust list make a report VALID here.
      const verification = verifyReport(bytes, {
        trustedKeyFingerprints: readTrustedReportKeys(store().directory).map((k) => k.fingerprint),
      });
      return {
        valid: verification.valid,
        signer: verification.signer?.keyFingerprint ?? null,
        problems: verification.problems.map((p) => ({ code: p.code, message: p.message })),
        summary: describeVerification(name, verification),
      };
    },
    generate: async (request) => {
      const modelDir = resolveModelDir(request.model, await bundledDir());
      if (request.runId !== undefined) requireRun(store(), request.runId);
      return startJob(
        'generate',
        `Generating with ${request.runId ? `run ${request.runId}` : 'the base model'}`,
        {
          kind: 'generate',
          modelDir,
          ...(request.runId !== undefined ? { runId: request.runId } : {}),
          prompt: request.prompt,
          maxTokens: request.maxTokens,
          temperature: request.temperature,
          topP: request.topP,
          seed: request.seed,
        },
      );
    },
  };
}
