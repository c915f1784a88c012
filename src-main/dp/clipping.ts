/**
 * Per-unit gradient clipping for DP-SGD (Abadi et al. 2016): each privacy unit's gradient
 * g is scaled to g · min(1, C / ‖g‖₂) before summing, so one unit changes the sum by at
 * most C. Flat clipping uses the norm over all trainable tensors; per-layer clipping
 * (McMahan et al. 2018, "A General Approach to Adding Differential Privacy to Iterative
 * Training Procedures"; Opacus's per-layer optimizer) clips each tensor to its own C_l
 * with √(Σ C_l²) = C, so the total sensitivity is still C.
 *
 * A unit's gradient is given as one Float32Array per trainable tensor.
 */
export type UnitGradient = readonly Float32Array[];

export interface ClipStats {
  /** Norm of each unit's gradient before clipping (flat norm). */
  norms: Float64Array;
  /** How many units were actually scaled down. */
  clippedCount: number;
}

export function l2Norm(parts: UnitGradient): number {
  let sum = 0;
  for (const part of parts) for (let i = 0; i < part.length; i += 1) sum += part[i]! * part[i]!;
  return Math.sqrt(sum);
}

/** The scale factor min(1, C/‖g‖) (1 for a zero gradient). */
export function clipFactor(norm: number, clipNorm: number): number {
  return norm > clipNorm ? clipNorm / norm : 1;
}

/** Equal split of the budget C over L tensors: C_l = C/√L, so √(Σ C_l²) = C. */
export function equalPerLayerClipNorms(clipNorm: number, layers: number): number[] {
  return Array.from({ length: layers }, () => clipNorm / Math.sqrt(layers));
}

/**
 * Sums the clipped gradients of a batch of units into `sum` (one array per tensor,
 * accumulated in place). `perLayer` gives C_l per tensor; omitted means flat clipping at C.
 */
export function accumulateClipped(
  units: readonly UnitGradient[],
  sum: Float32Array[],
  clipNorm: number,
  perLayer?: readonly number[],
): ClipStats {
  if (!(clipNorm > 0)) throw new RangeError(`clip norm must be > 0, got ${clipNorm}`);
  if (perLayer && perLayer.length !== sum.length) {
    throw new RangeError(`per-layer clip norms: got ${perLayer.length} for ${sum.length} tensors`);
  }
  const norms = new Float64Array(units.length);
  let clippedCount = 0;
  units.forEach((unit, u) => {
    if (unit.length !== sum.length)
      throw new RangeError(`unit ${u} has ${unit.length} tensors, expected ${sum.length}`);
    norms[u] = l2Norm(unit);
    let clipped = false;
    unit.forEach((part, t) => {
      const target = sum[t]!;
      if (part.length !== target.length) throw new RangeError(`unit ${u}, tensor ${t}: length mismatch`);
      const factor = perLayer ? clipFactor(l2Norm([part]), perLayer[t]!) : clipFactor(norms[u]!, clipNorm);
      if (factor < 1) clipped = true;
      for (let i = 0; i < part.length; i += 1) target[i] = target[i]! + factor * part[i]!;
    });
    if (clipped) clippedCount += 1;
  });
  return { norms, clippedCount };
}
