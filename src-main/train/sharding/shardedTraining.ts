/**
 * Sharded training (SISA: Bourtoule et al. 2021, "Machine Unlearning", IEEE S&P 2021,
 * arXiv:1912.03817): a run with `shards: k` trains k adapters, each on a disjoint shard of
 * the privacy units (sharding/shardAssignment.ts), each its own run with its own ledger and
 * checkpoints, and releases their weighted average (lora/averageAdapters.ts; weights ∝ the
 * shards' training units) as the run's adapter. Forgetting a patient then retrains only the
 * shard that held them (`confidant unlearn --method shard`).
 *
 * Where SISA aggregates the shards' predictions, Confidant averages their weight updates, so
 * the result is one ordinary PEFT adapter (of rank k·r) that loads anywhere; averaged
 * independently trained updates are weaker than one adapter trained on everything, which the
 * run's eval loss shows and the README states.
 *
 * Privacy: the shards see disjoint units, so each unit pays only for its own shard (parallel
 * composition; datasetPrivacy.ts) and the run's ε is the largest shard ε. δ is fixed from
 * the whole training split (1/(10·N)), not from each shard's smaller N. Averaging is
 * post-processing.
 *
 * The audit design (canaries, one-run examples, holdout) is drawn once from the run's seed;
 * every shard draws the same one and inserts only the texts of its own shard, so the
 * combined run is audited exactly like an unsharded one.
 */
import { createHash } from 'node:crypto';
import pkg from '../../../package.json' with { type: 'json' };
import { averageAdapters, loadAdapterArchive } from '../../lora/index.js';
import type { CausalLm, TextTokenizer } from '../../model/index.js';
import { ConfidantError } from '../../shared/confidantError.js';
import type { RunRow, Store } from '../../store/index.js';
import { designRunAudit, designTrainingTexts } from '../auditDesignForRun.js';
import { evaluate } from '../evaluate.js';
import { resolveDelta, type RunConfig } from '../runConfig.js';
import { loadRunModel, runTrainingDataOptions } from '../runSetup.js';
import { EVAL_LOSS_TOLERANCE_NATS } from '../sanityChecks.js';
import { train, type TrainOptions, type TrainResult } from '../trainer.js';
import { loadTrainingData, resolveDataset, type TrainingData } from '../trainingData.js';
import { storeRunAdapter } from '../storedAdapter.js';
import { TRAINING_MANIFEST_KIND, trainingManifestOf } from '../trainingManifest.js';
import { TrainingSummarySchema, type SanityCheck, type TrainingSummary } from '../trainingSummary.js';
import { shardOfUnit } from './shardAssignment.js';

/** A shard of a sharded run and the run that trained it. */
export interface ShardRun {
  readonly index: number;
  readonly runId: number;
}

/** A shard needs at least this many training units. */
export const MIN_UNITS_PER_SHARD = 2;

/** Training units per shard, in shard order. */
export function shardUnitCounts(data: TrainingData, config: RunConfig): number[] {
  const counts = new Array<number>(config.shards).fill(0);
  data.unitKeys.forEach((key, unit) => {
    if (data.unitExamples[unit]!.length > 0) counts[shardOfUnit(key, config.shards, config.seed)]! += 1;
  });
  return counts;
}

/** The configuration of shard `index`: the run's, with the shard and a whole-split δ fixed. */
export function shardConfig(config: RunConfig, index: number, trainUnits: number): RunConfig {
  const privacy =
    config.privacy.mode === 'none'
      ? config.privacy
      : { ...config.privacy, delta: config.privacy.delta ?? resolveDelta(undefined, trainUnits).delta };
  return { ...config, privacy, shardIndex: index };
}

/** Builds the data of a sharded run (all shards): what it is audited and evaluated on. */
export function shardedRunData(
  store: Store,
  config: RunConfig,
  model: CausalLm,
  tokenizer: TextTokenizer,
): TrainingData {
  const dataset = resolveDataset(store, config.dataset.id);
  const inserted = designTrainingTexts(designRunAudit(config));
  return loadTrainingData(store, dataset, model, tokenizer, runTrainingDataOptions(config, model, inserted));
}

/**
 * Creates the run that stands for the whole sharded model: its audit design and training
 * manifest cover every shard.
 */
export function createShardedRun(
  store: Store,
  config: RunConfig,
  runName: string,
  data: TrainingData,
): RunRow {
  const run = store.runs.create({
    projectId: data.dataset.projectId,
    datasetId: data.dataset.id,
    name: runName,
    config,
  });
  store.audits.create({
    runId: run.id,
    kind: 'audit-design',
    result: { ...designRunAudit(config), holdoutRecordIds: data.auditHoldout.map((h) => h.recordId) },
  });
  store.audits.create({ runId: run.id, kind: TRAINING_MANIFEST_KIND, result: trainingManifestOf(data) });
  return store.runs.setStatus(run.id, 'running');
}

