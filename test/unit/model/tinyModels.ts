/**
 * Tiny model configs and a writer for random-weight model folders (config.json +
 * model.safetensors), shared by the model and LoRA tests.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseModelConfig } from '../../../src-main/model/config.js';
import { randomWeightArrays } from '../../../src-main/model/loadModel.js';
import { writeSafetensors } from '../../../src-main/model/safetensors.js';
import type { TensorToWrite } from '../../../src-main/model/safetensors.js';
import { f32ToBf16, f32ToF16 } from '../../../src-main/model/halfFloat.js';

export const TINY_GPT2 = {
  model_type: 'gpt2',
  vocab_size: 97,
  n_positions: 48,
  n_embd: 32,
  n_layer: 2,
  n_head: 4,
  layer_norm_epsilon: 1e-5,
  bos_token_id: 0,
  eos_token_id: 0,
};

/** Llama-3.2 style: GQA, llama3 rope scaling, untied head. */
export const TINY_LLAMA = {
  model_type: 'llama',
  vocab_size: 101,
  hidden_size: 32,
  intermediate_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 64,
  rms_norm_eps: 1e-5,
  rope_theta: 500000,
  rope_scaling: {
    rope_type: 'llama3',
    factor: 8,
    low_freq_factor: 1,
    high_freq_factor: 4,
    original_max_position_embeddings: 16,
  },
  tie_word_embeddings: false,
  bos_token_id: 1,
  eos_token_id: 2,
};

/** Qwen2 style: q/k/v bias, one kv head, tied head, linear rope scaling. */
export const TINY_QWEN2 = {
  model_type: 'qwen2',
  vocab_size: 89,
  hidden_size: 32,
  intermediate_size: 48,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 1,
  max_position_embeddings: 64,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000,
  rope_scaling: { type: 'linear', factor: 2 },
  tie_word_embeddings: true,
};

/** Mistral style: GQA, untied head, a sliding window shorter than the test sequences. */
export const TINY_MISTRAL = {
  model_type: 'mistral',
  vocab_size: 103,
  hidden_size: 32,
  intermediate_size: 56,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 64,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  sliding_window: 5,
  tie_word_embeddings: false,
};

/** SmolLM2 style (a Llama): 3 heads over 1 kv head, tied head, no rope scaling. */
export const TINY_SMOLLM2 = {
  model_type: 'llama',
  vocab_size: 91,
  hidden_size: 48,
  intermediate_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 3,
  num_key_value_heads: 1,
  max_position_embeddings: 64,
  rms_norm_eps: 1e-5,
  rope_theta: 100000,
  rope_scaling: null,
  tie_word_embeddings: true,
};

/** Qwen2.5 style: q/k/v bias, tied head, the sliding_window fields it carries but does not use. */
export const TINY_QWEN25 = {
  model_type: 'qwen2',
  vocab_size: 95,
  hidden_size: 32,
  intermediate_size: 40,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 64,
  max_window_layers: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000,
  sliding_window: 4,
  use_sliding_window: false,
  tie_word_embeddings: true,
};

export interface WriteOptions {
  seed?: number;
  std?: number;
  biasStd?: number;
  dtype?: 'F32' | 'F16' | 'BF16';
  /** Store GPT-2 names without the `transformer.` prefix (GPT2Model-style). */
  stripPrefix?: boolean;
}

export async function writeRandomModel(
  dir: string,
  config: Record<string, unknown>,
  options: WriteOptions = {},
) {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  const arrays = randomWeightArrays(parseModelConfig(config), options.seed ?? 1, {
    std: options.std ?? 0.1,
    biasStd: options.biasStd ?? 0.05,
  });
  const tensors = new Map<string, TensorToWrite>();
  const dtype = options.dtype ?? 'F32';
  for (const [name, { shape, data }] of arrays) {
    const key = options.stripPrefix ? name.replace(/^transformer\./, '') : name;
    const stored = dtype === 'F32' ? data : dtype === 'F16' ? f32ToF16(data) : f32ToBf16(data);
    tensors.set(key, { shape, dtype, data: stored });
  }
  await writeSafetensors(join(dir, 'model.safetensors'), tensors);
  return arrays;
}
