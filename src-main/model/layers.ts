/**
 * The building blocks the architectures share, written out as equations (nanoGPT style):
 * linear with optional LoRA, LayerNorm, RMSNorm, the tanh GELU, causal self-attention with
 * a padding mask and grouped-query heads. Shapes in comments: B batch, T new positions,
 * S all key positions (past + T), H heads, Hkv key/value heads, D head size.
 */
import * as tf from '@tensorflow/tfjs';
import { geluTanh as fusedGeluTanh, layerNorm as fusedLayerNorm } from '../engine/fusedOps.js';
import { ConfidantError } from '../shared/confidantError.js';
import type { ForwardOptions, LoraWeights } from './causalLm.js';
import type { KvCache } from './kvCache.js';

/** y = x W (+ b) (+ LoRA). x [B, T, in], W [in, out] (compute layout). */
/** A loaded weight by name; a missing one is a clear error naming it. */
export function requireWeight(weights: ReadonlyMap<string, tf.Tensor>, name: string): tf.Tensor {
  const t = weights.get(name);
  if (!t) {
    throw new ConfidantError('MODEL_MISSING_TENSOR', `weight "${name}" is not loaded`, {
      where: { field: name },
    });
  }
  return t;
}

export function linear(
  x: tf.Tensor3D,
  w: tf.Tensor,
  bias: tf.Tensor | undefined,
  lora?: LoraWeights,
  training = false,
): tf.Tensor3D {
  const [batch, time, inFeatures] = x.shape;
  const outFeatures = w.shape[1]!;
  const x2 = x.reshape([batch * time, inFeatures]);
  let y = tf.matMul(x2, w as tf.Tensor2D); // [B*T, out]
  if (bias) y = y.add(bias);
  let y3 = y.reshape([batch, time, outFeatures]) as tf.Tensor3D;
  if (lora) {
    const xin = training && lora.dropout > 0 ? tf.dropout(x, lora.dropout) : x;
    let delta: tf.Tensor3D;
    // explicit transposes: tfjs-wasm's matMul with a transposed operand is far slower
    if (lora.a.rank === 2) {
      const h = tf.matMul(xin.reshape([batch * time, inFeatures]), lora.a.transpose() as tf.Tensor2D); // [B*T, r]
      delta = tf.matMul(h, lora.b.transpose() as tf.Tensor2D).reshape([batch, time, outFeatures]);
    } else {
      // per-example adapters: a [B, r, in], b [B, out, r]
      const h = tf.matMul(xin, lora.a.transpose([0, 2, 1]) as tf.Tensor3D); // [B, T, r]
      delta = tf.matMul(h, lora.b.transpose([0, 2, 1]) as tf.Tensor3D); // [B, T, out]
    }
    y3 = y3.add(delta.mul(lora.scale));
  }
  return y3;
}

/** Token embedding lookup from a [C, vocab] table: ids [B, T] → [B, T, C]. */
export function embed(table: tf.Tensor, ids: tf.Tensor2D): tf.Tensor3D {
  return tf.gather(table, ids, 1).transpose([1, 2, 0]); // [C, B, T] → [B, T, C]
}

/**
 * LayerNorm (Ba et al. 2016) over the last axis: (x - μ) / sqrt(σ² + eps) · γ + β. One fused
 * kernel each way on the native backend, the composed tfjs ops elsewhere (engine/fusedOps.ts).
 */
export function layerNorm(x: tf.Tensor3D, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor3D {
  return fusedLayerNorm(x, gamma, beta, eps) as tf.Tensor3D;
}

/** RMSNorm (Zhang & Sennrich 2019): x / sqrt(mean(x²) + eps) · γ. */
export function rmsNorm(x: tf.Tensor3D, gamma: tf.Tensor, eps: number): tf.Tensor3D {
  const ms = x.square().mean(-1, true);
  return x.mul(ms.add(eps).rsqrt()).mul(gamma);
}

/**
 * GELU, tanh approximation (Hendrycks & Gimpel 2016), GPT-2's "gelu_new":
 * x/2 · (1 + tanh(√(2/π) (x + 0.044715 x³))); fused on the native backend (engine/fusedOps.ts).
 */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  return fusedGeluTanh(x);
}

/** SiLU (Elfwing et al. 2018): x · σ(x). */
export function silu(x: tf.Tensor): tf.Tensor {
  return x.mul(tf.sigmoid(x));
}

/** Splits [B, T, H*D] into heads [B, H, T, D]. */
export function splitHeads(x: tf.Tensor3D, heads: number): tf.Tensor4D {
  const [b, t, c] = x.shape;
  return x.reshape([b, t, heads, c / heads]).transpose([0, 2, 1, 3]);
}

