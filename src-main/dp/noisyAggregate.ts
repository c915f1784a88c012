/**
 * The private gradient of one DP-SGD step (Abadi et al. 2016, Algorithm 1, with Poisson
 * sampling as analysed by Mironov, Talwar, Zhang 2019): the sum of clipped per-unit
 * gradients plus N(0, σ²C²) noise, divided by the EXPECTED batch size q·N (not the
 * realised one, whose size would itself leak membership; Opacus does the same with
 * `expected_batch_size`).
 */
import { addGaussianNoise } from './gaussianNoise.js';
import { cryptoRandomSource, type RandomSource } from './randomSource.js';

export interface NoisyAggregateParams {
  noiseMultiplier: number;
  clipNorm: number;
  expectedBatchSize: number;
}

/** Turns clipped sums (one array per tensor) into the private average gradient, in place. */
export function privatiseClippedSum(
  clippedSum: Float32Array[],
  { noiseMultiplier, clipNorm, expectedBatchSize }: NoisyAggregateParams,
  source: RandomSource = cryptoRandomSource,
): void {
  if (!(noiseMultiplier >= 0)) throw new RangeError(`noise multiplier must be ≥ 0, got ${noiseMultiplier}`);
  if (!(expectedBatchSize > 0))
    throw new RangeError(`expected batch size must be > 0, got ${expectedBatchSize}`);
  const std = noiseMultiplier * clipNorm;
  for (const tensor of clippedSum) {
    addGaussianNoise(tensor, std, source);
    for (let i = 0; i < tensor.length; i += 1) tensor[i] = tensor[i]! / expectedBatchSize;
  }
}
