/**
 * One LoRA adapter whose update is the weighted average of several adapters' updates:
 *   ΔW = Σ_i w_i · s · B_i A_i,  Σ w_i = 1,
 * written exactly as a single adapter of rank k·r by stacking the A's and placing the B's
 * side by side (each B_i multiplied by k·w_i), with the scale s/k:
 *   (s/k) · [k w_1 B_1 … k w_k B_k] · [A_1; …; A_k] = Σ w_i s B_i A_i.
 * So the result is an ordinary PEFT adapter (a Hugging Face user loads it as is), with no
 * approximation. Used to combine the shards of a SISA run (Bourtoule et al. 2021); with
 * weights ∝ training units it is FedAvg's average of the shards' updates.
 */
import * as tf from '@tensorflow/tfjs';
import type { CausalLm } from '../model/index.js';
import { ConfidantError } from '../shared/confidantError.js';
import { LoraAdapter, type LoraOptions } from './loraAdapter.js';

export function averageAdapters(
  model: CausalLm,
  adapters: readonly LoraAdapter[],
  weights: readonly number[] = adapters.map(() => 1 / adapters.length),
): LoraAdapter {
  const k = adapters.length;
  const first = adapters[0];
  if (!first || weights.length !== k) {
    throw new ConfidantError(
      'LORA_AVERAGE_INVALID',
      `Cannot average ${k} adapters with ${weights.length} weights.`,
    );
  }
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0) || weights.some((w) => !(w >= 0))) {
    throw new ConfidantError(
      'LORA_AVERAGE_INVALID',
      'Adapter weights must be non-negative with a positive sum.',
    );
  }
  const names = first.modules.map((m) => m.module.name);
  for (const adapter of adapters) {
    const same =
      adapter.options.r === first.options.r &&
      adapter.options.alpha === first.options.alpha &&
      Boolean(adapter.options.useRslora) === Boolean(first.options.useRslora) &&
      adapter.modules.length === names.length &&
      adapter.modules.every((m, i) => m.module.name === names[i]);
    if (!same) {
      throw new ConfidantError(
        'LORA_AVERAGE_MISMATCH',
        'Only adapters with the same rank, alpha and target modules can be averaged.',
      );
    }
  }
  const r = first.options.r * k;
  // keep the scale s/k: α/r for LoRA (α unchanged at rank k·r), α/√r for rsLoRA (α/√k)
  const alpha = first.options.useRslora ? first.options.alpha / Math.sqrt(k) : first.options.alpha;
  const options: LoraOptions = { ...first.options, r, alpha };
  const combined = new Map<string, { a: tf.Tensor2D; b: tf.Tensor2D }>();
  names.forEach((name, i) => {
    const tensors = tf.tidy(() => ({
      a: tf.concat(
        adapters.map((adapter) => adapter.modules[i]!.a),
        0,
      ) as tf.Tensor2D,
      b: tf.concat(
        adapters.map((adapter, j) => tf.mul(adapter.modules[i]!.b, (k * weights[j]!) / total)),
        1,
      ) as tf.Tensor2D,
    }));
    combined.set(name, tensors);
  });
  return LoraAdapter.fromWeights(model, options, combined);
}
