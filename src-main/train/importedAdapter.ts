/**
 * An adapter trained elsewhere, brought into the store so the audit suite can attack it
 * (`confidant adapter import`; a hospital auditing a vendor's adapter). The folder is read
 * with the same checks as any PEFT adapter (every key and shape, naming file and field),
 * scored on the dataset's evaluation split with and without it, and recorded as a completed
 * run of that dataset with mode "none": nothing is known of how it was trained, so no
 * privacy guarantee is assumed. Its training records are unknown too: the audit's members
 * are the dataset's training split, i.e. the audit asks "does this adapter remember OUR
 * patients?".
 */
import { basename, resolve } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { loadAdapter } from '../lora/index.js';
import { parameterCount } from '../model/index.js';
import { ConfidantError } from '../shared/confidantError.js';
import type { Store } from '../store/index.js';
import { evaluate } from './evaluate.js';
import { parseRunConfig } from './runConfig.js';
import { loadRunModel, runTrainingDataOptions } from './runSetup.js';
import { storeRunAdapter } from './storedAdapter.js';
import { hashModelFolder } from './trainer.js';
import { loadTrainingData, resolveDataset } from './trainingData.js';
import { TrainingSummarySchema } from './trainingSummary.js';

export interface ImportAdapterOptions {
  /** The base model folder the adapter was trained on, or "bundled". */
  readonly model: string;
  readonly adapterDir: string;
  /** Dataset id or name; default: the store's only complete dataset. */
  readonly dataset?: string;
  readonly name?: string;
}

export interface ImportedAdapter {
  readonly runId: number;
  readonly runName: string;
  readonly datasetId: number;
  readonly datasetName: string;
  readonly baseEvalLoss: number;
  readonly finalEvalLoss: number;
  readonly adapterSha256: string;
}

function defaultDataset(store: Store): string {
  const complete = store.datasets.list().filter((d) => d.status === 'complete');
  if (complete.length !== 1) {
    throw new ConfidantError(
      'adapter.dataset-required',
      complete.length === 0
        ? 'The store has no dataset to audit the adapter against.'
        : `The store has ${complete.length} datasets; say which one to audit the adapter against.`,
      {
        where: { field: '--dataset' },
        hint:
          complete.length === 0
            ? 'Import a dataset first (`confidant data import`).'
            : `Use --dataset with one of: ${complete.map((d) => `${d.id} (${d.name})`).join(', ')}.`,
      },
    );
  }
  return String(complete[0]!.id);
}

export async function importExternalAdapter(
  store: Store,
  options: ImportAdapterOptions,
): Promise<ImportedAdapter> {
  const dataset = resolveDataset(store, options.dataset ?? defaultDataset(store));
  const adapterDir = resolve(options.adapterDir);
  const runName = options.name ?? `imported-${basename(adapterDir)}`;
  const config = parseRunConfig(
    {
      model: options.model === 'bundled' ? 'bundled' : resolve(options.model),
      dataset: { id: String(dataset.id) },
      privacy: { mode: 'none' },
      expectedBatchSize: 8,
      steps: 1,
    },
    'imported adapter',
  );
  const { backend, modelDir, model, tokenizer } = await loadRunModel(config);
  const adapter = await loadAdapter(model, adapterDir);
  try {
    const options = adapter.options;
    if (!Number.isInteger(options.r) || options.r > 256) {
      throw new ConfidantError(
        'adapter.rank-unsupported',
        `The adapter has rank ${options.r}; at most 256 is supported.`,
        {
          where: { file: resolve(adapterDir, 'adapter_config.json'), field: 'r' },
        },
      );
    }
    const targetModules =
      typeof options.targetModules === 'string'
        ? adapter.modules.map((m) => m.module.name)
        : [...options.targetModules];
    const runConfig = parseRunConfig(
      { ...config, lora: { rank: options.r, alpha: options.alpha, dropout: 0, targetModules } },
      'imported adapter',
    );
    const data = loadTrainingData(store, dataset, model, tokenizer, runTrainingDataOptions(runConfig, model));
    if (data.evaluation.length === 0) {
      throw new ConfidantError(
        'adapter.no-eval-split',
        `Dataset "${dataset.name}" has no ${runConfig.dataset.evalSplit} records to score the adapter on.`,
        { where: { field: '--dataset' }, hint: 'Choose a dataset with a validation split.' },
      );
    }
    const batchSize = runConfig.microBatchSize;
    const base = await evaluate(model, data.evaluation, undefined, batchSize);
    const tuned = await evaluate(model, data.evaluation, adapter.adapterMap(), batchSize);
    const run = store.runs.create({
      projectId: dataset.projectId,
      datasetId: dataset.id,
      name: runName,
      config: runConfig,
    });
    const archive = await storeRunAdapter(
      store,
      { runId: run.id, name: `${runName}-imported`, baseModel: runConfig.model },
      adapter,
      model,
    );
    const summary = TrainingSummarySchema.parse({
      version: 1,
      runId: run.id,
      runName,
      status: 'completed',
      model: {
        path: runConfig.model,
        modelType: model.config.modelType,
        parameters: parameterCount(model.config),
        sha256: hashModelFolder(modelDir),
      },
      adapter: {
        rank: options.r,
        alpha: options.alpha,
        targetModules,
        trainableParameters: adapter.trainableVariables.reduce((n, v) => n + v.size, 0),
        sha256: archive.weightsSha256,
      },
      dataset: {
        id: dataset.id,
        name: dataset.name,
        sha256: '',
        trainRecords: data.train.length,
        evalRecords: data.evaluation.length,
        trainUnits: data.unitKeys.length,
      },
      privacy: {
        mode: 'none',
        privacyUnit: runConfig.privacyUnit,
        epsilon: null,
        rdpEpsilon: null,
        prvEpsilon: null,
        delta: null,
        noiseMultiplier: null,
        clipNorm: null,
        clipping: runConfig.clipping,
        samplingRate: 0,
        expectedBatchSize: 0,
        steps: 0,
        accountant: runConfig.accountant,
        budget: null,
      },
      curves: { train: [], eval: [{ step: 0, loss: tuned.loss, perplexity: tuned.perplexity }] },
      baseEvalLoss: base.loss,
      finalEvalLoss: tuned.loss,
      finalPerplexity: tuned.perplexity,
      sanity: [],
      environment: {
        appVersion: pkg.version,
        backend: backend.name,
        os: `${process.platform} ${process.arch}`,
        node: process.version,
      },
      seed: runConfig.seed,
      config: { ...runConfig, importedFrom: adapterDir } as unknown as Record<string, unknown>,
      seconds: 0,
      tokensPerSecond: 0,
    });
    store.runs.setSummary(run.id, summary);
    store.runs.setStatus(run.id, 'completed');
    store.auditLog.append('import', `run:${run.id}`, {
      kind: 'adapter',
      from: adapterDir,
      dataset: dataset.id,
      sha256: archive.weightsSha256,
    });
    return {
      runId: run.id,
      runName,
      datasetId: dataset.id,
      datasetName: dataset.name,
      baseEvalLoss: base.loss,
      finalEvalLoss: tuned.loss,
      adapterSha256: archive.weightsSha256,
    };
  } finally {
    adapter.dispose();
    model.dispose();
  }
}
