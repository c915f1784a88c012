/**
 * The host side of a fused step: a packed micro-batch turned into the executor's input
 * arrays (ids, positions counting real tokens only, mask, next-token targets and each
 * position's loss weight 1/count so a row's loss is its mean NLL), RoPE's cos/sin tables
 * computed as model/rope.ts does (fround(p·f), then cos/sin in float64), and the DP step's
 * statistics from what it read back.
 */
import type { ExecutorBatch, PrivateStepInput, PrivateStepResult } from './fusedExecutor.js';

export interface MicroBatchArrays {
  readonly ids: Int32Array;
  readonly pos: Int32Array;
  readonly mask: Float32Array;
  /** The next token, −1 where there is none (padding, the last position). */
  readonly target: Int32Array;
  readonly weight: Float32Array;
  /** Predicted tokens per row. */
  readonly counts: number[];
}

export function microBatchInputs(batch: ExecutorBatch, time: number): MicroBatchArrays {
  const rows = batch.ids.length;
  const n = rows * time;
  const ids = new Int32Array(n);
  const pos = new Int32Array(n);
  const mask = new Float32Array(n);
  const target = new Int32Array(n).fill(-1);
  const weight = new Float32Array(n);
  const counts: number[] = [];
  for (let b = 0; b < rows; b++) {
    const row = batch.ids[b]!;
    const m = batch.mask[b]!;
    let seen = 0;
    let count = 0;
    for (let t = 0; t < time; t++) {
      ids[b * time + t] = row[t]!;
      mask[b * time + t] = m[t]!;
      pos[b * time + t] = seen; // a pad gets the next real position; it is never attended to
      if (m[t]) seen++;
      if (t + 1 < time && m[t + 1]) count++;
    }
    counts.push(count);
    for (let t = 0; t + 1 < time; t++) {
      if (!m[t + 1]) continue;
      target[b * time + t] = row[t + 1]!;
      weight[b * time + t] = 1 / Math.max(1, count);
    }
  }
  return { ids, pos, mask, target, weight, counts };
}

/** cos and sin of fround(position · invFreq[j]), [positions, D/2]. */
export function ropeTables(pos: Int32Array, invFreq: Float32Array): { cos: Float32Array; sin: Float32Array } {
  const half = invFreq.length;
  const cos = new Float32Array(pos.length * half);
  const sin = new Float32Array(pos.length * half);
  for (let i = 0; i < pos.length; i++) {
    for (let j = 0; j < half; j++) {
      const angle = Math.fround(pos[i]! * invFreq[j]!);
      cos[i * half + j] = Math.cos(angle);
      sin[i * half + j] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/**
 * Unit norms (flat), the clipped fraction (flat: ‖g‖ > C; per-layer: any tensor over
 * C/√T) and the noise check ‖noise added‖ / (σC√d) from the read-back squared norms
 * [units, T] and the noise-check partial sums.
 */
export function summarisePrivateStep(
  norms2: Float32Array,
  partial: Float32Array,
  units: number,
  tensors: number,
  dims: number,
  input: Pick<PrivateStepInput, 'clipNorm' | 'clipping' | 'noiseMultiplier'>,
): Omit<PrivateStepResult, 'rowLosses'> {
  const unitNorms: number[] = [];
  let clipped = 0;
  const perLayerClip = input.clipNorm / Math.sqrt(tensors);
  for (let u = 0; u < units; u++) {
    let s = 0;
    let anyClipped = false;
    for (let k = 0; k < tensors; k++) {
      const v = norms2[u * tensors + k]!;
      s += v;
      if (Math.sqrt(v) > perLayerClip) anyClipped = true;
    }
    const norm = Math.sqrt(s);
    if (input.clipping === 'flat' ? norm > input.clipNorm : anyClipped) clipped++;
    unitNorms.push(norm);
  }
  let noiseSq = 0;
  for (const v of partial) noiseSq += v;
  const expected = input.noiseMultiplier * input.clipNorm * Math.sqrt(dims);
  return {
    unitNorms,
    clippedFraction: units === 0 ? 0 : clipped / units,
    noiseRatio: expected > 0 ? Math.sqrt(noiseSq) / expected : 0,
  };
}
