/**
 * GPT-2 (Radford et al. 2019, "Language Models are Unsupervised Multitask Learners") in the
 * layout of transformers' GPT2LMHeadModel: pre-LayerNorm blocks, learned position
 * embeddings, Conv1D weights stored [in, out], fused q/k/v projection `c_attn`, tanh GELU,
 * LM head tied to the token embedding. Shapes: B batch, T new tokens, C = n_embd.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfidantError } from '../shared/confidantError.js';
import type { CausalLm, ForwardOptions, LinearModule, WeightSpec } from './causalLm.js';
import type { Gpt2Config } from './config.js';
import {
  attention,
  attentionContext,
  embed,
  geluTanh,
  layerNorm,
  linear,
  mergeHeads,
  requireWeight,
  splitHeads,
  stackLayers,
} from './layers.js';

/** Every weight GPT2LMHeadModel stores, under the canonical `transformer.` prefix. */
export function gpt2WeightSpecs(c: Gpt2Config): WeightSpec[] {
  const d = c.dModel;
  const specs: WeightSpec[] = [
    { name: 'transformer.wte.weight', shape: [c.vocabSize, d], init: 'normal', transposed: true },
    { name: 'transformer.wpe.weight', shape: [c.contextLength, d], init: 'normal' },
  ];
  for (let i = 0; i < c.nLayers; i++) {
    const p = `transformer.h.${i}`;
    specs.push(
      { name: `${p}.ln_1.weight`, shape: [d], init: 'ones' },
      { name: `${p}.ln_1.bias`, shape: [d], init: 'zeros' },
      { name: `${p}.attn.c_attn.weight`, shape: [d, 3 * d], init: 'normal' },
      { name: `${p}.attn.c_attn.bias`, shape: [3 * d], init: 'zeros' },
      { name: `${p}.attn.c_proj.weight`, shape: [d, d], init: 'normal' },
      { name: `${p}.attn.c_proj.bias`, shape: [d], init: 'zeros' },
      { name: `${p}.ln_2.weight`, shape: [d], init: 'ones' },
      { name: `${p}.ln_2.bias`, shape: [d], init: 'zeros' },
      { name: `${p}.mlp.c_fc.weight`, shape: [d, c.ffnDim], init: 'normal' },
      { name: `${p}.mlp.c_fc.bias`, shape: [c.ffnDim], init: 'zeros' },
      { name: `${p}.mlp.c_proj.weight`, shape: [c.ffnDim, d], init: 'normal' },
      { name: `${p}.mlp.c_proj.bias`, shape: [d], init: 'zeros' },
    );
  }
  specs.push(
    { name: 'transformer.ln_f.weight', shape: [d], init: 'ones' },
    { name: 'transformer.ln_f.bias', shape: [d], init: 'zeros' },
  );
  return specs;
}

/** Checkpoint name → canonical name: GPT2Model checkpoints omit the `transformer.` prefix. */
export function gpt2CanonicalName(name: string): string {
  return name.startsWith('transformer.') || name.startsWith('lm_head.') ? name : `transformer.${name}`;
}

export class Gpt2Model implements CausalLm {
  readonly linearModules: LinearModule[];

  constructor(
    readonly config: Gpt2Config,
    readonly weights: ReadonlyMap<string, tf.Tensor>,
  ) {
    const d = config.dModel;
    this.linearModules = [];
    for (let i = 0; i < config.nLayers; i++) {
      const p = `transformer.h.${i}`;
      for (const [name, inF, outF] of [
        [`${p}.attn.c_attn`, d, 3 * d],
        [`${p}.attn.c_proj`, d, d],
        [`${p}.mlp.c_fc`, d, config.ffnDim],
        [`${p}.mlp.c_proj`, config.ffnDim, d],
      ] as const) {
        this.linearModules.push({
          name,
          inFeatures: inF,
          outFeatures: outF,
          weightName: `${name}.weight`,
          fanInFanOut: true,
        });
      }
    }
  }

  private w(name: string): tf.Tensor {
    return requireWeight(this.weights, name);
  }

  private proj(x: tf.Tensor3D, module: string, options: ForwardOptions): tf.Tensor3D {
    return linear(
      x,
      this.w(`${module}.weight`),
      this.w(`${module}.bias`),
      options.adapters?.get(module),
      options.training,
    );
  }

  forward(ids: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
    const c = this.config;
    const [batch, time] = ids.shape;
    const ctx = attentionContext(batch, time, options);
    const maxPos = Math.max(...ctx.positions.flat());
    if (maxPos >= c.contextLength) {
      ctx.bias.dispose();
      throw new ConfidantError(
        'MODEL_CONTEXT_EXCEEDED',
        `sequence reaches position ${maxPos}; the model's context is ${c.contextLength} tokens`,
        {
          hint: 'Use shorter texts or fewer new tokens.',
        },
      );
    }
    return tf.tidy(() => {
      const pos = tf.tensor2d(ctx.positions.flat(), [batch, time], 'int32');
      let x = embed(this.w('transformer.wte.weight'), ids).add(
        tf.gather(this.w('transformer.wpe.weight'), pos),
      ) as tf.Tensor3D; // [B, T, C]
      x = stackLayers(x, c.nLayers, (x, i) => {
        const p = `transformer.h.${i}`;
        // attention: x + c_proj(attn(split(c_attn(ln_1(x)))))
        const h = layerNorm(x, this.w(`${p}.ln_1.weight`), this.w(`${p}.ln_1.bias`), c.layerNormEps);
        const qkv = this.proj(h, `${p}.attn.c_attn`, options); // [B, T, 3C]
        const [q, k, v] = tf.split(qkv, 3, 2) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
        let kh = splitHeads(k, c.nHeads); // [B, H, T, D]
        let vh = splitHeads(v, c.nHeads);
        if (options.cache) [kh, vh] = options.cache.append(i, kh, vh); // [B, H, S, D]
        const y = mergeHeads(attention(splitHeads(q, c.nHeads), kh, vh, ctx.bias)); // [B, T, C]
        const a: tf.Tensor3D = x.add(this.proj(y, `${p}.attn.c_proj`, options));
        // MLP: a + c_proj(gelu(c_fc(ln_2(a))))
        const m = layerNorm(a, this.w(`${p}.ln_2.weight`), this.w(`${p}.ln_2.bias`), c.layerNormEps);
        const f = geluTanh(this.proj(m, `${p}.mlp.c_fc`, options)) as tf.Tensor3D; // [B, T, 4C]
        return a.add(this.proj(f, `${p}.mlp.c_proj`, options));
      });
      x = layerNorm(x, this.w('transformer.ln_f.weight'), this.w('transformer.ln_f.bias'), c.layerNormEps);
      // tied head: logits = x · wteᵀ (wte held transposed, [C, V])
      const logits = tf.matMul(
        x.reshape([batch * time, c.dModel]),
        this.w('transformer.wte.weight') as tf.Tensor2D,
      );
      ctx.bias.dispose();
      return logits.reshape([batch, time, c.vocabSize]) as tf.Tensor3D;
    });
  }

  dispose(): void {
    for (const t of this.weights.values()) t.dispose();
  }
}
