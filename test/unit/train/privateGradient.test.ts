/**
 * The private gradient of a DP-SGD step and the sanity check that catches a run whose noise
 * was silently off. With a fixed seed, the measured noise norm over d = 20,000 coordinates is
 * σC√d within 3% (a χ_d norm has relative standard deviation 1/√(2d) = 0.5%, so 3% is six
 * standard deviations); clipped sums stay within C per unit; noise that is off, or at half
 * the scale, fails the check.
 */
import { describe, expect, it } from 'vitest';
import { sanityChecks } from '../../../src-main/train/sanityChecks.js';
import { privateGradient } from '../../../src-main/train/privateGradient.js';
import { seededRandomSource } from '../../helpers/seededRandomSource.js';

const sizes = [12_000, 8_000];
function unit(scale: number): Float32Array[] {
  return sizes.map((n) => new Float32Array(n).fill(scale));
}

describe('privateGradient', () => {
  it('adds N(0, σ²C²) to the clipped sum: the measured noise ratio is 1 within 3%', () => {
    const result = privateGradient(
      [unit(1), unit(0.001), unit(-2)],
      sizes,
      {
        noiseMultiplier: 1.3,
        clipNorm: 0.5,
        clipping: 'flat',
        expectedBatchSize: 4,
      },
      seededRandomSource(42),
    );
    expect(result.noiseRatio).toBeGreaterThan(0.97);
    expect(result.noiseRatio).toBeLessThan(1.03);
    expect(result.clippedFraction).toBeCloseTo(2 / 3);
  });

  it('without noise the gradient is the clipped sum over the expected batch size, and the ratio is 0', () => {
    const result = privateGradient(
      [unit(1), unit(-1)],
      sizes,
      {
        noiseMultiplier: 0,
        clipNorm: 1,
        clipping: 'flat',
        expectedBatchSize: 2,
      },
      seededRandomSource(1),
    );
    expect(result.noiseRatio).toBe(0);
    expect(result.gradient[0]![0]).toBeCloseTo(0, 7);
    const one = privateGradient(
      [unit(1)],
      sizes,
      { noiseMultiplier: 0, clipNorm: 1, clipping: 'per-layer', expectedBatchSize: 1 },
      seededRandomSource(1),
    );
    // per-layer: each tensor clipped to 1/√2
    const norm0 = Math.sqrt(one.gradient[0]!.reduce((s, v) => s + v * v, 0));
    expect(norm0).toBeCloseTo(1 / Math.SQRT2, 5);
  });
});

describe('sanity checks', () => {
  const base = {
    initialParams: [new Float32Array([0, 0, 1])],
    finalParams: [new Float32Array([0.1, 0, 1])],
    baseEvalLoss: 2,
    finalEvalLoss: 1.9,
  };
  it('pass a healthy DP run', () => {
    expect(sanityChecks({ ...base, meanNoiseRatio: 1.01 }).every((c) => c.passed)).toBe(true);
  });
  it('catch noise that was silently off or at the wrong scale', () => {
    for (const ratio of [0, 0.5, 1.5]) {
      const noise = sanityChecks({ ...base, meanNoiseRatio: ratio }).find((c) => c.name === 'noise-applied');
      expect(noise?.passed).toBe(false);
    }
  });
  it('catch an unchanged adapter, a non-finite loss and a loss worse than the base model', () => {
    const checks = sanityChecks({
      ...base,
      finalParams: base.initialParams,
      finalEvalLoss: Number.NaN,
      meanNoiseRatio: null,
    });
    expect(checks.find((c) => c.name === 'adapter-changed')?.passed).toBe(false);
    expect(checks.find((c) => c.name === 'eval-loss-finite')?.passed).toBe(false);
    expect(checks.find((c) => c.name === 'eval-loss-not-worse')?.passed).toBe(false);
    expect(checks.map((c) => c.name)).not.toContain('noise-applied');
    const worse = sanityChecks({ ...base, finalEvalLoss: 2.2, meanNoiseRatio: null });
    expect(worse.find((c) => c.name === 'eval-loss-not-worse')?.passed).toBe(false);
  });
});
