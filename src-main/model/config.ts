/**
 * config.json of a Hugging Face causal LM, validated with zod and normalised into the
 * two architectures Confidant implements: GPT-2 (`model_type: "gpt2"`) and the Llama
 * family (`"llama"`: Llama 3.x, SmolLM/SmolLM2, TinyLlama; `"qwen2"`: Qwen2/2.5;
 * `"mistral"`: Mistral 7B, whose `sliding_window` limits how far back a token attends).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfidantError } from '../shared/confidantError.js';

export const SUPPORTED_MODEL_TYPES = ['gpt2', 'llama', 'qwen2', 'mistral'] as const;

const dim = z.number().int().positive().max(1_000_000);
const tokenIds = z.union([z.number().int().nonnegative(), z.array(z.number().int().nonnegative())]).nullish();

const Gpt2Schema = z.object({
  model_type: z.literal('gpt2'),
  vocab_size: dim,
  n_positions: dim,
  n_embd: dim,
  n_layer: z.number().int().positive().max(1000),
  n_head: dim,
  n_inner: dim.nullish(),
  layer_norm_epsilon: z.number().positive().max(1).default(1e-5),
  activation_function: z.enum(['gelu_new', 'gelu_pytorch_tanh', 'gelu_fast']).default('gelu_new'),
  scale_attn_weights: z.literal(true).default(true),
  scale_attn_by_inverse_layer_idx: z.literal(false).default(false),
  reorder_and_upcast_attn: z.boolean().default(false),
  bos_token_id: tokenIds,
  eos_token_id: tokenIds,
  torch_dtype: z.string().nullish(),
  tie_word_embeddings: z.boolean().default(true),
});

const RopeScalingSchema = z
  .union([
    z.object({ rope_type: z.literal('default') }),
    z.object({ type: z.literal('default') }),
    z.object({ rope_type: z.literal('linear'), factor: z.number().positive() }),
    z.object({ type: z.literal('linear'), factor: z.number().positive() }),
    z.object({
      rope_type: z.literal('llama3'),
      factor: z.number().positive(),
      low_freq_factor: z.number().positive(),
      high_freq_factor: z.number().positive(),
      original_max_position_embeddings: dim,
    }),
  ])
  .nullish();

const LlamaSchema = z.object({
  model_type: z.enum(['llama', 'qwen2', 'mistral']),
  vocab_size: dim,
  hidden_size: dim,
  intermediate_size: dim,
  num_hidden_layers: z.number().int().positive().max(1000),
  num_attention_heads: dim,
  num_key_value_heads: dim.nullish(),
  head_dim: dim.nullish(),
  max_position_embeddings: dim,
  rms_norm_eps: z.number().positive().max(1).default(1e-6),
  rope_theta: z.number().positive().default(10000),
  rope_scaling: RopeScalingSchema,
  attention_bias: z.boolean().default(false),
  mlp_bias: z.boolean().default(false),
  hidden_act: z.literal('silu').default('silu'),
  tie_word_embeddings: z.boolean().default(false),
  use_sliding_window: z.literal(false).optional(),
  sliding_window: dim.nullish(),
  bos_token_id: tokenIds,
  eos_token_id: tokenIds,
  torch_dtype: z.string().nullish(),
});

export interface Gpt2Config {
  readonly architecture: 'gpt2';
  readonly modelType: 'gpt2';
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly dModel: number;
  readonly nLayers: number;
  readonly nHeads: number;
  readonly ffnDim: number;
  readonly layerNormEps: number;
  readonly bosTokenId: number | null;
  readonly eosTokenIds: readonly number[];
  readonly torchDtype: string | null;
}

export type RopeScaling =
  | { readonly type: 'none' }
  | { readonly type: 'linear'; readonly factor: number }
  | {
      readonly type: 'llama3';
      readonly factor: number;
      readonly lowFreqFactor: number;
      readonly highFreqFactor: number;
      readonly originalContextLength: number;
    };

export interface LlamaConfig {
  readonly architecture: 'llama';
  readonly modelType: 'llama' | 'qwen2' | 'mistral';
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly dModel: number;
  readonly nLayers: number;
  readonly nHeads: number;
  readonly nKvHeads: number;
  readonly headDim: number;
  readonly ffnDim: number;
  readonly rmsNormEps: number;
  readonly ropeTheta: number;
  readonly ropeScaling: RopeScaling;
  /** Bias on q_proj, k_proj, v_proj (Qwen2 always; Llama when attention_bias). */
  readonly qkvBias: boolean;
  /** Bias on o_proj (Llama attention_bias only). */
  readonly oBias: boolean;
  readonly mlpBias: boolean;
  readonly tieWordEmbeddings: boolean;
  /**
   * Mistral's sliding-window attention: the query at index q attends to keys at indices
   * k with q - W < k ≤ q (W keys, as transformers' sliding_window_overlay); null = all.
   */
  readonly slidingWindow: number | null;
  readonly bosTokenId: number | null;
  readonly eosTokenIds: readonly number[];
  readonly torchDtype: string | null;
}

export type ModelConfig = Gpt2Config | LlamaConfig;

function idList(v: number | number[] | null | undefined): number[] {
  return v == null ? [] : Array.isArray(v) ? v : [v];
}

function invalid(file: string, message: string, field?: string): ConfidantError {
  return new ConfidantError('MODEL_CONFIG_INVALID', message, {
    where: field ? { file, field } : { file },
    hint: 'Check config.json of the model folder; it should be the file saved by Hugging Face transformers.',
  });
}

