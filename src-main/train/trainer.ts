/**
 * `confidant train`: LoRA fine-tuning of a local causal LM on a dataset of the encrypted
 * store, non-private or with DP-SGD (Abadi et al. 2016) under Poisson sampling, accounted
 * by RDP and PRV (the larger ε is the one reported and charged).
 *
 * One step: draw the batch (Poisson sampling of privacy units from node:crypto for DP runs;
 * a seeded shuffle for non-private runs), pack its records into fixed micro-batches,
 * compute per-example LoRA gradients (per-example copies), sum them per unit, clip each
 * unit, add N(0, σ²C²), divide by the expected batch size, and take an AdamW step.
 * Gradient accumulation over the micro-batches is what makes the logical batch.
 *
 * Crash safety and ε: every DP step is charged to the run's ledger in the store BEFORE it
 * runs (write-ahead), so a `kill -9` can lose training progress but never accounting.
 * Checkpoints save the adapter, the optimizer and the exact ledger of the steps the saved
 * adapter has seen; `--resume` continues from the latest one. Steps charged after that
 * checkpoint stay charged (conservative: ε is never under-counted). Every release of
 * information that depends on training (an eval loss) happens after the checkpoint
 * covering it is committed.
 */
import { createHash, createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrivacyLedger } from '../dp/privacyLedger.js';
import { privacySpent } from '../dp/privacySpent.js';
import { calibrateSigmaToTarget, stepsWithinTarget } from '../dp/targetEpsilon.js';
import { PoissonSampler } from '../dp/poissonSampler.js';
import { cryptoRandomSource, type RandomSource } from '../dp/randomSource.js';
import { LoraAdapter, defaultTargetModules } from '../lora/index.js';
import type { CausalLm, TextTokenizer } from '../model/index.js';
import { parameterCount } from '../model/index.js';
import { ConfidantError } from '../shared/confidantError.js';
import type { Store, RunRow } from '../store/index.js';
import pkg from '../../package.json' with { type: 'json' };
import { AdamW } from './adamW.js';
import { evaluate } from './evaluate.js';
import { FusedTrainingStep } from './fusedTrainingStep.js';
import { learningRateAt } from './learningRateSchedule.js';
import { packMicroBatches } from './microBatches.js';
import { perExampleGradients, summedGradient } from './perExampleGradients.js';
import { privateGradient } from './privateGradient.js';
import { resolveDelta, type RunConfig } from './runConfig.js';
import { sanityChecks } from './sanityChecks.js';
import {
  budgetHolderId,
  chargedSegments,
  checkDatasetBudget,
  familyBudget,
  nonPrivateRuns,
  pastCharges,
  runShard,
  worstUnitSpent,
} from './datasetPrivacy.js';
import { loadRunModel, runTrainingDataOptions } from './runSetup.js';
export { modelDirectory } from './runSetup.js';
import { designRunAudit, designTrainingTexts } from './auditDesignForRun.js';
import { storeRunAdapter } from './storedAdapter.js';
import { TRAINING_MANIFEST_KIND, trainingManifestOf } from './trainingManifest.js';
import { loadLatestCheckpoint, saveCheckpoint, type TrainerState } from './trainingCheckpoint.js';
import {
  loadTrainingData,
  resolveDataset,
  seededShuffle,
  type TrainingData,
  type TrainingExample,
} from './trainingData.js';
import type { TrainingEventListener } from './trainingEvents.js';
import { TrainingSummarySchema, type TrainingSummary } from './trainingSummary.js';

export interface TrainOptions {
  readonly store: Store;
  readonly config: RunConfig;
  /** A name for the run (e.g. the config file's name). */
  readonly runName: string;
  /** Resume this run from its latest checkpoint. */
  readonly resumeRunId?: number;
  /** Raise the dataset's budget to this ε before checking (recorded in the audit log). */
  readonly raiseBudgetTo?: number;
  readonly onEvent?: TrainingEventListener;
  /** Only for statistical tests; production always uses node:crypto. */
  readonly randomSource?: RandomSource;
  /** Extra training texts, each its own unit (audit canaries). */
  readonly extraTrainTexts?: readonly { key: string; text: string }[];
  /** Start from these adapter values (A₀, B₀, A₁, …) instead of a fresh adapter (federated rounds). */
  readonly initialAdapter?: readonly Float32Array[];
}

