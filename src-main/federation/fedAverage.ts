/**
 * Plaintext FedAvg (McMahan et al. 2017): Σ n_i Δ_i / Σ n_i, in float64, as the reference the
 * encrypted aggregate is checked against; and the error measure used for that check.
 */
export interface WeightedDelta {
  readonly delta: readonly Float32Array[];
  readonly examples: number;
}

export function plaintextFedAvg(updates: readonly WeightedDelta[]): Float64Array[] {
  const first = updates[0];
  if (!first) return [];
  const total = updates.reduce((n, u) => n + u.examples, 0);
  return first.delta.map((t, k) => {
    const out = new Float64Array(t.length);
    for (const u of updates) {
      const d = u.delta[k] as Float32Array;
      for (let j = 0; j < d.length; j++) out[j] = (out[j] as number) + u.examples * (d[j] as number);
    }
    for (let j = 0; j < out.length; j++) out[j] = (out[j] as number) / total;
    return out;
  });
}

/**
 * max_j |got_j − ref_j| / max_j |ref_j| over all tensors: the error relative to the largest
 * reference value (an element-wise ratio would divide by values that are ≈ 0 by chance).
 */
export function maxRelativeError(
  got: readonly ArrayLike<number>[],
  ref: readonly ArrayLike<number>[],
): number {
  let maxErr = 0;
  let maxRef = 0;
  ref.forEach((r, k) => {
    const g = got[k];
    if (!g || g.length !== r.length) throw new Error(`tensor ${k}: lengths differ`);
    for (let j = 0; j < r.length; j++) {
      maxErr = Math.max(maxErr, Math.abs((g[j] as number) - (r[j] as number)));
      maxRef = Math.max(maxRef, Math.abs(r[j] as number));
    }
  });
  return maxRef === 0 ? maxErr : maxErr / maxRef;
}