function firstIssue(file: string, error: z.ZodError): ConfidantError {
  const issue = error.issues[0]!;
  return invalid(file, `config.json is not valid: ${issue.message}`, issue.path.join('.'));
}

/** Validates a parsed config.json object; `file` is used in error messages. */
export function parseModelConfig(json: unknown, file = 'config.json'): ModelConfig {
  const type = (json as { model_type?: unknown } | null)?.model_type;
  if (typeof json !== 'object' || json === null) throw invalid(file, 'config.json is not a JSON object');
  if (typeof type !== 'string' || !(SUPPORTED_MODEL_TYPES as readonly string[]).includes(type)) {
    throw new ConfidantError(
      'MODEL_UNSUPPORTED',
      `model_type ${JSON.stringify(type)} is not supported; Confidant supports ${SUPPORTED_MODEL_TYPES.join(', ')} (GPT-2, Llama 3.x, SmolLM2, TinyLlama, Qwen2/2.5, Mistral)`,
      { where: { file, field: 'model_type' }, hint: 'Choose a GPT-2, Llama-family, Qwen2 or Mistral model.' },
    );
  }
  if (type === 'gpt2') {
    const r = Gpt2Schema.safeParse(json);
    if (!r.success) throw firstIssue(file, r.error);
    const c = r.data;
    if (c.n_embd % c.n_head !== 0)
      throw invalid(file, `n_embd ${c.n_embd} is not divisible by n_head ${c.n_head}`, 'n_head');
    return {
      architecture: 'gpt2',
      modelType: 'gpt2',
      vocabSize: c.vocab_size,
      contextLength: c.n_positions,
      dModel: c.n_embd,
      nLayers: c.n_layer,
      nHeads: c.n_head,
      ffnDim: c.n_inner ?? 4 * c.n_embd,
      layerNormEps: c.layer_norm_epsilon,
      bosTokenId: idList(c.bos_token_id)[0] ?? null,
      eosTokenIds: idList(c.eos_token_id),
      torchDtype: c.torch_dtype ?? null,
    };
  }
  const scaling = (json as { rope_scaling?: { type?: unknown; rope_type?: unknown } | null }).rope_scaling;
  const ropeType = scaling?.rope_type ?? scaling?.type;
  if (scaling && !['default', 'linear', 'llama3'].includes(String(ropeType))) {
    throw invalid(
      file,
      `rope_scaling type ${JSON.stringify(ropeType)} is not supported; Confidant supports 'linear' and 'llama3' (or none)`,
      'rope_scaling',
    );
  }
  const r = LlamaSchema.safeParse(json);
  if (!r.success) throw firstIssue(file, r.error);
  const c = r.data;
  const nKvHeads = c.num_key_value_heads ?? c.num_attention_heads;
  const headDim = c.head_dim ?? c.hidden_size / c.num_attention_heads;
  if (!Number.isInteger(headDim)) {
    throw invalid(
      file,
      `hidden_size ${c.hidden_size} is not divisible by num_attention_heads`,
      'num_attention_heads',
    );
  }
  if (headDim % 2 !== 0)
    throw invalid(file, `head dimension ${headDim} must be even for rotary embeddings`, 'head_dim');
  if (c.num_attention_heads % nKvHeads !== 0) {
    throw invalid(
      file,
      `num_attention_heads ${c.num_attention_heads} is not a multiple of num_key_value_heads ${nKvHeads}`,
      'num_key_value_heads',
    );
  }
  const s = c.rope_scaling;
  let ropeScaling: RopeScaling = { type: 'none' };
  if (s && 'factor' in s) {
    ropeScaling =
      'low_freq_factor' in s
        ? {
            type: 'llama3',
            factor: s.factor,
            lowFreqFactor: s.low_freq_factor,
            highFreqFactor: s.high_freq_factor,
            originalContextLength: s.original_max_position_embeddings,
          }
        : { type: 'linear', factor: s.factor };
  }
  return {
    architecture: 'llama',
    modelType: c.model_type,
    vocabSize: c.vocab_size,
    contextLength: c.max_position_embeddings,
    dModel: c.hidden_size,
    nLayers: c.num_hidden_layers,
    nHeads: c.num_attention_heads,
    nKvHeads,
    headDim,
    ffnDim: c.intermediate_size,
    rmsNormEps: c.rms_norm_eps,
    ropeTheta: c.rope_theta,
    ropeScaling,
    qkvBias: c.model_type === 'qwen2' || c.attention_bias,
    oBias: c.model_type === 'llama' && c.attention_bias,
    mlpBias: c.mlp_bias,
    tieWordEmbeddings: c.tie_word_embeddings,
    // Qwen2 checkpoints carry sliding_window but use it only with use_sliding_window (refused above).
    slidingWindow: c.model_type === 'mistral' ? (c.sliding_window ?? null) : null,
    bosTokenId: idList(c.bos_token_id)[0] ?? null,
    eosTokenIds: idList(c.eos_token_id),
    torchDtype: c.torch_dtype ?? null,
  };
}

/** Reads and validates `dir/config.json`. */
export async function readModelConfig(dir: string): Promise<ModelConfig> {
  const file = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfidantError(
      'MODEL_CONFIG_MISSING',
      `cannot read config.json (${(error as Error).message})`,
      {
        where: { file },
        hint: 'Point Confidant at a Hugging Face model folder (it contains config.json).',
        cause: error,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(file, `config.json is not valid JSON (${(error as Error).message})`);
  }
  return parseModelConfig(json, file);
}