export interface TrainResult {
  readonly summary: TrainingSummary;
  readonly runId: number;
  readonly adapter: LoraAdapter;
  readonly model: CausalLm;
  readonly tokenizer: TextTokenizer;
  readonly data: TrainingData;
  /** The trained adapter's values (A₀, B₀, A₁, …). */
  readonly finalParams: readonly Float32Array[];
}

/** SHA-256 over the model folder's weight and config files, in name order. */
export function hashModelFolder(dir: string): string {
  const hash = createHash('sha256');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.safetensors') || f === 'config.json')
    .sort();
  for (const f of files) hash.update(f).update(readFileSync(join(dir, f)));
  return hash.digest('hex');
}

/** The store secret that keys dataset fingerprints. */
export const DATASET_FINGERPRINT_KEY = 'dataset-fingerprint-key';

/**
 * The dataset's fingerprint: HMAC-SHA-256, under a random key held in the encrypted store,
 * over its records' content hashes in order. An unsalted hash would let anyone holding the
 * other records test a candidate record against the report (issue 18); with the key, only
 * this store can recompute it.
 */
export function datasetFingerprint(store: Store, datasetId: number): string {
  const hmac = createHmac('sha256', store.secrets.ensure(DATASET_FINGERPRINT_KEY));
  for (const r of store.records.iterate(datasetId)) hmac.update(r.contentSha256);
  return hmac.digest('hex');
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  const { store, config } = options;
  if (config.shards > 1 && config.shardIndex === undefined) {
    // k disjoint shards, each trained by this function, then averaged (SISA)
    const { trainSharded } = await import('./sharding/shardedTraining.js');
    return trainSharded(options);
  }
  const emit: TrainingEventListener = options.onEvent ?? (() => {});
  const random = options.randomSource ?? cryptoRandomSource;
  const { backend, modelDir, model, tokenizer } = await loadRunModel(config);
  const dataset = resolveDataset(store, config.dataset.id);
  const auditDesign = designRunAudit(config);
  const insertedTexts = [...designTrainingTexts(auditDesign), ...(options.extraTrainTexts ?? [])];
  const data = loadTrainingData(
    store,
    dataset,
    model,
    tokenizer,
    runTrainingDataOptions(config, model, insertedTexts),
  );
  const units = data.unitExamples.length;
  const samplingRate = config.samplingRate ?? (config.expectedBatchSize ?? 0) / units;
  if (!(samplingRate > 0 && samplingRate <= 1)) {
    throw new ConfidantError(
      'train.batch-too-large',
      `The expected batch size ${config.expectedBatchSize} is larger than the ${units} privacy units of the training split.`,
      { where: { field: 'expectedBatchSize' }, hint: `Use at most ${units}.` },
    );
  }
  const expectedBatchSize = samplingRate * units;
  const totalSteps = config.steps ?? Math.max(1, Math.ceil((config.epochs ?? 1) / samplingRate));
  const isPrivate = config.privacy.mode !== 'none';
  const unitsPerBatch = Math.max(1, Math.round(expectedBatchSize));
  // an epoch: 1/q Poisson steps (DP), or one pass over the units in slices (non-private)
  const stepsPerEpoch = isPrivate
    ? Math.max(1, Math.round(1 / samplingRate))
    : Math.ceil(units / unitsPerBatch);
  const warnings: string[] = [];
  if (data.truncated > 0) {
    warnings.push(
      `${data.truncated} record(s) were longer than ${config.maxSequenceLength} tokens and were truncated.`,
    );
  }

  // privacy parameters: δ, then σ (calibrated so that max(RDP, PRV) ≤ target ε)
  let delta: number | null = null;
  let sigma: number | null = null;
  if (config.privacy.mode !== 'none') {
    const resolved = resolveDelta(config.privacy.delta, units);
    delta = resolved.delta;
    warnings.push(...resolved.warnings);
    if (config.privacy.mode === 'noise-multiplier') {
      sigma = config.privacy.noiseMultiplier;
    } else {
      // one ε for calibration, display and charge: max(RDP, PRV)
      sigma = calibrateSigmaToTarget(config.privacy.epsilon, delta, {
        samplingRate,
        clipNorm: config.clipNorm,
        unitCount: units,
        steps: totalSteps,
      });
    }
  }

  // the run: new, or resumed from its latest checkpoint
  let run: RunRow;
  if (options.resumeRunId !== undefined) {
    const found = store.runs.get(options.resumeRunId);
    if (!found) {
      throw new ConfidantError('train.run-not-found', `There is no run ${options.resumeRunId} to resume.`, {
        hint: 'List runs with `confidant train --list`.',
      });
    }
    if (found.status === 'completed') {
      throw new ConfidantError('train.run-finished', `Run ${found.id} has already completed.`, {
        hint: 'Start a new run instead of resuming.',
      });
    }
    if (JSON.stringify(JSON.parse(found.configJson)) !== JSON.stringify(config)) {
      throw new ConfidantError(
        'train.config-changed',
        `The configuration differs from the one run ${found.id} started with; a resumed run must continue exactly.`,
        { hint: 'Resume with the original configuration file, or start a new run.' },
      );
    }
    run = found;
  } else {
    run = store.runs.create({
      projectId: dataset.projectId,
      datasetId: dataset.id,
      name: options.runName,
      config,
    });
    store.audits.create({
      runId: run.id,
      kind: 'audit-design',
      result: { ...auditDesign, holdoutRecordIds: data.auditHoldout.map((h) => h.recordId) },
    });
    store.audits.create({ runId: run.id, kind: TRAINING_MANIFEST_KIND, result: trainingManifestOf(data) });
  }

  // budget: refuse before any step if the dataset (its family: copies share it) cannot afford the run
  const holder = budgetHolderId(store, dataset.id);
  const budgetRow = store.privacy.budget(holder);
  if (budgetRow) {
    let budget = { epsilon: budgetRow.epsilon, delta: budgetRow.delta };
    if (options.raiseBudgetTo !== undefined && options.raiseBudgetTo > budget.epsilon) {
      store.privacy.setBudget(holder, options.raiseBudgetTo, budget.delta);
      store.auditLog.append('budget', `dataset:${holder}`, {
        from: budget.epsilon,
        to: options.raiseBudgetTo,
        delta: budget.delta,
        reason: `raised explicitly for run ${run.id}`,
      });
      budget = { epsilon: options.raiseBudgetTo, delta: budget.delta };
    }
    const refuse = (message: string, details: Record<string, number | string>, hint: string) => {
      store.auditLog.append('train', `run:${run.id}`, { refused: true, dataset: dataset.id, ...details });
      if (options.resumeRunId === undefined) store.runs.setStatus(run.id, 'cancelled');
      throw new ConfidantError('privacy.budget-exceeded', message, { where: { field: 'privacy' }, hint });
    };
    // advice that works: raising cannot help when a non-private run made the ε unbounded
    const removeBudget = `confidant privacy budget --dataset ${holder} --remove`;
    const earlier = nonPrivateRuns(store, dataset.id, run.id);
    if (!isPrivate || earlier.length > 0) {
      refuse(
        `Dataset "${dataset.name}" has a privacy budget (ε = ${budget.epsilon}), and a non-private run ` +
          (earlier.length > 0
            ? `(run ${earlier.map((r) => r.id).join(', ')}) already used its data, so its ε is unbounded: no budget can be honoured on it any more.`
            : 'would spend an unbounded ε.'),
        { reason: 'non-private' },
        earlier.length > 0
          ? `Raising the budget cannot help. To train anyway, remove the budget (\`${removeBudget}\`, recorded in the audit log); the dataset then carries no DP guarantee.`
          : `Train with differential privacy ("privacy": {"mode": "target-epsilon", "epsilon": …}), or remove the budget (\`${removeBudget}\`, recorded in the audit log).`,
      );
    }
    const own = chargedSegments(store, run.id);
    const remaining = totalSteps - (store.checkpoints.latest(run.id)?.step ?? 0);
    const shard = runShard(run);
    const budgetCheck = checkDatasetBudget(budget, pastCharges(store, dataset.id, run.id), {
      segments: [
        ...own,
        {
          samplingRate,
          noiseMultiplier: sigma!,
          clipNorm: config.clipNorm,
          unitCount: units,
          steps: remaining,
        },
      ],
      ...(shard ? { shard } : {}),
    });
    if (!budgetCheck.allowed) {
      refuse(
        `This run would bring the privacy spent on dataset "${dataset.name}" to ε = ${budgetCheck.afterRun.epsilon.toFixed(2)}, ` +
          `over its budget of ε = ${budget.epsilon} (δ = ${budget.delta}); earlier runs already spent ε = ${budgetCheck.spent.epsilon.toFixed(2)}.`,
        { planned: budgetCheck.afterRun.epsilon, budget: budget.epsilon },
        'Train for fewer steps or with more noise (a smaller target ε), or raise the budget explicitly with ' +
          `--raise-budget ${Math.ceil(budgetCheck.afterRun.epsilon * 100) / 100} (the change is recorded in the audit log).`,
      );
    }
  }

  // adapter, optimizer, state
  const targetModules = config.lora.targetModules ?? defaultTargetModules(model);
  const adapter = LoraAdapter.create(
    model,
    { r: config.lora.rank, alpha: config.lora.alpha, dropout: config.lora.dropout, targetModules },
    config.seed,
  );
  const variables = adapter.trainableVariables;
  const shapes = variables.map((v) => [...v.shape]);
  const sizes = variables.map((v) => v.size);
  let initialParams = await Promise.all(variables.map(async (v) => (await v.data()) as Float32Array));
  if (options.initialAdapter) {
    const given = options.initialAdapter;
    if (given.length !== sizes.length || given.some((g, k) => g.length !== sizes[k])) {
      throw new ConfidantError(
        'train.initial-adapter-mismatch',
        'The starting adapter does not match this model and LoRA configuration.',
        {
          hint: 'Every site of a federation must use the same base model, rank and target modules.',
        },
      );
    }
    initialParams = given.map((g) => Float32Array.from(g));
  }
  let params: Float32Array[] = initialParams.map((p) => p.slice());
  const optimizerSettings = {
    beta1: config.optimizer.beta1,
    beta2: config.optimizer.beta2,
    weightDecay: config.optimizer.weightDecay,
  };
  let optimizer = new AdamW(optimizerSettings, sizes);
  const evalBatch = Math.max(1, config.microBatchSize);
  let state: TrainerState;
  let modelLedger: PrivacyLedger | null = isPrivate
    ? new PrivacyLedger(`run-${run.id}`, config.privacyUnit, delta!)
    : null;
  const resumed = options.resumeRunId !== undefined ? loadLatestCheckpoint(store, run.id, shapes) : undefined;
  if (resumed) {
    params = resumed.params;
    optimizer = new AdamW(optimizerSettings, sizes, resumed.adam);
    state = resumed.state;
    modelLedger = resumed.ledger;
    if (state.noiseMultiplier !== sigma || state.samplingRate !== samplingRate) {
      throw new ConfidantError(
        'train.config-changed',
        'The checkpoint was trained with other privacy parameters.',
        {
          hint: 'Resume with the original configuration.',
        },
      );
    }
  } else {
    const base = await evaluate(model, data.evaluation, undefined, evalBatch);
    state = {
      version: 1,
      step: 0,
      totalSteps,
      noiseMultiplier: sigma,
      samplingRate,
      delta,
      baseEvalLoss: base.loss,
      trainCurve: [],
      evalCurve: [],
      bestEvalLoss: null,
      evalsWithoutImprovement: 0,
      noiseRatioSum: 0,
      noiseRatioCount: 0,
      tokens: 0,
      seconds: 0,
      earlyStopped: false,
      ledger: null,
    };
  }
  // a target ε is a ceiling: steps charged before a cancel and run again after resume count
  // twice, so the resumed run stops where the charged ledger reaches the target
  let stepLimit = totalSteps;
  const notes: string[] = [];
  if (resumed && config.privacy.mode === 'target-epsilon') {
    const charged = chargedSegments(store, run.id);
    const chargedSteps = charged.reduce((n, seg) => n + seg.steps, 0);
    if (chargedSteps > state.step) {
      const step = { samplingRate, noiseMultiplier: sigma!, clipNorm: config.clipNorm, unitCount: units };
      const target = config.privacy.epsilon;
      stepLimit = state.step + stepsWithinTarget(charged, step, totalSteps - state.step, delta!, target);
      if (stepLimit < totalSteps) {
        const note =
          `Resumed at step ${state.step} after ${chargedSteps} steps had been charged (the ${chargedSteps - state.step} ` +
          `step(s) after the last checkpoint were run, charged, and are run again): to keep ε at or below the ` +
          `target ${target}, the run stops after ${stepLimit} of its ${totalSteps} planned steps.`;
        notes.push(note);
        warnings.push(note);
        store.auditLog.append('train', `run:${run.id}`, { event: 'target-ceiling', stepLimit, totalSteps });
      }
    }
  }
  const assignParams = () => adapter.setValues(params);
  assignParams();
  // the fused WebGPU executor keeps the adapter and AdamW state on the GPU between steps
  const fused = await FusedTrainingStep.open({
    model,
    adapter,
    backend: backend.name,
    microBatchSize: config.microBatchSize,
    examples: [...data.train, ...data.evaluation],
    params,
    optimizer: { settings: optimizerSettings, state: optimizer.state },
  });
  const syncFused = async (): Promise<void> => {
    if (!fused) return;
    await fused.syncInto(params, optimizer.state);
    assignParams();
  };
  store.runs.setStatus(run.id, 'running');
  store.auditLog.append('train', `run:${run.id}`, {
    event: resumed ? 'resumed' : 'started',
    dataset: dataset.id,
    privacy: config.privacy.mode,
    step: state.step,
  });
  emit({
    type: 'train.started',
    runId: run.id,
    startStep: state.step,
    totalSteps,
    trainUnits: units,
    expectedBatchSize,
    noiseMultiplier: sigma,
    delta,
    backend: backend.name,
    warnings,
  });

  const checkpoint = (): number => {
    state.ledger = modelLedger ? modelLedger.toJSON() : null;
    const id = saveCheckpoint(store, run.id, { params, shapes, adam: optimizer.state, state });
    emit({
      type: 'train.checkpoint',
      step: state.step,
      checkpointId: id,
      epsilon: modelLedger ? privacySpent(modelLedger.history(), delta!).epsilon : null,
    });
    return id;
  };
  const evaluateNow = async (): Promise<void> => {
    await syncFused();
    const result = fused
      ? await fused.evaluate(data.evaluation)
      : await evaluate(model, data.evaluation, adapter.adapterMap(), evalBatch);
    state.evalCurve.push({ step: state.step, loss: result.loss, perplexity: result.perplexity });
    if (state.bestEvalLoss === null || result.loss < state.bestEvalLoss - 1e-4) {
      state.bestEvalLoss = result.loss;
      state.evalsWithoutImprovement = 0;
    } else {
      state.evalsWithoutImprovement += 1;
    }
    checkpoint(); // commit before releasing the number
    emit({ type: 'train.eval', step: state.step, loss: result.loss, perplexity: result.perplexity });
  };

  const sampler = isPrivate ? new PoissonSampler(units, samplingRate, random) : null;
  const started = performance.now();
  const secondsBefore = state.seconds;
  let tokensThisSession = 0;
  let lastEpsilon: number | null = null;
  let lastEpsilonAt = -Infinity;

  while (state.step < stepLimit && !state.earlyStopped) {
    const step = state.step;
    const batchUnits = sampler
      ? Array.from(sampler.sample())
      : nonPrivateBatch(units, unitsPerBatch, step, stepsPerEpoch, config.seed);
    if (isPrivate) {
      store.privacy.chargeSteps(run.id, {
        firstStep: step,
        steps: 1,
        sampleRate: samplingRate,
        noiseMultiplier: sigma!,
        clipNorm: config.clipNorm,
        unitCount: units,
        privacyUnit: config.privacyUnit,
      });
      modelLedger!.record({
        samplingRate,
        noiseMultiplier: sigma!,
        clipNorm: config.clipNorm,
        unitCount: units,
      });
    }
    const examples: TrainingExample[] = batchUnits.flatMap((u) =>
      data.unitExamples[u]!.map((i) => data.train[i]!),
    );
    let lossSum = 0;
    let tokens = 0;
    let gradient: Float32Array[] | undefined;
    const lr = learningRateAt(
      step,
      totalSteps,
      config.optimizer.learningRate,
      config.optimizer.warmupSteps,
      config.optimizer.schedule,
    );
    if (fused && isPrivate) {
      const res = await fused.private(
        examples,
        {
          noiseMultiplier: sigma!,
          clipNorm: config.clipNorm,
          clipping: config.clipping,
          expectedBatchSize,
        },
        lr,
        optimizer.state,
        random,
      );
      tokens += res.tokens;
      state.noiseRatioSum += res.noiseRatio;
      state.noiseRatioCount += 1;
    } else if (fused) {
      const res = await fused.plain(examples, lr, optimizer.state);
      lossSum += res.lossSum;
      tokens += res.tokens;
    } else if (isPrivate) {
      const unitGrads = new Map<number, Float32Array[]>();
      for (const batch of packMicroBatches(examples, config.microBatchSize)) {
        const res = await perExampleGradients(model, adapter, batch, { training: config.lora.dropout > 0 });
        batch.examples.forEach((e, r) => {
          const acc = unitGrads.get(e.unit);
          if (!acc) unitGrads.set(e.unit, res.perRow[r]!);
          else res.perRow[r]!.forEach((g, k) => addInto(acc[k]!, g));
          tokens += res.tokens[r]!;
        });
      }
      const pg = privateGradient(
        [...unitGrads.values()],
        sizes,
        {
          noiseMultiplier: sigma!,
          clipNorm: config.clipNorm,
          clipping: config.clipping,
          expectedBatchSize,
        },
        random,
      );
      gradient = pg.gradient;
      state.noiseRatioSum += pg.noiseRatio;
      state.noiseRatioCount += 1;
    } else {
      const sum = sizes.map((n) => new Float32Array(n));
      gradient = sum;
      for (const batch of packMicroBatches(examples, config.microBatchSize)) {
        const res = await summedGradient(model, adapter, batch, { training: config.lora.dropout > 0 });
        res.sum.forEach((g, k) => addInto(sum[k]!, g));
        res.losses.forEach((l) => (lossSum += l));
        res.tokens.forEach((t) => (tokens += t));
      }
      const n = Math.max(1, examples.length);
      for (const g of gradient) for (let i = 0; i < g.length; i += 1) g[i]! /= n;
    }
    if (gradient) {
      optimizer.step(params, gradient, lr);
      assignParams();
    }
    state.step += 1;
    state.tokens += tokens;
    tokensThisSession += tokens;
    const trainLoss = isPrivate || examples.length === 0 ? null : lossSum / examples.length;
    if (trainLoss !== null) state.trainCurve.push({ step: state.step, loss: trainLoss });
    const elapsed = (performance.now() - started) / 1000;
    state.seconds = secondsBefore + elapsed;
    if (isPrivate && (performance.now() - lastEpsilonAt > 1000 || state.step === stepLimit)) {
      lastEpsilon = privacySpent(modelLedger!.history(), delta!).epsilon; // max(RDP, PRV), as charged
      lastEpsilonAt = performance.now();
    }
    const perStep = elapsed / Math.max(1, state.step - (resumed?.state.step ?? 0));
    // DP: time and tokens per step reveal each secret batch's size; release neither
    emit({
      type: 'train.step',
      step: state.step,
      totalSteps,
      loss: trainLoss,
      learningRate: lr,
      epsilon: isPrivate ? lastEpsilon : null,
      tokensPerSecond: isPrivate ? null : elapsed > 0 ? tokensThisSession / elapsed : 0,
      etaSeconds: isPrivate ? null : perStep * (totalSteps - state.step),
    });
    const epochEnd = config.evalEveryEpoch && state.step % stepsPerEpoch === 0;
    const kEnd = config.evalEverySteps !== undefined && state.step % config.evalEverySteps === 0;
    if ((epochEnd || kEnd) && state.step < stepLimit) {
      await evaluateNow();
      if (
        config.earlyStoppingPatience !== undefined &&
        state.evalsWithoutImprovement >= config.earlyStoppingPatience
      ) {
        state.earlyStopped = true;
      }
    } else if (state.step % config.checkpointEverySteps === 0 && state.step < stepLimit) {
      await syncFused();
      checkpoint();
    }
  }

  // the end: final evaluation (committed first), sanity checks, the adapter and the summary
  await evaluateNow();
  const finalEval = state.evalCurve.at(-1)!;
  const checks = sanityChecks({
    initialParams,
    finalParams: params,
    baseEvalLoss: state.baseEvalLoss,
    finalEvalLoss: finalEval.loss,
    meanNoiseRatio: isPrivate
      ? state.noiseRatioCount > 0
        ? state.noiseRatioSum / state.noiseRatioCount
        : 0
      : null,
  });
  fused?.dispose();
  const adapterBytes = await storeRunAdapter(
    store,
    { runId: run.id, name: `${options.runName}-final`, baseModel: config.model },
    adapter,
    model,
  );
  const charged = chargedSegments(store, run.id);
  const spent = isPrivate ? privacySpent(charged, delta!) : null;
  let budgetAfter: TrainingSummary['privacy']['budget'] = null;
  const budgetNow = familyBudget(store, dataset.id);
  if (budgetNow && isPrivate) {
    const shard = runShard(run);
    const total = worstUnitSpent(
      [...pastCharges(store, dataset.id, run.id), { segments: charged, ...(shard ? { shard } : {}) }],
      budgetNow.delta,
    );
    budgetAfter = {
      epsilon: budgetNow.epsilon,
      delta: budgetNow.delta,
      spent: total.epsilon,
      remaining: budgetNow.epsilon - total.epsilon,
    };
  }
  const summary = TrainingSummarySchema.parse({
    version: 1,
    runId: run.id,
    runName: options.runName,
    status: state.earlyStopped ? 'early-stopped' : 'completed',
    model: {
      path: config.model,
      modelType: model.config.modelType,
      parameters: parameterCount(model.config),
      sha256: hashModelFolder(modelDir),
    },
    adapter: {
      rank: config.lora.rank,
      alpha: config.lora.alpha,
      targetModules: [...targetModules],
      trainableParameters: sizes.reduce((a, b) => a + b, 0),
      sha256: adapterBytes.weightsSha256,
    },
    dataset: {
      id: dataset.id,
      name: dataset.name,
      sha256: datasetFingerprint(store, dataset.id),
      trainRecords: data.train.length,
      evalRecords: data.evaluation.length,
      trainUnits: units,
    },
    privacy: {
      mode: config.privacy.mode,
      privacyUnit: config.privacyUnit,
      epsilon: spent?.epsilon ?? null,
      rdpEpsilon: spent?.rdpEpsilon ?? null,
      prvEpsilon: spent?.prvEpsilon ?? null,
      delta,
      noiseMultiplier: sigma,
      clipNorm: isPrivate ? config.clipNorm : null,
      clipping: config.clipping,
      samplingRate,
      expectedBatchSize,
      steps: state.step,
      accountant: config.accountant,
      budget: budgetAfter,
    },
    curves: { train: state.trainCurve, eval: state.evalCurve },
    baseEvalLoss: state.baseEvalLoss,
    finalEvalLoss: finalEval.loss,
    finalPerplexity: finalEval.perplexity,
    sanity: checks,
    environment: {
      appVersion: pkg.version,
      backend: backend.name,
      os: `${process.platform} ${process.arch}`,
      node: process.version,
    },
    seed: config.seed,
    config: config as unknown as Record<string, unknown>,
    seconds: isPrivate ? null : state.seconds,
    tokensPerSecond: isPrivate ? null : state.seconds > 0 ? state.tokens / state.seconds : 0,
    ...(notes.length > 0 ? { notes } : {}),
  });
  store.runs.setSummary(run.id, summary);
  store.runs.setStatus(run.id, 'completed');
  store.auditLog.append('train', `run:${run.id}`, {
    event: 'completed',
    steps: state.step,
    epsilon: spent?.epsilon ?? null,
    sanity: checks.every((c) => c.passed) ? 'passed' : 'FAILED',
  });
  emit({ type: 'train.finished', summary });
  return { summary, runId: run.id, adapter, model, tokenizer, data, finalParams: params };
}

function addInto(target: Float32Array, source: Float32Array): void {
  for (let i = 0; i < target.length; i += 1) target[i]! += source[i]!;
}

/**
 * The non-private batch of a step: epoch e visits the units in a seeded permutation
 * (seed + e) in consecutive slices, so the order is a pure function of (seed, step) and a
 * resumed run continues it exactly.
 */
export function nonPrivateBatch(
  units: number,
  perBatch: number,
  step: number,
  stepsPerEpoch: number,
  seed: number,
): number[] {
  const epoch = Math.floor(step / stepsPerEpoch);
  const order = seededShuffle(
    Array.from({ length: units }, (_, i) => i),
    seed * 7919 + epoch,
  );
  const start = (step % stepsPerEpoch) * perBatch;
  return order.slice(start, start + perBatch);
}