function assertShardable(config: RunConfig, counts: readonly number[]): void {
  const smallest = Math.min(...counts);
  const needed = Math.max(MIN_UNITS_PER_SHARD, Math.ceil(config.expectedBatchSize ?? 0));
  if (smallest < needed) {
    throw new ConfidantError(
      'train.shard-too-small',
      `With ${config.shards} shards the smallest shard has ${smallest} training unit(s) (shards: ${counts.join(', ')}); each needs at least ${needed}.`,
      {
        where: { field: 'shards' },
        hint: 'Use fewer shards, or a smaller expectedBatchSize (or a samplingRate).',
      },
    );
  }
}

/** `train()` for a config with `shards` > 1 (called by train() itself). */
export async function trainSharded(options: TrainOptions): Promise<TrainResult> {
  const { store, config } = options;
  if (options.extraTrainTexts || options.initialAdapter || options.randomSource) {
    throw new ConfidantError(
      'train.shards-unsupported',
      'Sharded training does not take extra texts, an initial adapter or a test random source.',
      { where: { field: 'shards' } },
    );
  }
  const { model, tokenizer } = await loadRunModel(config);
  const data = shardedRunData(store, config, model, tokenizer);
  const counts = shardUnitCounts(data, config);
  assertShardable(config, counts);
  const totalUnits = counts.reduce((a, b) => a + b, 0);
  const configs = counts.map((_, i) => shardConfig(config, i, totalUnits));

  let run: RunRow;
  const existing = new Map<number, RunRow>();
  if (options.resumeRunId !== undefined) {
    const found = store.runs.get(options.resumeRunId);
    if (!found || found.status === 'completed') {
      throw new ConfidantError(
        found ? 'train.run-finished' : 'train.run-not-found',
        found
          ? `Run ${found.id} has already completed.`
          : `There is no run ${options.resumeRunId} to resume.`,
        { hint: 'Start a new run instead of resuming.' },
      );
    }
    if (JSON.stringify(JSON.parse(found.configJson)) !== JSON.stringify(config)) {
      throw new ConfidantError(
        'train.config-changed',
        `The configuration differs from the one run ${found.id} started with; a resumed run must continue exactly.`,
        { hint: 'Resume with the original configuration file, or start a new run.' },
      );
    }
    run = store.runs.setStatus(found.id, 'running');
    // the shard runs this run started: same dataset, created after it, the shard's exact config
    for (const candidate of store.runs.listForDataset(found.datasetId)) {
      if (candidate.id <= found.id || candidate.status === 'cancelled') continue;
      const index = configs.findIndex(
        (c) => JSON.stringify(c) === JSON.stringify(JSON.parse(candidate.configJson)),
      );
      if (index >= 0 && !existing.has(index)) existing.set(index, candidate);
    }
  } else {
    run = createShardedRun(store, config, options.runName, data);
  }
  store.auditLog.append('train', `run:${run.id}`, {
    sharded: config.shards,
    unitsPerShard: counts.join(','),
    resumed: options.resumeRunId !== undefined,
  });

  const shards: ShardRun[] = [];
  try {
    for (const [index, shard] of configs.entries()) {
      const previous = existing.get(index);
      if (previous?.status === 'completed') {
        shards.push({ index, runId: previous.id });
        continue;
      }
      const result = await train({
        store,
        config: shard,
        runName: `${options.runName}-shard-${index + 1}-of-${config.shards}`,
        ...(previous ? { resumeRunId: previous.id } : {}),
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        ...(options.raiseBudgetTo !== undefined && shards.length === 0
          ? { raiseBudgetTo: options.raiseBudgetTo }
          : {}),
      });
      shards.push({ index, runId: result.runId });
      result.adapter.dispose();
      result.model.dispose();
    }
  } catch (error) {
    store.runs.setStatus(run.id, 'failed');
    throw error;
  }
  const combined = await combineShards({ store, run, config, shards, model, data });
  return { ...combined, model, tokenizer, data };
}

export interface CombineShardsInput {
  readonly store: Store;
  /** The sharded run that receives the averaged adapter and the summary. */
  readonly run: RunRow;
  readonly config: RunConfig;
  readonly shards: readonly ShardRun[];
  readonly model: CausalLm;
  readonly data: TrainingData;
}

/**
 * Averages the shards' stored adapters into the sharded run's adapter, evaluates it, and
 * completes the run with a summary that lists its shards. Also used by shard unlearning.
 */
