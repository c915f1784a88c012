/**
 * Which dataset records a run trained on, stored with the run when it is created (audit
 * kind `training-manifest`, inside the encrypted store). Unlearning checks it: an adapter
 * "never saw" a record only if no run that built it lists the record. Record ids only;
 * inserted audit texts (canaries) have no record and are counted, not listed.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Store } from '../store/index.js';
import type { TrainingData } from './trainingData.js';

export const TRAINING_MANIFEST_KIND = 'training-manifest';

export const TrainingManifestSchema = z
  .object({
    version: z.literal(1),
    /** Sorted ids of the dataset records in the training split the run used. */
    recordIds: z.array(z.number().int().positive()),
    /** Canaries and one-run examples inserted (no record behind them). */
    insertedTexts: z.number().int().nonnegative(),
    /** SHA-256 of the comma-joined sorted ids. */
    sha256: z.string(),
  })
  .strict();

export type TrainingManifest = z.infer<typeof TrainingManifestSchema>;

export function trainingManifestOf(data: TrainingData): TrainingManifest {
  const recordIds = [...new Set(data.train.filter((e) => e.recordId > 0).map((e) => e.recordId))].sort(
    (a, b) => a - b,
  );
  return {
    version: 1,
    recordIds,
    insertedTexts: data.train.filter((e) => e.recordId < 0).length,
    sha256: createHash('sha256').update(recordIds.join(',')).digest('hex'),
  };
}

/** The stored manifest of a run, or null for runs created before manifests existed. */
export function storedTrainingManifest(store: Store, runId: number): TrainingManifest | null {
  const row = store.audits.list(runId).find((a) => a.kind === TRAINING_MANIFEST_KIND);
  return row ? TrainingManifestSchema.parse(JSON.parse(row.resultJson)) : null;
}
