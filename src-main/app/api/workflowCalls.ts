/**
 * API calls of the workflow screens added by issue #22: export a run's adapter (a job: the
 * merged form loads the model), find a patient of a run's dataset by id, forget patients
 * (an unlearning job) and read the run's unlearning certificate.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Job, JobKind } from '../../shared/apiSchemas.js';
import { ConfidantError } from '../../shared/confidantError.js';
import type { RunRow, Store } from '../../store/index.js';
import { UnlearningCertificateSchema } from '../../train/unlearning/unlearningCertificate.js';
import type { JobSpec, WorkerInit } from '../jobs/jobProtocol.js';
import type { EngineSession } from '../engineSession.js';
import type { CallImplementations } from './callImplementations.js';

type WorkflowCallName =
  | 'adapter.export'
  | 'unlearn.findSubject'
  | 'unlearn.start'
  | 'unlearn.status'
  | 'federation.simulate'
  | 'federation.create'
  | 'federation.siteUpdate'
  | 'federation.aggregate'
  | 'federation.siteApply';

function requireFinishedRun(store: Store, runId: number): RunRow {
  const run = store.runs.get(runId);
  if (!run) throw new ConfidantError('run.not-found', `There is no run ${runId}.`);
  if (run.status !== 'completed' || store.checkpoints.adapters(run.id).length === 0) {
    throw new ConfidantError('run.not-finished', `Run ${runId} has no finished adapter (${run.status}).`, {
      hint: 'Finish (or resume) the run first.',
    });
  }
  return run;
}

/** A folder name for an export that sorts by time and never collides within a second. */
function defaultExportDir(session: EngineSession, run: RunRow, merged: boolean): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return join(
    session.dataDirectory.path,
    'exports',
    `run-${run.id}-${merged ? 'merged' : 'adapter'}-${stamp}`,
  );
}

/** The run configuration of a site's local DP-SGD training (the bundled model, its dataset). */
function siteRunConfig(
  datasetId: number,
  backend: string,
  options: { steps: number; noiseMultiplier: number; maxSequenceLength: number; expectedBatchSize: number },
): Record<string, unknown> {
  return {
    model: 'bundled',
    dataset: { id: String(datasetId) },
    privacy: { mode: 'noise-multiplier', noiseMultiplier: options.noiseMultiplier },
    expectedBatchSize: options.expectedBatchSize,
    steps: options.steps,
    microBatchSize: Math.min(8, options.expectedBatchSize),
    maxSequenceLength: options.maxSequenceLength,
    backend,
  };
}

