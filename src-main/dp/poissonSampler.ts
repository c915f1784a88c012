/**
 * Poisson sampling for DP-SGD (Abadi et al. 2016, "Deep Learning with Differential
 * Privacy"; the sampled Gaussian mechanism of Mironov, Talwar, Zhang 2019): at every step
 * each privacy unit (a record, or a patient) joins the batch independently with
 * probability q, so batch sizes vary and follow Binomial(N, q). The RDP/PRV accountants'
 * amplification by subsampling assumes exactly this, and assumes the batch stays secret:
 * the sampled indices are never logged or stored.
 */
import { ConfidantError } from '../shared/confidantError.js';
import { cryptoRandomSource, fillUniform53, type RandomSource } from './randomSource.js';

export class PoissonSampler {
  private readonly uniforms: Float64Array;

  constructor(
    readonly unitCount: number,
    readonly samplingRate: number,
    private readonly source: RandomSource = cryptoRandomSource,
  ) {
    if (!Number.isInteger(unitCount) || unitCount <= 0) {
      throw new ConfidantError(
        'dp.bad-unit-count',
        `The number of privacy units must be a positive integer, got ${unitCount}.`,
      );
    }
    if (!(samplingRate > 0 && samplingRate <= 1)) {
      throw new ConfidantError(
        'dp.bad-sampling-rate',
        `The sampling rate q must be in (0, 1], got ${samplingRate}.`,
        {
          hint: 'Set the expected batch size to at most the number of units.',
        },
      );
    }
    this.uniforms = new Float64Array(unitCount);
  }

  /** The expected batch size q·N, by which the noisy clipped sum is divided. */
  get expectedBatchSize(): number {
    return this.samplingRate * this.unitCount;
  }

  /** Indices of the units in this step's batch (possibly empty), in increasing order. */
  sample(): Int32Array {
    fillUniform53(this.source, this.uniforms);
    const chosen: number[] = [];
    for (let i = 0; i < this.unitCount; i += 1) if (this.uniforms[i]! < this.samplingRate) chosen.push(i);
    return Int32Array.from(chosen);
  }
}