export async function combineShards(
  input: CombineShardsInput,
): Promise<Pick<TrainResult, 'summary' | 'runId' | 'adapter' | 'finalParams'>> {
  const { store, run, config, model, data } = input;
  const started = Date.now();
  const shardSummaries = input.shards.map((shard) => {
    const row = store.runs.get(shard.runId);
    if (!row || row.status !== 'completed' || !row.summaryJson) {
      throw new ConfidantError(
        'train.shard-unfinished',
        `Shard ${shard.index + 1} (run ${shard.runId}) has not completed.`,
        { hint: `Resume run ${run.id} with \`confidant train --resume ${run.id}\`.` },
      );
    }
    return TrainingSummarySchema.parse(JSON.parse(row.summaryJson));
  });
  const adapters = await Promise.all(
    input.shards.map(async (shard) => {
      const stored = store.checkpoints.adapters(shard.runId).at(-1)!;
      return loadAdapterArchive(model, store.blobs.read(stored.blobId), `adapter of run ${shard.runId}`);
    }),
  );
  const adapter = averageAdapters(
    model,
    adapters,
    shardSummaries.map((s) => s.dataset.trainUnits),
  );
  for (const a of adapters) a.dispose();
  const batch = Math.max(1, config.microBatchSize);
  const evaluation = await evaluate(model, data.evaluation, adapter.adapterMap(), batch);
  const archive = await storeRunAdapter(
    store,
    { runId: run.id, name: `${run.name}-final`, baseModel: config.model },
    adapter,
    model,
  );
  const finalParams = adapter.trainableVariables.map((v) => v.dataSync() as Float32Array);

  const first = shardSummaries[0]!;
  const worst = shardSummaries.reduce((w, s) =>
    (s.privacy.epsilon ?? 0) > (w.privacy.epsilon ?? 0) ? s : w,
  );
  const baseEvalLoss = first.baseEvalLoss;
  const bNorm = adapter.modules.reduce((n, m) => n + (m.b.square().sum().dataSync()[0] ?? 0), 0);
  const sanity: SanityCheck[] = [
    {
      name: 'adapter-changed',
      passed: bNorm > 0 && Number.isFinite(bNorm),
      detail: `averaged update of ${shardSummaries.length} shards; ‖B‖ = ${Math.sqrt(bNorm).toExponential(2)}`,
    },
    {
      name: 'eval-loss-finite',
      passed: Number.isFinite(evaluation.loss),
      detail: `eval loss of the averaged adapter ${evaluation.loss.toFixed(4)} nats/token`,
    },
    {
      name: 'eval-loss-not-worse',
      passed: evaluation.loss <= baseEvalLoss + EVAL_LOSS_TOLERANCE_NATS,
      detail: `eval loss ${baseEvalLoss.toFixed(4)} (base model) → ${evaluation.loss.toFixed(4)} (tolerance +${EVAL_LOSS_TOLERANCE_NATS}); shards: ${shardSummaries.map((s) => s.finalEvalLoss.toFixed(3)).join(', ')}`,
    },
  ];
  if (config.privacy.mode !== 'none') {
    const noisy = shardSummaries.map(
      (s) => s.sanity.find((c) => c.name === 'noise-applied')?.passed === true,
    );
    sanity.push({
      name: 'noise-applied',
      passed: noisy.every(Boolean),
      detail: `noise check passed in ${noisy.filter(Boolean).length} of ${noisy.length} shards`,
    });
  }
  // DP shards withhold their timing (it reveals the secret batch sizes): so does the average
  const timed = config.privacy.mode === 'none';
  const seconds = shardSummaries.reduce((t, s) => t + (s.seconds ?? 0), 0) + (Date.now() - started) / 1000;
  const tokens = shardSummaries.reduce((t, s) => t + (s.tokensPerSecond ?? 0) * (s.seconds ?? 0), 0);
  const units = shardSummaries.reduce((n, s) => n + s.dataset.trainUnits, 0);
  const summary: TrainingSummary = TrainingSummarySchema.parse({
    ...first,
    runId: run.id,
    runName: run.name,
    status: 'completed',
    adapter: {
      rank: adapter.options.r,
      alpha: adapter.options.alpha,
      targetModules: first.adapter.targetModules,
      trainableParameters: first.adapter.trainableParameters * shardSummaries.length,
      sha256: archive.weightsSha256,
    },
    dataset: {
      ...first.dataset,
      trainRecords: shardSummaries.reduce((n, s) => n + s.dataset.trainRecords, 0),
      trainUnits: units,
    },
    // parallel composition: every unit is in one shard, so the run's guarantee is the worst shard's
    privacy: { ...worst.privacy, budget: shardSummaries.at(-1)!.privacy.budget },
    curves: {
      train: [],
      eval: [{ step: worst.privacy.steps, loss: evaluation.loss, perplexity: evaluation.perplexity }],
    },
    baseEvalLoss,
    finalEvalLoss: evaluation.loss,
    finalPerplexity: evaluation.perplexity,
    sanity,
    environment: { ...first.environment, appVersion: pkg.version },
    config,
    seconds: timed ? seconds : null,
    tokensPerSecond: timed ? (seconds > 0 ? tokens / seconds : 0) : null,
    shards: input.shards.map((shard, i) => ({
      index: shard.index,
      runId: shard.runId,
      trainUnits: shardSummaries[i]!.dataset.trainUnits,
      epsilon: shardSummaries[i]!.privacy.epsilon,
    })),
  });
  store.runs.setSummary(run.id, summary);
  store.runs.setStatus(run.id, 'completed');
  store.auditLog.append('train', `run:${run.id}`, {
    completed: true,
    shards: summary.shards!.map((s) => s.runId).join(','),
    epsilon: summary.privacy.epsilon,
    adapterSha256: createHash('sha256').update(archive.bytes).digest('hex'),
  });
  return { summary, runId: run.id, adapter, finalParams };
}
