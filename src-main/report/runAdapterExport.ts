/**
 * Takes a run's adapter out of the encrypted store (`confidant adapter export`, the run's
 * "Export adapter" button): a Hugging Face PEFT folder (adapter_config.json +
 * adapter_model.safetensors, exactly the bytes the store holds) or, with `merged`, the
 * base model with the adapter merged in as a Hugging Face model folder; either way with a
 * model card (README.md) stating what the signed report states. Export writes plaintext
 * outside the store, so it refuses a folder that already holds files and records itself in
 * the audit log.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { latestAudit } from '../audit/auditRun.js';
import type { AuditResult } from '../audit/auditResult.js';
import { adapterModelCard, exportAdapterArchive, loadAdapterArchive, mergeAdapter } from '../lora/index.js';
import type { ModelCardInput } from '../lora/index.js';
import { BUNDLED_MODEL_NAME } from '../model/bundledModel.js';
import { saveModelWeights } from '../model/index.js';
import { ConfidantError } from '../shared/confidantError.js';
import type { Store } from '../store/index.js';
import { parseRunConfig } from '../train/runConfig.js';
import { loadRunModel, modelDirectory } from '../train/runSetup.js';
import { TrainingSummarySchema, type TrainingSummary } from '../train/trainingSummary.js';
import { keyFingerprint } from './keyFingerprint.js';

export interface RunAdapterExportOptions {
  readonly runId: number;
  readonly outDir: string;
  /** Write the base model with the adapter merged (a Hugging Face model folder). */
  readonly merged?: boolean;
  /** Fixed export time (deterministic cards in tests); default now. */
  readonly exportedAt?: Date;
}

export interface RunAdapterExport {
  readonly runId: number;
  readonly outDir: string;
  readonly merged: boolean;
  readonly files: readonly string[];
  /** SHA-256 of adapter_model.safetensors (or model.safetensors when merged). */
  readonly weightsSha256: string;
  readonly guarantee: string;
  readonly auditLogSeq: number;
}

/** The exported weights file of `outDir`. */
export const weightsFileName = (merged: boolean) =>
  merged ? 'model.safetensors' : 'adapter_model.safetensors';

async function requireEmptyFolder(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new ConfidantError(
      'adapter.out-unreadable',
      `Cannot use the output folder (${(error as Error).message}).`,
      {
        where: { file: dir, field: '--out' },
        hint: 'Choose a folder you can write to.',
      },
    );
  }
  if (entries.length > 0) {
    throw new ConfidantError(
      'adapter.out-not-empty',
      `The output folder already holds ${entries.length} file(s) (${entries.slice(0, 3).join(', ')}); export never overwrites files.`,
      { where: { file: dir, field: '--out' }, hint: 'Choose a new or empty folder.' },
    );
  }
}

/** A readable name for the base model: the bundled model's name or the folder's name. */
function baseModelName(model: string): string {
  return model === 'bundled' ? BUNDLED_MODEL_NAME : basename(resolve(model));
}

function auditSections(audit: AuditResult): ModelCardInput['audit'] {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const strongest = audit.membership.attacks.find((a) => a.name === audit.membership.strongest);
  const sections: { name: string; verdict: AuditResult['overall']; detail: string }[] = [
    {
      name: 'membership inference',
      verdict: audit.membership.verdict,
      detail: strongest
        ? `strongest attack ${strongest.name}: AUC ${strongest.auc.toFixed(3)}, TPR at 1% FPR ${pct(strongest.tprAtFpr['0.01'])}`
        : `${audit.membership.attacks.length} attacks`,
    },
  ];
  if (audit.canaries) {
    sections.push({
      name: 'canary exposure',
      verdict: audit.canaries.verdict,
      detail: `max exposure ${audit.canaries.maxExposure.toFixed(2)} bits`,
    });
  }
  sections.push(
    {
      name: 'training-data extraction',
      verdict: audit.extraction.verdict,
      detail: `exact ${pct(audit.extraction.exactMatchRate)}, near ${pct(audit.extraction.nearMatchRate)} of ${audit.extraction.records} records`,
    },
    {
      name: 'PII leakage',
      verdict: audit.piiLeakage.verdict,
      detail: `${audit.piiLeakage.leaked} of ${audit.piiLeakage.entities} entities leaked`,
    },
    {
      name: 'backdoor scan',
      verdict: audit.backdoor.verdict,
      detail: `${audit.backdoor.dataFindings.length + audit.backdoor.modelFindings.length} finding(s), ${audit.backdoor.triggersTested} triggers tested`,
    },
  );
  if (audit.epsilonLowerBound) {
    sections.push({
      name: 'empirical ε lower bound',
      verdict: audit.epsilonLowerBound.verdict,
      detail: `ε ≥ ${audit.epsilonLowerBound.epsilonLowerBound.toFixed(3)}`,
    });
  }
  return {
    overall: audit.overall,
    sections,
    epsilonLowerBound: audit.epsilonLowerBound?.epsilonLowerBound ?? null,
  };
}

