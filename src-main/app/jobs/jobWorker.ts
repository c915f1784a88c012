/**
 * Entry of a job's worker thread: opens its own connection to the encrypted store (SQLite
 * in WAL mode allows the main thread's connection alongside), runs the one job it was
 * started for, and posts progress, the result or the error to the job runner. The runner
 * cancels a job by terminating this thread; training stays consistent because its privacy
 * ledger is written ahead and its checkpoints are committed transactions.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isBackendName } from '../../engine/backendNames.js';
import { apiErrorOf } from '../../shared/apiError.js';
import { Store } from '../../store/index.js';
import { WorkerInitSchema, type JobResult, type TaskContext, type WorkerMessage } from './jobProtocol.js';

function post(message: WorkerMessage): void {
  parentPort?.postMessage(message);
}

async function runJob(): Promise<JobResult> {
  const init = WorkerInitSchema.parse(workerData);
  const backend = isBackendName(init.backend) ? init.backend : undefined;
  const context: TaskContext = {
    progress: (update) => post({ type: 'progress', ...update }),
    runStarted: (runId) => post({ type: 'run', runId }),
  };
  const store = Store.open({ directory: init.store.directory, passphrase: init.store.passphrase });
  try {
    const spec = init.spec;
    switch (spec.kind) {
      case 'train': {
        const { runTrainTask } = await import('./trainTask.js');
        return await runTrainTask(store, spec, context);
      }
      case 'audit': {
        const { runAuditTask } = await import('./auditTask.js');
        return await runAuditTask(store, spec.runId, context);
      }
      case 'report': {
        const { runReportTask } = await import('./reportTask.js');
        return await runReportTask(store, spec, context);
      }
      case 'generate': {
        const { runGenerateTask } = await import('./generateTask.js');
        return await runGenerateTask(store, spec, backend, context);
      }
      case 'export': {
        const { runAdapterExportTask } = await import('./adapterExportTask.js');
        return await runAdapterExportTask(store, spec, context);
      }
      case 'unlearn': {
        const { runUnlearnTask } = await import('./unlearnTask.js');
        return await runUnlearnTask(store, spec, context);
      }
      case 'federation': {
        const { runFederationTask } = await import('./federationTask.js');
        return await runFederationTask(spec, context);
      }
      case 'federation-init': {
        const { runFederationInitTask } = await import('./federationTask.js');
        return await runFederationInitTask(spec, context);
      }
      case 'federation-site-update': {
        const { runSiteUpdateTask } = await import('./federationSiteTask.js');
        return await runSiteUpdateTask(store, spec, context);
      }
      case 'federation-aggregate': {
        const { runAggregateTask } = await import('./federationTask.js');
        return await runAggregateTask(spec, context);
      }
      case 'federation-site-apply': {
        const { runSiteApplyTask } = await import('./federationSiteTask.js');
        return await runSiteApplyTask(store, spec, context);
      }
    }
  } finally {
    store.close();
  }
}

runJob().then(
  (result) => post({ type: 'done', result }),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    post({ type: 'error', error: apiErrorOf(error, `The job failed: ${message}`) });
  },
);
