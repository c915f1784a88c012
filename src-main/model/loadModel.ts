/**
 * Builds a CausalLm from a Hugging Face folder (config.json + safetensors), or with random
 * weights for tests and benchmarks. Each weight is read into its own buffer, checked
 * against the shape the architecture expects, and turned into a frozen tf.Tensor.
 */
import * as tf from '@tensorflow/tfjs';
import type { CausalLm } from './causalLm.js';
import { Checkpoint } from './checkpoint.js';
import { readModelConfig } from './config.js';
import type { ModelConfig } from './config.js';
import { Gpt2Model } from './gpt2.js';
import { LlamaModel } from './llama.js';
import { locateWeight } from './locateWeight.js';
import type { WeightFormat } from './memoryPlan.js';
import { streamedValues, streamWeights } from './weightStream.js';
import { weightSpecs } from './weightSpecs.js';
import type { SafetensorsDtype } from './safetensors.js';
import { SeededRandom } from './seededRandom.js';

export { weightSpecs } from './weightSpecs.js';

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

export interface LoadedModel {
  readonly model: CausalLm;
  /** Storage dtype of the weights on disk (the most common one). */
  readonly storedDtype: SafetensorsDtype;
}

export interface LoadModelOptions {
  /** Called after each tensor with the tensors loaded so far and their count. */
  readonly onProgress?: (doneTensors: number, totalTensors: number) => void;
  /**
   * Round the frozen weights through this storage format (weightStream.ts) before they
   * become fp32 tensors: the values a 16-bit or quantised GPU base computes with, so the
   * accuracy cost of a format can be measured on any backend. Default: as stored.
   */
  readonly weights?: WeightFormat;
}

export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  if (options.weights !== undefined) return loadThroughFormat(dir, options.weights, options);
  const config = await readModelConfig(dir);
  const checkpoint = await Checkpoint.open(dir);
  const weights = new Map<string, tf.Tensor>();
  const dtypeCounts = new Map<SafetensorsDtype, number>();
  const specs = weightSpecs(config);
  try {
    for (const spec of specs) {
      const found = locateWeight(checkpoint, config, spec, dir);
      const info = checkpoint.info(found);
      dtypeCounts.set(info.dtype, (dtypeCounts.get(info.dtype) ?? 0) + 1);
      const { data } = await checkpoint.read(found);
      weights.set(spec.name, toComputeLayout(data, [...spec.shape], spec.transposed ?? false));
      options.onProgress?.(weights.size, specs.length);
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

async function loadThroughFormat(
  dir: string,
  format: WeightFormat,
  options: LoadModelOptions,
): Promise<LoadedModel> {
  const config = await readModelConfig(dir);
  const weights = new Map<string, tf.Tensor>();
  const dtypeCounts = new Map<SafetensorsDtype, number>();
  const stream = streamWeights(dir, {
    weights: format,
    onProgress: (p) => options.onProgress?.(p.tensors, p.totalTensors),
  });
  try {
    for await (const t of stream) {
      dtypeCounts.set(t.storedDtype, (dtypeCounts.get(t.storedDtype) ?? 0) + 1);
      weights.set(t.name, toComputeLayout(streamedValues(t), [...t.shape], t.transposed));
    }
  } catch (error) {
    for (const t of weights.values()) t.dispose();
    throw error;
  }
  const storedDtype = [...dtypeCounts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'F32';
  return { model: buildModel(config, weights), storedDtype };
}

/** Number of parameters (tied head counted once). */
export function parameterCount(config: ModelConfig): number {
  return weightSpecs(config).reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1), 0);
}
