/**
 * Builds a CausalLm from a Hugging Face folder (config.json + safetensors), or with random
 * weights for tests and benchmarks. Each weight is read into its own buffer, checked
 * against the shape the architecture expects, and turned into a frozen tf.Tensor.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfidantError } from '../shared/confidantError.js';
import type { CausalLm, WeightSpec } from './causalLm.js';
import { Checkpoint } from './checkpoint.js';
import { readModelConfig } from './config.js';
import type { ModelConfig } from './config.js';
import { Gpt2Model, gpt2WeightSpecs } from './gpt2.js';
import { LlamaModel, llamaWeightSpecs } from './llama.js';
import type { SafetensorsDtype } from './safetensors.js';
import { SeededRandom } from './seededRandom.js';

export function weightSpecs(config: ModelConfig): WeightSpec[] {
  return config.architecture === 'gpt2' ? gpt2WeightSpecs(config) : llamaWeightSpecs(config);
}

export function buildModel(config: ModelConfig, weights: ReadonlyMap<string, tf.Tensor>): CausalLm {
  return config.architecture === 'gpt2' ? new Gpt2Model(config, weights) : new LlamaModel(config, weights);
}

/** Random weights as plain arrays (normal std 0.02, norms 1, biases 0; non-zero biases when `biasStd`). */
export function randomWeightArrays(
  config: ModelConfig,
  seed: number,
  options: { std?: number; biasStd?: number } = {},
): Map<string, { shape: number[]; data: Float32Array }> {
  const rng = new SeededRandom(seed);
  const std = options.std ?? 0.02;
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const spec of weightSpecs(config)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const isNorm = spec.init === 'ones';
    const s = spec.init === 'normal' ? std : (options.biasStd ?? 0);
    for (let i = 0; i < n; i++) data[i] = (isNorm ? 1 : 0) + (s > 0 ? s * rng.normal() : 0);
    out.set(spec.name, { shape: [...spec.shape], data });
  }
  return out;
}

export function randomModel(
  config: ModelConfig,
  seed: number,
  options: { std?: number; biasStd?: number } = {},
): CausalLm {
  const weights = new Map<string, tf.Tensor>();
  const specs = new Map(weightSpecs(config).map((s) => [s.name, s]));
  for (const [name, { shape, data }] of randomWeightArrays(config, seed, options)) {
    weights.set(name, toComputeLayout(data, shape, specs.get(name)!.transposed ?? false));
  }
  return buildModel(config, weights);
}

/** A checkpoint tensor in compute layout (see CausalLm.weights). */
function toComputeLayout(data: Float32Array, shape: number[], transposed: boolean): tf.Tensor {
  if (!transposed) return tf.tensor(data, shape);
  return tf.tidy(() => tf.tensor2d(data, [shape[0]!, shape[1]!]).transpose());
}

/** Where a spec's tensor is in a checkpoint (GPT-2 folders may omit `transformer.`). */
function checkpointName(checkpoint: Checkpoint, config: ModelConfig, name: string): string | undefined {
  if (checkpoint.has(name)) return name;
  if (config.architecture === 'gpt2' && name.startsWith('transformer.')) {
    const bare = name.slice('transformer.'.length);
    if (checkpoint.has(bare)) return bare;
  }
  return undefined;
}

export interface LoadedModel {
  readonly model: CausalLm;
  /** Storage dtype of the weights on disk (the most common one). */
  readonly storedDtype: SafetensorsDtype;
}

export async function loadModel(dir: string): Promise<LoadedModel> {
  const config = await readModelConfig(dir);
  const checkpoint = await Checkpoint.open(dir);
  const weights = new Map<string, tf.Tensor>();
  const dtypeCounts = new Map<SafetensorsDtype, number>();
  try {
    for (const spec of weightSpecs(config)) {
      const found = checkpointName(checkpoint, config, spec.name);
      if (found === undefined) {
        throw new ConfidantError(
          'MODEL_MISSING_TENSOR',
          `weight "${spec.name}" that config.json implies is missing from the checkpoint`,
          {
            where: { file: dir, field: spec.name },
            hint:
              spec.name === 'lm_head.weight'
                ? 'config.json says tie_word_embeddings is false but there is no lm_head.weight; check the folder.'
                : 'The weights do not match config.json; check that the folder holds one complete model.',
          },
        );
      }
      const info = checkpoint.info(found);
      if (info.shape.length !== spec.shape.length || info.shape.some((d, i) => d !== spec.shape[i])) {
        throw new ConfidantError(
          'MODEL_SHAPE_MISMATCH',
          `weight "${found}" has shape [${info.shape.join(', ')}] but config.json implies [${spec.shape.join(', ')}]`,
          {
            where: { file: dir, field: found },
            hint: 'config.json and the weights come from different models.',
          },
        );
      }
      dtypeCounts.set(info.dtype, (dtypeCounts.get(info.dtype) ?? 0) + 1);
      const { data } = await checkpoint.read(found);
      weights.set(spec.name, toComputeLayout(data, [...spec.shape], spec.transposed ?? false));
    }
  } catch (error) {
    for (const t of weights.values()) t.dispose();
    throw error;
  } finally {
    await checkpoint.close();
  }
  const storedDtype = [...dtypeCounts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'F32';
  return { model: buildModel(config, weights), storedDtype };
}

/** Number of parameters (tied head counted once). */
export function parameterCount(config: ModelConfig): number {
  return weightSpecs(config).reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1), 0);
}
