/**
 * What training, auditing and unlearning a run all start from: the backend its config
 * names, its model and tokenizer, and the options that rebuild exactly the data split it
 * trained on (same splits, truncation, seed, audit holdout and exclusions).
 */
import { initBackend, type ActiveBackend } from '../engine/initBackend.js';
import type { CausalLm } from '../model/index.js';
import { TextTokenizer, loadModel } from '../model/index.js';
import { bundledModelDir } from '../model/bundledModel.js';
import { resolve } from 'node:path';
import type { RunConfig } from './runConfig.js';
import type { TrainingDataOptions } from './trainingData.js';

/** A config's model folder: "bundled" is the demo model shipped with Confidant. */
export function modelDirectory(model: string): string {
  return model === 'bundled' ? bundledModelDir() : resolve(model);
}

export interface RunModel {
  readonly backend: ActiveBackend;
  readonly modelDir: string;
  readonly model: CausalLm;
  readonly tokenizer: TextTokenizer;
}

export async function loadRunModel(config: RunConfig): Promise<RunModel> {
  const backend = await initBackend(config.backend === 'auto' ? undefined : config.backend);
  const modelDir = modelDirectory(config.model);
  const { model } = await loadModel(modelDir);
  const tokenizer = await TextTokenizer.load(modelDir);
  return { backend, modelDir, model, tokenizer };
}

export function runTrainingDataOptions(
  config: RunConfig,
  model: CausalLm,
  insertedTexts: readonly { key: string; text: string }[] = [],
): TrainingDataOptions {
  return {
    trainSplit: config.dataset.trainSplit,
    evalSplit: config.dataset.evalSplit,
    privacyUnit: config.privacyUnit,
    maxSequenceLength: Math.min(config.maxSequenceLength, model.config.contextLength),
    seed: config.seed,
    auditHoldoutFraction: config.auditHoldoutFraction,
    ...(insertedTexts.length > 0 ? { extraTrainTexts: insertedTexts } : {}),
    ...(config.excludeRecordIds ? { excludeRecordIds: new Set(config.excludeRecordIds) } : {}),
    ...(config.shardIndex !== undefined
      ? { shard: { count: config.shards, index: config.shardIndex, seed: config.seed } }
      : {}),
  };
}
