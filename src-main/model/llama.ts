/**
 * The Llama family (Touvron et al. 2023, "LLaMA", arXiv:2302.13971; Llama 2/3; Qwen2) in
 * the layout of transformers' LlamaForCausalLM / Qwen2ForCausalLM: RMSNorm pre-norm blocks,
 * rotary positions, grouped-query attention, SwiGLU MLP (Shazeer 2020), optional q/k/v
 * bias (Qwen2), tied or untied LM head. nn.Linear weights, stored [out, in] in checkpoints,
 * are held transposed ([in, out]; see CausalLm.weights).
 * Shapes: B batch, T new tokens, C hidden size, H heads, Hkv kv heads, D head size.
 */
import * as tf from '@tensorflow/tfjs';
import type { CausalLm, ForwardOptions, LinearModule, WeightSpec } from './causalLm.js';
import type { LlamaConfig } from './config.js';
import {
  attention,
  attentionContext,
  embed,
  linear,
  mergeHeads,
  requireWeight,
  rmsNorm,
  silu,
  splitHeads,
  stackLayers,
} from './layers.js';
import { applyRope, inverseFrequencies, ropeTables } from './rope.js';

interface LinearShape {
  readonly module: string;
  readonly inF: number;
  readonly outF: number;
  readonly bias: boolean;
}

function layerLinears(c: LlamaConfig, i: number): LinearShape[] {
  const p = `model.layers.${i}`;
  const q = c.nHeads * c.headDim;
  const kv = c.nKvHeads * c.headDim;
  return [
    { module: `${p}.self_attn.q_proj`, inF: c.dModel, outF: q, bias: c.qkvBias },
    { module: `${p}.self_attn.k_proj`, inF: c.dModel, outF: kv, bias: c.qkvBias },
    { module: `${p}.self_attn.v_proj`, inF: c.dModel, outF: kv, bias: c.qkvBias },
    { module: `${p}.self_attn.o_proj`, inF: q, outF: c.dModel, bias: c.oBias },
    { module: `${p}.mlp.gate_proj`, inF: c.dModel, outF: c.ffnDim, bias: c.mlpBias },
    { module: `${p}.mlp.up_proj`, inF: c.dModel, outF: c.ffnDim, bias: c.mlpBias },
    { module: `${p}.mlp.down_proj`, inF: c.ffnDim, outF: c.dModel, bias: c.mlpBias },
  ];
}

export function llamaWeightSpecs(c: LlamaConfig): WeightSpec[] {
  const specs: WeightSpec[] = [
    { name: 'model.embed_tokens.weight', shape: [c.vocabSize, c.dModel], init: 'normal', transposed: true },
  ];
  for (let i = 0; i < c.nLayers; i++) {
    const p = `model.layers.${i}`;
    specs.push({ name: `${p}.input_layernorm.weight`, shape: [c.dModel], init: 'ones' });
    specs.push({ name: `${p}.post_attention_layernorm.weight`, shape: [c.dModel], init: 'ones' });
    for (const l of layerLinears(c, i)) {
      specs.push({ name: `${l.module}.weight`, shape: [l.outF, l.inF], init: 'normal', transposed: true });
      if (l.bias) specs.push({ name: `${l.module}.bias`, shape: [l.outF], init: 'zeros' });
    }
  }
  specs.push({ name: 'model.norm.weight', shape: [c.dModel], init: 'ones' });
  if (!c.tieWordEmbeddings)
    specs.push({ name: 'lm_head.weight', shape: [c.vocabSize, c.dModel], init: 'normal', transposed: true });
  return specs;
}

export class LlamaModel implements CausalLm {
  readonly linearModules: LinearModule[];
  private readonly invFreq: Float32Array;

  constructor(
    readonly config: LlamaConfig,
    readonly weights: ReadonlyMap<string, tf.Tensor>,
  ) {
    this.linearModules = [];
    for (let i = 0; i < config.nLayers; i++) {
      for (const l of layerLinears(config, i)) {
        this.linearModules.push({
          name: l.module,
          inFeatures: l.inF,
          outFeatures: l.outF,
          weightName: `${l.module}.weight`,
          fanInFanOut: false,
        });
      }
    }
    this.invFreq = inverseFrequencies(config.headDim, config.ropeTheta, config.ropeScaling);
  }

  private w(name: string): tf.Tensor {
    return requireWeight(this.weights, name);
  }

  private proj(x: tf.Tensor3D, module: string, options: ForwardOptions): tf.Tensor3D {
    return linear(
      x,
      this.w(`${module}.weight`),
      this.weights.get(`${module}.bias`),
      options.adapters?.get(module),
      options.training,
    );
  }

  forward(ids: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
    const c = this.config;
    const [batch, time] = ids.shape;
    const ctx = attentionContext(batch, time, options, c.slidingWindow);
    const { cos, sin } = ropeTables(ctx.positions, this.invFreq); // [B, 1, T, D]
    return tf.tidy(() => {
      let x = embed(this.w('model.embed_tokens.weight'), ids); // [B, T, C]
      x = stackLayers(x, c.nLayers, (x, i) => {
        const p = `model.layers.${i}`;
        // attention: x + o_proj(attn(rope(q), rope(k), v)) on RMSNorm(x)
        const h = rmsNorm(x, this.w(`${p}.input_layernorm.weight`), c.rmsNormEps);
        const q = applyRope(splitHeads(this.proj(h, `${p}.self_attn.q_proj`, options), c.nHeads), cos, sin); // [B, H, T, D]
        let k = applyRope(splitHeads(this.proj(h, `${p}.self_attn.k_proj`, options), c.nKvHeads), cos, sin); // [B, Hkv, T, D]
        let v = splitHeads(this.proj(h, `${p}.self_attn.v_proj`, options), c.nKvHeads);
        if (options.cache) [k, v] = options.cache.append(i, k, v); // [B, Hkv, S, D]
        const y = mergeHeads(attention(q, k, v, ctx.bias)); // [B, T, H*D]
        const a: tf.Tensor3D = x.add(this.proj(y, `${p}.self_attn.o_proj`, options));
        // SwiGLU MLP: a + down(silu(gate(m)) * up(m)), m = RMSNorm(a)
        const m = rmsNorm(a, this.w(`${p}.post_attention_layernorm.weight`), c.rmsNormEps);
        const g = silu(this.proj(m, `${p}.mlp.gate_proj`, options)).mul(
          this.proj(m, `${p}.mlp.up_proj`, options),
        ) as tf.Tensor3D; // [B, T, F]
        return a.add(this.proj(g, `${p}.mlp.down_proj`, options));
      });
      x = rmsNorm(x, this.w('model.norm.weight'), c.rmsNormEps);
      const head = c.tieWordEmbeddings ? this.w('model.embed_tokens.weight') : this.w('lm_head.weight'); // [C, V]
      const logits = tf.matMul(x.reshape([batch * time, c.dModel]), head as tf.Tensor2D);
      for (const t of [ctx.bias, cos, sin]) t.dispose();
      return logits.reshape([batch, time, c.vocabSize]) as tf.Tensor3D;
    });
  }

  dispose(): void {
    for (const t of this.weights.values()) t.dispose();
  }
}
