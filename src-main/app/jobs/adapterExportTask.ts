/**
 * An adapter export job inside a worker (the run's "Export adapter" button): the PEFT folder,
 * or with `merged` the base model merged with the adapter (which loads the model, hence a
 * worker), with its model card; logged in the audit log by the export itself.
 */
import { exportRunAdapter } from '../../report/runAdapterExport.js';
import type { Store } from '../../store/index.js';
import type { JobResult, TaskContext } from './jobProtocol.js';

export async function runAdapterExportTask(
  store: Store,
  spec: { runId: number; outDir: string; merged: boolean },
  context: TaskContext,
): Promise<JobResult> {
  context.progress({
    stage: 'writing',
    fraction: 0.1,
    message: spec.merged
      ? 'Merging the adapter into the base model.'
      : 'Writing the adapter and its model card.',
  });
  const result = await exportRunAdapter(store, spec);
  context.progress({ stage: 'written', fraction: 1, message: `Written to ${result.outDir}.` });
  return {
    runId: result.runId,
    outDir: result.outDir,
    merged: result.merged,
    files: result.files.join(', '),
    weightsSha256: result.weightsSha256,
    guarantee: result.guarantee,
    auditLogSeq: result.auditLogSeq,
  };
}