export function workflowCalls(session: EngineSession): CallImplementations<WorkflowCallName> {
  const store = () => session.requireStore();
  const startJob = (kind: JobKind, label: string, spec: JobSpec, runId: number | null): Job => {
    if (runId !== null && session.jobs.activeRunIds().has(runId)) {
      throw new ConfidantError('run.busy', `Run ${runId} is being worked on right now.`, {
        hint: 'Wait for the running job to finish, or cancel it.',
      });
    }
    const init: WorkerInit = { store: session.storeAccess(), backend: session.backend, spec };
    return session.jobs.start(kind, label, init, runId);
  };
  return {
    'adapter.export': ({ runId, outDir, merged }) => {
      const run = requireFinishedRun(store(), runId);
      const dir = outDir ?? defaultExportDir(session, run, merged);
      if (outDir === undefined) mkdirSync(join(dir, '..'), { recursive: true, mode: 0o700 });
      return startJob(
        'export',
        `Exporting ${merged ? 'the merged model of ' : 'the adapter of '}${run.name}`,
        { kind: 'export', runId, outDir: dir, merged },
        runId,
      );
    },
    'unlearn.findSubject': ({ runId, subjectId }) => {
      const run = requireFinishedRun(store(), runId);
      let records = 0;
      for (const r of store().records.iterate(run.datasetId)) if (r.subjectId === subjectId) records++;
      const config = JSON.parse(run.configJson) as { shards?: number };
      return { runId, subjectId, found: records > 0, records, sharded: (config.shards ?? 1) > 1 };
    },
    'unlearn.start': ({ runId, subjects, method, maxSteps }) => {
      const run = requireFinishedRun(store(), runId);
      return startJob(
        'unlearn',
        `Forgetting ${subjects.length} patient(s) from ${run.name} (${method})`,
        { kind: 'unlearn', runId, subjects, method, ...(maxSteps !== undefined ? { maxSteps } : {}) },
        runId,
      );
    },
    'federation.simulate': ({ sites, rounds, trainer }) => {
      store(); // the simulation needs no data of the store, but the app is unlocked to use it
      if (session.jobs.list().some((j) => j.kind === 'federation' && j.status === 'running')) {
        throw new ConfidantError('federation.busy', 'A simulated federation is already running.', {
          hint: 'Wait for it to finish, or cancel it.',
        });
      }
      const workDir = mkdtempSync(join(tmpdir(), 'confidant-fed-sim-'));
      return startJob(
        'federation',
        `Simulated federation: ${sites} sites, ${rounds} round${rounds === 1 ? '' : 's'}`,
        { kind: 'federation', sites, rounds, trainer, workDir },
        null,
      );
    },
    'federation.create': ({
      siteIds,
      outDir,
      passphrase,
      coordinatorHosts,
      coordinatorUrl,
      minContributors,
    }) => {
      store();
      return startJob(
        'federation',
        `Creating a federation of ${siteIds.length} sites`,
        {
          kind: 'federation-init',
          siteIds,
          outDir,
          ...(minContributors !== undefined ? { minContributors } : {}),
          passphrase,
          coordinatorHosts,
          ...(coordinatorUrl !== undefined ? { coordinatorUrl } : {}),
        },
        null,
      );
    },
    'federation.siteUpdate': (request) => {
      const dataset = store().datasets.get(request.datasetId);
      if (!dataset || dataset.status !== 'complete') {
        throw new ConfidantError('dataset.not-found', `There is no complete dataset ${request.datasetId}.`, {
          hint: 'Pick this site’s dataset on the Data screen.',
        });
      }
      const base = join(session.dataDirectory.path, 'federation');
      const name = basename(request.invitationFile).replace(/\.[^.]*$/, '');
      const outFile = request.outFile ?? join(base, 'outbox', `${name}-round-${request.round}.update`);
      return startJob(
        'federation',
        `Site update for round ${request.round} from ${dataset.name}`,
        {
          kind: 'federation-site-update',
          invitationFile: request.invitationFile,
          passphrase: request.passphrase,
          config: siteRunConfig(dataset.id, session.backend, request),
          round: request.round,
          outFile,
          stateDir: join(base, 'sites', name),
        },
        null,
      );
    },
    'federation.aggregate': ({ coordinatorDir, updateFiles, round, outFile }) => {
      store();
      return startJob(
        'federation',
        `Coordinator round ${round}: ${updateFiles.length} update file(s)`,
        { kind: 'federation-aggregate', coordinatorDir, updateFiles, round, outFile },
        null,
      );
    },
    'federation.siteApply': (request) => {
      const dataset = store().datasets.get(request.datasetId);
      if (!dataset || dataset.status !== 'complete') {
        throw new ConfidantError('dataset.not-found', `There is no complete dataset ${request.datasetId}.`, {
          hint: 'Pick this site’s dataset on the Data screen.',
        });
      }
      const name = basename(request.invitationFile).replace(/\.[^.]*$/, '');
      return startJob(
        'federation',
        `Site applies the aggregate ${basename(request.aggregateFile)}`,
        {
          kind: 'federation-site-apply',
          invitationFile: request.invitationFile,
          passphrase: request.passphrase,
          // only the adapter's start matters here: the model and LoRA shape of the site's training
          config: siteRunConfig(dataset.id, session.backend, {
            steps: 1,
            noiseMultiplier: 1,
            maxSequenceLength: 64,
            expectedBatchSize: 8,
          }),
          aggregateFile: request.aggregateFile,
          stateDir: join(session.dataDirectory.path, 'federation', 'sites', name),
        },
        null,
      );
    },
    'unlearn.status': ({ runId }) => {
      // the certificate is stored with the run unlearning produced (the source run for
      // gradient ascent): the latest one that names this run as its source, or this run's own
      const run = store().runs.get(runId);
      if (!run) throw new ConfidantError('run.not-found', `There is no run ${runId}.`);
      const rows = store()
        .runs.listForDataset(run.datasetId)
        .flatMap((r) => store().audits.list(r.id))
        .filter((a) => a.kind === 'unlearning')
        .map((a) => ({ row: a, certificate: UnlearningCertificateSchema.parse(JSON.parse(a.resultJson)) }))
        .filter((c) => c.certificate.runId === runId || c.row.runId === runId)
        .sort((a, b) => a.row.id - b.row.id);
      const latest = rows.at(-1);
      return {
        runId,
        certificate: latest?.certificate ?? null,
        createdAt: latest?.row.createdAt ?? null,
      };
    },
  };
}
