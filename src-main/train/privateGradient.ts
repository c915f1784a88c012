/**
 * One DP-SGD step's private gradient from the per-unit gradients of the sampled units
 * (Abadi et al. 2016, Algorithm 1): clip each unit to C (flat or per-layer), sum, add
 * N(0, σ²C²) from node:crypto, divide by the expected batch size q·N. It also measures the
 * noise that was actually added (‖noisy sum − clipped sum‖ against its expectation
 * σC·√d), so a run whose noise was silently off is caught by the sanity checks.
 */
import { accumulateClipped, equalPerLayerClipNorms, type UnitGradient } from '../dp/clipping.js';
import { privatiseClippedSum } from '../dp/noisyAggregate.js';
import { cryptoRandomSource, type RandomSource } from '../dp/randomSource.js';

export interface PrivateGradientParams {
  readonly noiseMultiplier: number;
  readonly clipNorm: number;
  readonly clipping: 'flat' | 'per-layer';
  readonly expectedBatchSize: number;
}

export interface PrivateGradient {
  readonly gradient: Float32Array[];
  readonly clippedFraction: number;
  readonly meanUnitNorm: number;
  /** ‖added noise‖ / (σ·C·√d): about 1 when the noise is on, 0 when it is off. */
  readonly noiseRatio: number;
}

export function privateGradient(
  units: readonly UnitGradient[],
  sizes: readonly number[],
  params: PrivateGradientParams,
  source: RandomSource = cryptoRandomSource,
): PrivateGradient {
  const sum = sizes.map((n) => new Float32Array(n));
  const perLayer =
    params.clipping === 'per-layer' ? equalPerLayerClipNorms(params.clipNorm, sizes.length) : undefined;
  const stats = accumulateClipped(units, sum, params.clipNorm, perLayer);
  const clean = sum.map((s) => s.slice());
  privatiseClippedSum(sum, params, source);
  let noiseSq = 0;
  let dims = 0;
  sum.forEach((s, k) => {
    const c = clean[k]!;
    for (let i = 0; i < s.length; i += 1) {
      const added = s[i]! * params.expectedBatchSize - c[i]!;
      noiseSq += added * added;
    }
    dims += s.length;
  });
  const expected = params.noiseMultiplier * params.clipNorm * Math.sqrt(dims);
  let normSum = 0;
  for (const n of stats.norms) normSum += n;
  return {
    gradient: sum,
    clippedFraction: units.length === 0 ? 0 : stats.clippedCount / units.length,
    meanUnitNorm: units.length === 0 ? 0 : normSum / units.length,
    noiseRatio: expected > 0 ? Math.sqrt(noiseSq) / expected : 0,
  };
}
