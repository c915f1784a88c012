/**
 * An unlearning job inside a worker: the unlearning module forgets the named patients from a
 * run (retrain, SISA shards, or gradient ascent), verifies it with attacks before and after,
 * and stores the certificate with the run; retraining's steps become progress messages.
 */
import type { Store } from '../../store/index.js';
import { unlearn } from '../../train/unlearning/unlearn.js';
import type { JobResult, TaskContext } from './jobProtocol.js';

export async function runUnlearnTask(
  store: Store,
  spec: {
    runId: number;
    subjects: readonly string[];
    method: 'retrain' | 'shard' | 'gradient-ascent';
    maxSteps?: number | undefined;
  },
  context: TaskContext,
): Promise<JobResult> {
  context.progress({ stage: 'starting', fraction: 0, message: 'Measuring the run before unlearning.' });
  const certificate = await unlearn({
    store,
    runId: spec.runId,
    subjects: spec.subjects,
    method: spec.method,
    ...(spec.maxSteps !== undefined ? { maxSteps: spec.maxSteps } : {}),
    onProgress: (line) => context.progress({ stage: 'unlearning', fraction: null, message: line }),
    onEvent: (event) => {
      if (event.type === 'train.step') {
        context.progress({
          stage: 'retraining',
          fraction: event.totalSteps > 0 ? Math.min(1, event.step / event.totalSteps) : null,
          message: `Retraining without the patient: step ${event.step} of ${event.totalSteps}`,
        });
      }
    },
  });
  return {
    runId: certificate.runId,
    newRunId: certificate.newRunId,
    verdict: certificate.verdict,
    forgottenRecords: certificate.forgottenRecords,
  };
}
