/**
 * Gaussian noise for DP-SGD: N(0, σ²C²) per coordinate of the clipped gradient sum
 * (Abadi et al. 2016), drawn from the CSPRNG by the Box–Muller transform on 53-bit
 * uniforms (Box & Muller 1958). Computed in float64 and rounded once to float32.
 *
 * Known limit, as in Opacus and TF Privacy: floating-point Gaussian samplers are not
 * exactly the continuous Gaussian (Mironov 2012; Jin et al. 2022, "Are We There Yet?
 * Timing and Floating-Point Attacks on Differential Privacy Systems"); the accountant's
 * guarantee is for the ideal mechanism.
 */
import { cryptoRandomSource, fillUniform53, type RandomSource } from './randomSource.js';

/** Adds N(0, std²) noise to every entry of `target` in place. */
export function addGaussianNoise(
  target: Float32Array,
  std: number,
  source: RandomSource = cryptoRandomSource,
): void {
  if (!(std >= 0) || !Number.isFinite(std))
    throw new RangeError(`noise std must be finite and ≥ 0, got ${std}`);
  if (std === 0) return;
  const pairs = Math.ceil(target.length / 2);
  const u = new Float64Array(2 * pairs);
  fillUniform53(source, u);
  for (let i = 0; i < pairs; i += 1) {
    const u1 = 1 - u[2 * i]!; // (0, 1]: log is finite
    const u2 = u[2 * i + 1]!;
    const r = Math.sqrt(-2 * Math.log(u1)) * std;
    const theta = 2 * Math.PI * u2;
    target[2 * i] = target[2 * i]! + r * Math.cos(theta);
    if (2 * i + 1 < target.length) target[2 * i + 1] = target[2 * i + 1]! + r * Math.sin(theta);
  }
}

/** A fresh vector of N(0, std²) samples. */
export function gaussianNoise(
  length: number,
  std: number,
  source: RandomSource = cryptoRandomSource,
): Float32Array {
  const out = new Float32Array(length);
  addGaussianNoise(out, std, source);
  return out;
}
