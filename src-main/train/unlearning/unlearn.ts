/**
 * `confidant unlearn`: remove patients' or records' influence from a trained adapter and
 * prove it with attacks, producing an "unlearning certificate" (stored as an audit of kind
 * `unlearning` and recorded in the audit log).
 *
 * Methods:
 *   - retrain (exact): a new run with the same configuration and seed that excludes the
 *     records (`excludeRecordIds` in its config); the new adapter never saw them, checked by
 *     construction (its training data) and recorded in its config and ledger. A DP retrain
 *     is a new release and spends from the dataset budget like any run.
 *   - gradient-ascent (approximate; Jang et al. 2022): see gradientAscentUnlearning.ts.
 *   - shard (exact; SISA, Bourtoule et al. 2021): for a run trained with `shards: k`, only the
 *     shards that held the records are retrained without them; the other shards' adapters
 *     are reused and all are averaged again into a new sharded run. Every shard's stored
 *     training manifest is checked to hold none of the records.
 *
 * "Never saw the records" is checked twice: by construction (the new adapter's training
 * data) and by the ledger (the training manifest stored with every run that built it).
 */
import { createHash } from 'node:crypto';
import { loadAdapterArchive } from '../../lora/index.js';
import { scoringIds } from '../../model/index.js';
import { ConfidantError } from '../../shared/confidantError.js';
import type { Store } from '../../store/index.js';
import { parseRunConfig } from '../runConfig.js';
import { train } from '../trainer.js';
import { loadRunModel, runTrainingDataOptions } from '../runSetup.js';
import { loadTrainingData, resolveDataset, seededShuffle, type TrainingExample } from '../trainingData.js';
import { storedTrainingManifest } from '../trainingManifest.js';
import { TrainingSummarySchema } from '../trainingSummary.js';
import { shardOfUnit } from '../sharding/shardAssignment.js';
import {
  combineShards,
  createShardedRun,
  shardedRunData,
  type ShardRun,
} from '../sharding/shardedTraining.js';
import type { TrainingEventListener } from '../trainingEvents.js';
import { resolveForgetSet } from './forgetSet.js';
import {
  UTILITY_TOLERANCE,
  UnlearningCertificateSchema,
  type UnlearningCertificate,
  type UnlearningMethod,
} from './unlearningCertificate.js';
import { gradientAscentUnlearning } from './gradientAscentUnlearning.js';
import { storeGradientAscentRun } from './gradientAscentRun.js';
import {
  UNLEARNING_AUC_TARGET,
  baseLossesOf,
  measureAdapter,
  type AdapterEvidence,
} from './unlearningVerification.js';

export {
  UNLEARNING_METHODS,
  UTILITY_TOLERANCE,
  UnlearningCertificateSchema,
  type UnlearningCertificate,
  type UnlearningMethod,
} from './unlearningCertificate.js';

export interface UnlearnRequest {
  readonly store: Store;
  readonly runId: number;
  readonly subjects?: readonly string[];
  readonly records?: readonly number[];
  readonly method: UnlearningMethod;
  readonly maxSteps?: number;
  readonly onEvent?: TrainingEventListener;
  readonly onProgress?: (line: string) => void;
}