/** What the model card of a stored run says (no files touched). */
export function runModelCardInput(
  store: Store,
  runId: number,
  options: { merged: boolean; exportedAt: Date },
): ModelCardInput {
  const run = store.runs.get(runId);
  if (!run) {
    throw new ConfidantError('adapter.run-not-found', `There is no run ${runId}.`, {
      where: { field: '--run' },
      hint: 'List runs with `confidant train --list` or in the Train screen.',
    });
  }
  if (!run.summaryJson || store.checkpoints.adapters(run.id).length === 0) {
    throw new ConfidantError('adapter.run-unfinished', `Run ${run.id} has no finished adapter to export.`, {
      where: { field: '--run' },
      hint: 'Finish training the run first.',
    });
  }
  const summary: TrainingSummary = TrainingSummarySchema.parse(JSON.parse(run.summaryJson));
  const config = parseRunConfig(JSON.parse(run.configJson), `run ${run.id} configuration`);
  const p = summary.privacy;
  const audit = latestAudit(store, run.id);
  const reportRow = store.audits.reports(run.id).at(-1);
  return {
    runId: run.id,
    runName: run.name,
    baseModel: {
      name: baseModelName(config.model),
      modelType: summary.model.modelType,
      sha256: summary.model.sha256,
    },
    adapter: {
      rank: summary.adapter.rank,
      alpha: summary.adapter.alpha,
      targetModules: summary.adapter.targetModules,
      sha256: summary.adapter.sha256,
    },
    dataset: { name: summary.dataset.name, units: summary.dataset.trainUnits, unit: p.privacyUnit },
    privacy:
      p.mode === 'none' || p.epsilon === null || p.delta === null
        ? null
        : {
            epsilon: p.epsilon,
            delta: p.delta,
            unit: p.privacyUnit,
            accountant: p.accountant,
            rdpEpsilon: p.rdpEpsilon,
            prvEpsilon: p.prvEpsilon,
            noiseMultiplier: p.noiseMultiplier,
            clipNorm: p.clipNorm,
            steps: p.steps,
          },
    audit: audit ? auditSections(audit) : null,
    report: reportRow
      ? {
          pdfSha256: createHash('sha256').update(store.blobs.read(reportRow.blobId)).digest('hex'),
          keyFingerprint: keyFingerprint(store.signingKeyPair().publicKey),
          createdAt: reportRow.createdAt,
        }
      : null,
    merged: options.merged,
    exportedAt: options.exportedAt.toISOString(),
    appVersion: pkg.version,
  };
}

export async function exportRunAdapter(
  store: Store,
  options: RunAdapterExportOptions,
): Promise<RunAdapterExport> {
  const merged = options.merged ?? false;
  const outDir = resolve(options.outDir);
  const card = runModelCardInput(store, options.runId, {
    merged,
    exportedAt: options.exportedAt ?? new Date(),
  });
  await requireEmptyFolder(outDir);
  const adapterRow = store.checkpoints.adapters(options.runId).at(-1)!;
  const bytes = store.blobs.read(adapterRow.blobId);
  const source = `adapter of run ${options.runId}`;
  if (merged) {
    const run = store.runs.require(options.runId);
    const config = parseRunConfig(JSON.parse(run.configJson), `run ${run.id} configuration`);
    const { model } = await loadRunModel(config);
    const adapter = await loadAdapterArchive(model, bytes, source);
    const mergedModel = mergeAdapter(model, adapter);
    try {
      await saveModelWeights(mergedModel, outDir, modelDirectory(config.model));
    } finally {
      mergedModel.dispose();
      adapter.dispose();
      model.dispose();
    }
  } else {
    await exportAdapterArchive(bytes, outDir, source);
  }
  await writeFile(join(outDir, 'README.md'), adapterModelCard(card));
  const weightsSha256 = createHash('sha256')
    .update(await readFile(join(outDir, weightsFileName(merged))))
    .digest('hex');
  const files = (await readdir(outDir)).sort();
  const guarantee =
    card.privacy === null
      ? 'no privacy guarantee'
      : `ε = ${card.privacy.epsilon}, δ = ${card.privacy.delta} per ${card.privacy.unit} (${card.privacy.accountant})`;
  const entry = store.auditLog.append('export', `run:${options.runId}`, {
    kind: merged ? 'merged-model' : 'peft-adapter',
    out: outDir,
    sha256: weightsSha256,
    guarantee,
  });
  return { runId: options.runId, outDir, merged, files, weightsSha256, guarantee, auditLogSeq: entry.seq };
}
