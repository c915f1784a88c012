/**
 * An audit job inside a worker: the whole audit suite (src-main/audit) on a stored run,
 * through the audit module's `auditRun`, which also stores the result with the run (an
 * audit of kind 'privacy-audit') for the audit screen and the report.
 */
import { auditRun } from '../../audit/auditRun.js';
import { ConfidantError } from '../../shared/confidantError.js';
import type { Store } from '../../store/index.js';
import type { JobResult, TaskContext } from './jobProtocol.js';

export async function runAuditTask(store: Store, runId: number, context: TaskContext): Promise<JobResult> {
  const run = store.runs.get(runId);
  if (!run) throw new ConfidantError('audit.run-not-found', `There is no run ${runId}.`);
  context.progress({ stage: 'starting', fraction: 0, message: 'Loading the model and the run.' });
  const result = await auditRun(store, runId, {
    onProgress: (p) =>
      context.progress({
        stage: p.stage,
        fraction: p.total > 0 ? Math.min(1, p.done / p.total) : null,
        message: `${p.stage}: ${p.done} of ${p.total}`,
      }),
  });
  return { runId, overall: result.overall, seconds: result.seconds };
}