/** Merges heads [B, H, T, D] back into [B, T, H*D]. */
export function mergeHeads(x: tf.Tensor4D): tf.Tensor3D {
  const [b, h, t, d] = x.shape;
  return x.transpose([0, 2, 1, 3]).reshape([b, t, h * d]);
}

/** Positions and mask of one forward call. */
export interface AttentionContext {
  /** [B][T] position id of each new token (counts real tokens only). */
  readonly positions: number[][];
  /** [B, 1, T, S] additive bias: 0 where attending is allowed, -1e9 elsewhere. */
  readonly bias: tf.Tensor4D;
}

const NEG = -1e9;

/**
 * Builds the causal + padding mask for T new tokens after the cache's past, and records the
 * new mask in the cache. Query t may attend key s when s <= past + t and key s is real.
 */
export function attentionContext(
  batch: number,
  time: number,
  options: ForwardOptions,
  /** Mistral's sliding window: a query at index q sees keys k with q - W < k ≤ q. */
  slidingWindow: number | null = null,
): AttentionContext {
  const cache: KvCache | undefined = options.cache;
  const past = cache?.length ?? 0;
  const total = past + time;
  let mask: number[][];
  if (options.attentionMask) {
    const given = options.attentionMask;
    if (given.length !== batch || given.some((row) => row.length !== total && row.length !== time)) {
      throw new ConfidantError(
        'MODEL_BAD_MASK',
        `attention mask must be [${batch}, ${time}] or [${batch}, ${total}] (past + new)`,
      );
    }
    mask = given.map((row, b) => (row.length === total ? [...row] : [...(cache?.mask[b] ?? []), ...row]));
  } else {
    mask = Array.from({ length: batch }, (_, b) => [
      ...(cache?.mask[b] ?? new Array<number>(past).fill(1)),
      ...new Array<number>(time).fill(1),
    ]);
  }
  const positions: number[][] = [];
  const bias = new Float32Array(batch * time * total);
  for (let b = 0; b < batch; b++) {
    const row = mask[b]!;
    let seen = 0;
    for (let s = 0; s < past; s++) seen += row[s]! ? 1 : 0;
    const pos: number[] = [];
    for (let t = 0; t < time; t++) {
      pos.push(seen); // a pad gets the next real position; it is never attended to
      if (row[past + t]) seen++;
      const q = past + t;
      for (let s = 0; s < total; s++) {
        const inWindow = slidingWindow === null || q - s < slidingWindow;
        bias[(b * time + t) * total + s] = s <= q && inWindow && row[s] ? 0 : NEG;
      }
    }
    positions.push(pos);
  }
  if (cache) cache.mask = mask;
  return { positions, bias: tf.tensor4d(bias, [batch, 1, time, total]) };
}

/**
 * Scaled dot-product attention (Vaswani et al. 2017) with grouped-query heads (Ainslie et
 * al. 2023): q [B, H, T, D], k/v [B, Hkv, S, D], H a multiple of Hkv → [B, H, T, D].
 */
export function attention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor4D): tf.Tensor4D {
  const [batch, heads, time, d] = q.shape;
  const kvHeads = k.shape[1];
  const rep = heads / kvHeads;
  // Query head h uses kv head floor(h / rep): fold each group's queries into one sequence
  // [B, Hkv, rep*T, D] instead of repeating k and v.
  const qg = rep === 1 ? q : (q.reshape([batch, kvHeads, rep * time, d]) as tf.Tensor4D);
  const mask = rep === 1 ? bias : bias.tile([1, 1, rep, 1]);
  const scores = tf
    .matMul(qg, k.transpose([0, 1, 3, 2]))
    .mul(1 / Math.sqrt(d))
    .add(mask); // [B, Hkv, rep*T, S]
  const out = tf.matMul(tf.softmax(scores, -1), v); // [B, Hkv, rep*T, D]
  return (rep === 1 ? out : out.reshape([batch, heads, time, d])) as tf.Tensor4D;
}

/**
 * Runs `n` residual blocks, each in its own tidy scope, freeing each block's intermediates
 * (and the previous hidden state) as soon as the block is done, so peak memory is one
 * block's worth rather than the whole network's. Safe under tf.grad: tensors a gradient
 * needs are saved by the kernels themselves.
 */
export function stackLayers(
  x: tf.Tensor3D,
  n: number,
  block: (x: tf.Tensor3D, layer: number) => tf.Tensor3D,
): tf.Tensor3D {
  for (let i = 0; i < n; i++) {
    const next = tf.tidy(() => block(x, i));
    x.dispose();
    x = next;
  }
  return x;
}
