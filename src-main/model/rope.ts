/**
 * Rotary position embeddings (Su et al. 2021, "RoFormer", arXiv:2104.09864) in the
 * Hugging Face Llama layout (rotate_half: the two halves of each head are the pairs), with
 * the frequency scalings of transformers' `rope_scaling`: 'linear' (Chen et al. 2023,
 * position interpolation) and 'llama3' (Meta's Llama 3.1 wavelength-dependent scaling).
 */
import * as tf from '@tensorflow/tfjs';
import type { RopeScaling } from './config.js';

/** inv_freq[i] = 1 / theta^(2i / D), then scaled as `scaling` says. Length D/2. */
export function inverseFrequencies(headDim: number, theta: number, scaling: RopeScaling): Float32Array {
  const half = headDim / 2;
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / Math.pow(theta, (2 * i) / headDim);
  if (scaling.type === 'linear') {
    for (let i = 0; i < half; i++) inv[i] = inv[i]! / scaling.factor;
  } else if (scaling.type === 'llama3') {
    const { factor, lowFreqFactor, highFreqFactor, originalContextLength } = scaling;
    const lowFreqWavelen = originalContextLength / lowFreqFactor;
    const highFreqWavelen = originalContextLength / highFreqFactor;
    for (let i = 0; i < half; i++) {
      const f = inv[i]!;
      const wavelen = (2 * Math.PI) / f;
      if (wavelen < highFreqWavelen) continue; // high frequency: unchanged
      if (wavelen > lowFreqWavelen) {
        inv[i] = f / factor; // low frequency: interpolated
        continue;
      }
      const smooth = (originalContextLength / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
      inv[i] = (1 - smooth) * (f / factor) + smooth * f;
    }
  }
  return inv;
}

/** cos and sin tables for the given positions: each [B, 1, T, D] (angles repeated for both halves). */
export function ropeTables(
  positions: number[][],
  invFreq: Float32Array,
): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
  const batch = positions.length;
  const time = positions[0]?.length ?? 0;
  const half = invFreq.length;
  const d = half * 2;
  const cos = new Float32Array(batch * time * d);
  const sin = new Float32Array(batch * time * d);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < time; t++) {
      const p = positions[b]![t]!;
      const base = (b * time + t) * d;
      for (let i = 0; i < half; i++) {
        const angle = Math.fround(p * invFreq[i]!);
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        cos[base + i] = c;
        cos[base + half + i] = c;
        sin[base + i] = s;
        sin[base + half + i] = s;
      }
    }
  }
  return { cos: tf.tensor4d(cos, [batch, 1, time, d]), sin: tf.tensor4d(sin, [batch, 1, time, d]) };
}

/** x · cos + rotate_half(x) · sin, where rotate_half([x1, x2]) = [-x2, x1]. x [B, H, T, D]. */
export function applyRope(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  const half = x.shape[3] / 2;
  const [x1, x2] = tf.split(x, [half, half], 3);
  const rotated = tf.concat([x2!.neg(), x1!], 3);
  return x.mul(cos).add(rotated.mul(sin));
}
