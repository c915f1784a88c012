/**
 * `confidant audit --run <run>`: the whole audit suite on a stored, finished run, with the
 * audit design the run fixed before training (canaries, one-run auditing examples, held-out
 * non-members). Members are training records; non-members are the run's audit holdout
 * (same distribution, never trained on); the reference model is the base model. The result
 * is stored with the run (an audit of kind `privacy-audit`) and logged.
 */
import { z } from 'zod';
import { PiiScanner } from '../data/index.js';
import { loadAdapterArchive } from '../lora/index.js';
import { ConfidantError } from '../shared/confidantError.js';
import type { Store } from '../store/index.js';
import { parseRunConfig } from '../train/runConfig.js';
import { loadRunModel, runTrainingDataOptions } from '../train/runSetup.js';
import { loadTrainingData, resolveDataset, seededShuffle } from '../train/trainingData.js';
import { TrainingSummarySchema } from '../train/trainingSummary.js';
import { CanaryDesignSchema, OneRunDesignSchema } from './canaries/auditDesign.js';
import { AuditResultSchema, type AuditResult } from './auditResult.js';
import { runAuditSuite, type AuditProgress } from './auditSuite.js';

export interface AuditRunOptions {
  /** Most members (and non-members) scored; default 200. */
  readonly maxRecords?: number;
  /** Training records prompted for extraction; default 48. */
  readonly extractionRecords?: number;
  /** Training records whose PII entities are prompted for; default 64. */
  readonly piiRecords?: number;
  /** Largest canary space ranked exhaustively (default 1,000; larger spaces are estimated). */
  readonly exposureExactLimit?: number;
  /** Sampled candidates for the estimate (default 500). */
  readonly exposureSamples?: number;
  readonly onProgress?: (e: AuditProgress) => void;
}

const StoredDesignSchema = z.object({
  canaries: CanaryDesignSchema.nullable(),
  oneRun: OneRunDesignSchema.nullable(),
  holdoutRecordIds: z.array(z.number().int()),
});

export async function auditRun(
  store: Store,
  runId: number,
  options: AuditRunOptions = {},
): Promise<AuditResult> {
  const run = store.runs.get(runId);
  if (!run)
    throw new ConfidantError('audit.run-not-found', `There is no run ${runId}.`, {
      where: { field: '--run' },
    });
  const adapterRow = store.checkpoints.adapters(run.id).at(-1);
  if (run.status !== 'completed' || !adapterRow || !run.summaryJson) {
    throw new ConfidantError(
      'audit.run-unfinished',
      `Run ${run.id} has not finished training, so there is no adapter to audit.`,
      {
        where: { field: '--run' },
        hint: 'Finish it first (`confidant train --config … --resume`).',
      },
    );
  }
  const summary = TrainingSummarySchema.parse(JSON.parse(run.summaryJson));
  const config = parseRunConfig(JSON.parse(run.configJson), `run ${run.id} configuration`);
  const designRow = store.audits.list(run.id).find((a) => a.kind === 'audit-design');
  const design = designRow ? StoredDesignSchema.parse(JSON.parse(designRow.resultJson)) : null;

  const { model, tokenizer } = await loadRunModel(config);
  const dataset = resolveDataset(store, String(run.datasetId));
  const data = loadTrainingData(store, dataset, model, tokenizer, runTrainingDataOptions(config, model));
  const nonMemberTexts = data.auditHoldout.map((h) => h.text);
  if (nonMemberTexts.length < 2) {
    throw new ConfidantError(
      'audit.no-holdout',
      `Run ${run.id} set aside no audit holdout (non-members), so membership cannot be measured.`,
      {
        hint: 'Train with auditHoldoutFraction > 0 (the default is 0.1).',
      },
    );
  }
  const max = options.maxRecords ?? 200;
  const memberRecords = seededShuffle(
    [...data.trainTexts.entries()].filter(([id]) => id > 0),
    config.seed + 23,
  );
  const count = Math.min(max, memberRecords.length, nonMemberTexts.length);
  const members = memberRecords.slice(0, count).map(([, text]) => text);
  const nonMembers = seededShuffle(nonMemberTexts, config.seed + 29).slice(0, count);
  // the truncation the model trained with: score what it saw
  const clip = (text: string) => tokenizer.decode(tokenizer.encode(text).slice(0, config.maxSequenceLength));
  const scanner = new PiiScanner();
  const piiRecords = memberRecords
    .slice(0, Math.min(64, memberRecords.length))
    .map(([, text]) => ({ text, spans: scanner.scan(text) }));
  const records = [...store.records.iterate(dataset.id)];
  const trained = new Set([...data.trainTexts.keys()]);
  const adapter = await loadAdapterArchive(
    model,
    store.blobs.read(adapterRow.blobId),
    `adapter of run ${run.id}`,
  );
  try {
    const result = await runAuditSuite({
      model,
      tokenizer,
      target: { name: run.name, adapters: adapter.adapterMap() },
      references: [{ name: 'base model' }],
      members: members.map(clip),
      nonMembers: nonMembers.map(clip),
      ...(design?.canaries ? { canaries: design.canaries } : {}),
      extraction: {
        records: memberRecords.slice(0, options.extractionRecords ?? 48).map(([, text]) => text),
        prefixTokens: 16,
        generatedTokens: 24,
      },
      pii: { records: piiRecords },
      ...(design?.oneRun && design.oneRun.included.length + design.oneRun.excluded.length > 0
        ? { oneRun: { ...design.oneRun, delta: summary.privacy.delta ?? 1e-5 } }
        : {}),
      backdoor: {
        trainingRecords: records
          .filter((r) => trained.has(r.id))
          .map((r) => ({
            ...(r.text ? { text: r.text } : {}),
            ...(r.prompt ? { prompt: r.prompt } : {}),
            ...(r.response ? { response: r.response } : {}),
            ...(r.subjectId ? { subjectId: r.subjectId } : {}),
          })),
      },
      theoreticalEpsilon: summary.privacy.epsilon,
      options: {
        batchSize: Math.max(8, config.microBatchSize),
        seed: config.seed,
        // small spaces (door codes, 10^4) are ranked exactly (issue 18)
        exposureExactLimit: options.exposureExactLimit ?? 10_000,
        exposureSamples: options.exposureSamples ?? 500,
      },
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    store.audits.create({ runId: run.id, kind: AUDIT_KIND, result });
    store.auditLog.append('audit', `run:${run.id}`, {
      overall: result.overall,
      strongestMembership: result.membership.strongest,
      epsilonLowerBound: result.epsilonLowerBound?.epsilonLowerBound ?? null,
    });
    return result;
  } finally {
    adapter.dispose();
    model.dispose();
  }
}

/** The kind under which a run's audit result is stored. */
export const AUDIT_KIND = 'privacy-audit';

/** The latest stored audit of a run (validated), with when it ran; null when never audited. */
export function storedAudit(store: Store, runId: number): { result: AuditResult; createdAt: string } | null {
  const last = store.audits
    .list(runId)
    .filter((a) => a.kind === AUDIT_KIND)
    .at(-1);
  if (!last) return null;
  const parsed = AuditResultSchema.safeParse(JSON.parse(last.resultJson));
  return parsed.success ? { result: parsed.data, createdAt: last.createdAt } : null;
}

export function latestAudit(store: Store, runId: number): AuditResult | null {
  return storedAudit(store, runId)?.result ?? null;
}