export async function unlearn(request: UnlearnRequest): Promise<UnlearningCertificate> {
  const { store } = request;
  const log = request.onProgress ?? (() => {});
  const run = store.runs.get(request.runId);
  if (!run) {
    throw new ConfidantError('unlearn.run-not-found', `There is no run ${request.runId}.`, {
      where: { field: '--run' },
    });
  }
  const stored = store.checkpoints.adapters(run.id).at(-1);
  if (run.status !== 'completed' || !stored) {
    throw new ConfidantError(
      'unlearn.run-unfinished',
      `Run ${run.id} has no finished adapter to unlearn from.`,
      {
        where: { field: '--run' },
        hint: 'Finish (or resume) the run first.',
      },
    );
  }
  const config = parseRunConfig(JSON.parse(run.configJson), `run ${run.id} configuration`);
  const shardList = run.summaryJson
    ? TrainingSummarySchema.parse(JSON.parse(run.summaryJson)).shards
    : undefined;
  if (request.method === 'shard' && (config.shards < 2 || !shardList)) {
    throw new ConfidantError(
      'unlearn.shard-unavailable',
      `Run ${run.id} was not trained as disjoint shards, so shard unlearning (SISA) cannot retrain just one shard.`,
      {
        where: { field: '--method' },
        hint: 'Use --method retrain (exact) or --method gradient-ascent (approximate); train with "shards": k in the run configuration to make shard unlearning possible.',
      },
    );
  }
  const forget = resolveForgetSet(store, run.datasetId, {
    ...(request.subjects ? { subjects: request.subjects } : {}),
    ...(request.records ? { records: request.records } : {}),
  });
  const { model, tokenizer } = await loadRunModel(config);
  const dataset = resolveDataset(store, String(run.datasetId));
  const data = loadTrainingData(store, dataset, model, tokenizer, runTrainingDataOptions(config, model));
  const forgetIds = new Set(forget.records.map((r) => r.id));
  const forgetExamples = data.train.filter((e) => forgetIds.has(e.recordId));
  if (forgetExamples.length === 0) {
    throw new ConfidantError(
      'unlearn.not-trained-on',
      `Run ${run.id} never trained on the ${forget.records.length} named record(s) (they are in the evaluation split or the audit holdout), so there is nothing to forget.`,
      { hint: 'Check the ids; `confidant privacy budget` and the run summary show what the run used.' },
    );
  }
  const batch = Math.max(1, config.microBatchSize);
  const encode = (text: string, recordId: number): TrainingExample => ({
    recordId,
    unit: -1,
    ids: scoringIds(model, tokenizer, text).slice(0, config.maxSequenceLength),
  });
  const nonMembers = data.auditHoldout
    .map((h) => encode(h.text, h.recordId))
    .filter((e) => e.ids.length >= 2);
  if (nonMembers.length < 2) {
    throw new ConfidantError(
      'unlearn.no-non-members',
      `Run ${run.id} set aside no audit holdout to compare against.`,
      {
        hint: 'Train with auditHoldoutFraction > 0 (the default is 0.1).',
      },
    );
  }
  const retain = seededShuffle(
    data.train.filter((e) => !forgetIds.has(e.recordId)),
    config.seed + 11,
  ).slice(0, 64);
  const evaluation = data.evaluation.slice(0, 64);
  const sets = { forget: forgetExamples, nonMembers, retain, evaluation };
  const bytes = store.blobs.read(stored.blobId);
  const original = await loadAdapterArchive(model, bytes, `adapter of run ${run.id}`);
  const baseLosses = await baseLossesOf(model, forgetExamples, nonMembers, batch);
  log(
    `measuring the trained adapter on ${forgetExamples.length} forget and ${nonMembers.length} non-member records…`,
  );
  const before = await measureAdapter(model, original.adapterMap(), sets, baseLosses, batch);

  let after: AdapterEvidence;
  let newRunId: number;
  let neverSaw = false;
  let ga: UnlearningCertificate['gradientAscent'] = null;
  let shardsCertificate: UnlearningCertificate['shards'] = null;
  /** By the ledger: every run that built the new adapter has a manifest without the records. */
  const manifestsExclude = (runIds: readonly number[]): boolean =>
    runIds.every((id) => {
      const manifest = storedTrainingManifest(store, id);
      return manifest !== null && manifest.recordIds.every((r) => !forgetIds.has(r));
    });
  if (request.method === 'shard') {
    const affected = new Set(
      forgetExamples.map((e) => shardOfUnit(data.unitKeys[e.unit]!, config.shards, config.seed)),
    );
    log(
      `retraining shard(s) ${[...affected].map((i) => i + 1).join(', ')} of ${config.shards} without the records…`,
    );
    const newShards: ShardRun[] = [];
    const retrained: NonNullable<UnlearningCertificate['shards']>['retrained'] = [];
    neverSaw = true;
    for (const shard of shardList!) {
      if (!affected.has(shard.index)) {
        newShards.push({ index: shard.index, runId: shard.runId });
        continue;
      }
      const shardRun = store.runs.get(shard.runId)!;
      const shardConfig = parseRunConfig(JSON.parse(shardRun.configJson), `run ${shardRun.id} configuration`);
      const result = await train({
        store,
        config: { ...shardConfig, excludeRecordIds: excludedWith(shardConfig.excludeRecordIds, forgetIds) },
        runName: `${shardRun.name}-unlearned`,
        ...(request.onEvent ? { onEvent: request.onEvent } : {}),
      });
      neverSaw &&= result.data.train.every((e) => !forgetIds.has(e.recordId));
      newShards.push({ index: shard.index, runId: result.runId });
      retrained.push({ index: shard.index, fromRunId: shard.runId, runId: result.runId });
      result.adapter.dispose();
      result.model.dispose();
    }
    const newConfig = { ...config, excludeRecordIds: excludedWith(config.excludeRecordIds, forgetIds) };
    const newData = shardedRunData(store, newConfig, model, tokenizer);
    const newRun = createShardedRun(store, newConfig, `${run.name}-unlearned`, newData);
    const combined = await combineShards({
      store,
      run: newRun,
      config: newConfig,
      shards: newShards,
      model,
      data: newData,
    });
    newRunId = newRun.id;
    neverSaw =
      neverSaw &&
      newData.train.every((e) => !forgetIds.has(e.recordId)) &&
      manifestsExclude([newRun.id, ...newShards.map((s) => s.runId)]);
    shardsCertificate = { total: config.shards, retrained };
    after = await measureAdapter(model, combined.adapter.adapterMap(), sets, baseLosses, batch);
    combined.adapter.dispose();
  } else if (request.method === 'retrain') {
    log('retraining without the records…');
    const retrainConfig = { ...config, excludeRecordIds: excludedWith(config.excludeRecordIds, forgetIds) };
    const result = await train({
      store,
      config: retrainConfig,
      runName: `${run.name}-unlearned`,
      ...(request.onEvent ? { onEvent: request.onEvent } : {}),
    });
    newRunId = result.runId;
    const shardRuns = result.summary.shards?.map((s) => s.runId) ?? [];
    neverSaw =
      result.data.train.every((e) => !forgetIds.has(e.recordId)) &&
      manifestsExclude([result.runId, ...shardRuns]);
    after = await measureAdapter(model, result.adapter.adapterMap(), sets, baseLosses, batch);
    result.adapter.dispose();
  } else {
    log('gradient ascent on the forget set…');
    const working = await loadAdapterArchive(model, bytes, `adapter of run ${run.id}`);
    const result = await gradientAscentUnlearning(
      model,
      working,
      original.adapterMap(),
      forgetExamples,
      retain,
      nonMembers,
      {
        learningRate: config.optimizer.learningRate,
        maxSteps: request.maxSteps ?? 50,
        retainWeight: 1,
        batchSize: batch,
        seed: config.seed,
        onStep: (e) =>
          log(
            `  step ${e.step}: forget loss ${e.forgetLoss.toFixed(3)} (non-member level ${e.targetForgetLoss.toFixed(3)})`,
          ),
      },
    );
    ga = {
      steps: result.steps,
      stoppedBecause: result.stoppedBecause,
      forgetLossBefore: result.forgetLossBefore,
      forgetLossAfter: result.forgetLossAfter,
    };
    after = await measureAdapter(model, working.adapterMap(), sets, baseLosses, batch);
    // a new run naming its parent: the parent's adapter stays what its run reports
    newRunId = await storeGradientAscentRun({
      store,
      parent: run,
      parentConfig: config,
      adapter: working,
      model,
      evalPerplexity: after.evalPerplexity,
    });
    working.dispose();
  }
  original.dispose();
  model.dispose();

  const checks = [
    {
      name: 'membership-at-chance',
      passed: after.membershipAuc <= UNLEARNING_AUC_TARGET,
      detail: `membership-inference AUC of the forgotten records vs held-out non-members: ${before.membershipAuc.toFixed(3)} → ${after.membershipAuc.toFixed(3)} (target ≤ ${UNLEARNING_AUC_TARGET})`,
    },
    {
      name: 'no-extraction',
      passed: after.extractionExactRate === 0 || after.extractionExactRate < before.extractionExactRate,
      detail: `exact extraction of the forgotten records: ${(before.extractionExactRate * 100).toFixed(0)}% → ${(after.extractionExactRate * 100).toFixed(0)}%`,
    },
    {
      name: 'utility-kept',
      passed: after.evalPerplexity <= before.evalPerplexity * (1 + UTILITY_TOLERANCE),
      detail: `eval perplexity ${before.evalPerplexity.toFixed(2)} → ${after.evalPerplexity.toFixed(2)} (tolerance +${UTILITY_TOLERANCE * 100}%); retain ${before.retainPerplexity.toFixed(2)} → ${after.retainPerplexity.toFixed(2)}`,
    },
  ];
  const verdict = checks.every((c) => c.passed) ? 'pass' : checks[0]!.passed ? 'warn' : 'fail';
  const isPrivate = config.privacy.mode !== 'none';
  const explanation = [
    isPrivate
      ? `The adapter was trained with differential privacy per ${config.privacyUnit}: whatever it reveals about any one ${config.privacyUnit}, including the ones forgotten here, was already bounded by the run's ε.`
      : 'The adapter was trained without differential privacy, so it may have memorised the forgotten records; the attacks above measure how much.',
    request.method === 'retrain'
      ? 'Retraining is exact: the new adapter was trained, with the same configuration and seed, on data that does not contain the records (its configuration lists them as excluded).'
      : request.method === 'shard'
        ? `Shard unlearning is exact (SISA): the run was trained as ${config.shards} adapters on disjoint groups of ${config.privacyUnit}s; only the ${shardsCertificate?.retrained.length ?? 0} shard(s) that held the records were retrained without them, and the shards were averaged again. The stored training manifest of every shard of the new adapter lists none of the records.`
        : `Gradient ascent is approximate: it pushed the forgotten records' likelihood down to the level of records never seen, but there is no proof their influence is entirely gone, only the attacks' evidence.${isPrivate ? ` It also read the forgotten and retained records without noise, so the resulting adapter (run ${newRunId}) is not covered by the parent run\u2019s DP guarantee, which still covers the parent\u2019s own, unchanged adapter; use retrain to keep a guarantee.` : ` The result is run ${newRunId}; the parent\u2019s adapter is unchanged.`}`,
  ].join(' ');
  const certificate = UnlearningCertificateSchema.parse({
    version: 1,
    runId: run.id,
    method: request.method,
    forgetSetSha256: createHash('sha256')
      .update([...forgetIds].sort((a, b) => a - b).join(','))
      .digest('hex'),
    forgottenRecords: forgetExamples.length,
    forgottenSubjects: forget.subjects.length,
    notTrainedOn: forget.records.length - forgetExamples.length,
    nonMembers: nonMembers.length,
    before,
    after,
    newRunId,
    shards: shardsCertificate,
    neverSawForgetRecords: request.method === 'gradient-ascent' ? false : neverSaw,
    gradientAscent: ga,
    checks,
    verdict,
    explanation,
  });
  store.audits.create({ runId: newRunId ?? run.id, kind: 'unlearning', result: certificate });
  store.auditLog.append('unlearn', `run:${run.id}`, {
    method: request.method,
    records: certificate.forgottenRecords,
    subjects: certificate.forgottenSubjects,
    forgetSetSha256: certificate.forgetSetSha256,
    newRun: newRunId,
    verdict,
  });
  return certificate;
}

/** The run's exclusions plus the forgotten records, sorted. */
function excludedWith(current: readonly number[] | undefined, forget: ReadonlySet<number>): number[] {
  return [...new Set([...(current ?? []), ...forget])].sort((a, b) => a - b);
}
