/**
 * Merging a LoRA adapter into the base weights for export (Hu et al. 2021, §4.1):
 * W' = W + (α/r) · B A. Weights are held [in, out] (GPT-2's Conv1D layout, PEFT's
 * fan_in_fan_out; Llama's nn.Linear weights are transposed at load), so the [out, in]
 * product is added transposed. The result is a new CausalLm that needs no adapter;
 * saveModelWeights writes it back in each checkpoint's layout.
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../model/index.js';
import type { CausalLm } from '../model/index.js';
import type { LoraAdapter } from './loraAdapter.js';

export function mergeAdapter(model: CausalLm, adapter: LoraAdapter): CausalLm {
  const weights = new Map<string, tf.Tensor>();
  for (const [name, t] of model.weights) weights.set(name, t.clone());
  for (const m of adapter.modules) {
    const name = m.module.weightName;
    const old = weights.get(name)!;
    const merged = tf.tidy(() => {
      const delta = tf.matMul(m.b, m.a).mul(adapter.scale); // [out, in]
      return old.add(delta.transpose()); // weights are held [in, out] (CausalLm.weights)
    });
    old.dispose();
    weights.set(name, merged);
  }
  return buildModel(model.config, weights);
}
