/**
 * What every architecture offers: a forward pass from token ids to next-token logits,
 * with an optional KV cache, padding mask and LoRA adapters. Pure tensor code: weights are
 * frozen tf.Tensors; only adapter tensors passed in `adapters` may be tf.Variables, so the
 * forward can be called inside tf.grad / tf.variableGrads to train them.
 */
import type * as tf from '@tensorflow/tfjs';
import { ConfidantError } from '../shared/confidantError.js';
import type { ModelConfig } from './config.js';
import type { KvCache } from './kvCache.js';

/**
 * LoRA weights of one linear module (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large
 * Language Models", arXiv:2106.09685): y = x W + scale · dropout(x) Aᵀ Bᵀ.
 * Shapes follow PEFT: `a` [r, in], `b` [out, r]; or per-example copies `a` [B, r, in],
 * `b` [B, out, r], one for each row of the batch (for per-example gradients).
 */
export interface LoraWeights {
  readonly a: tf.Tensor;
  readonly b: tf.Tensor;
  readonly scale: number;
  /** Dropout probability on the adapter input; applied only when `training` is set. */
  readonly dropout: number;
}

/** Adapters keyed by module name in Hugging Face form, e.g. `transformer.h.0.attn.c_attn`. */
export type AdapterMap = ReadonlyMap<string, LoraWeights>;

export interface ForwardOptions {
  /** Past keys/values; the forward appends this call's keys/values to it. */
  readonly cache?: KvCache;
  /**
   * [B, T] (or [B, past + T] with a cache) 1 for real tokens, 0 for padding. Padded keys are
   * never attended to; positions count real tokens only (left or right padding both work).
   */
  readonly attentionMask?: readonly (readonly number[])[];
  readonly adapters?: AdapterMap;
  /** Enables adapter dropout. */
  readonly training?: boolean;
}

/** A linear layer adapters can attach to. */
export interface LinearModule {
  /** Hugging Face module name, e.g. `model.layers.3.self_attn.q_proj`. */
  readonly name: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** Name of its weight in `weights` (held [in, out]). */
  readonly weightName: string;
  /** True when the checkpoint stores it [in, out] (GPT-2 Conv1D, PEFT's fan_in_fan_out). */
  readonly fanInFanOut: boolean;
}

export interface CausalLm {
  readonly config: ModelConfig;
  /**
   * Frozen weights by Hugging Face name (canonical prefix, e.g. `transformer.` for GPT-2), in
   * compute layout: every matrix used as a right operand is held [in, out] (token embeddings
   * and heads [C, vocab]), because tfjs-wasm multiplies a transposed operand ~10× slower.
   * Specs with `transposed` say which are the transpose of their checkpoint tensor.
   */
  readonly weights: ReadonlyMap<string, tf.Tensor>;
  readonly linearModules: readonly LinearModule[];
  /** ids [B, T] int32 → logits [B, T, vocab]. */
  forward(ids: tf.Tensor2D, options?: ForwardOptions): tf.Tensor3D;
  dispose(): void;
}

/** A weight an architecture expects: Hugging Face name and shape. */
export interface WeightSpec {
  readonly name: string;
  /** Shape in the checkpoint. */
  readonly shape: readonly number[];
  /** Held transposed in `CausalLm.weights` (compute layout [in, out]). */
  readonly transposed?: boolean;
  /** How to initialise it randomly (for tests and benchmarks). */
  readonly init: 'normal' | 'ones' | 'zeros';
}

/** Refuses token ids outside the model's vocabulary (tfjs would silently embed zeros). */
export function checkTokenIds(model: CausalLm, ids: readonly number[]): void {
  const vocab = model.config.vocabSize;
  const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= vocab);
  if (bad !== undefined) {
    throw new ConfidantError(
      'MODEL_TOKEN_OUT_OF_RANGE',
      `token id ${bad} is outside the model's vocabulary (0..${vocab - 1})`,
      {
        hint: 'The tokenizer does not belong to this model; use the tokenizer files from the same folder.',
      },
    );
  }
}
