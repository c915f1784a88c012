// Shared by the native-kernel tests: seeded random values, and running one computation on
// the tfjs cpu backend and on `native` and comparing them (max-norm relative error).
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/** Uniform values in [low, high) from a fixed seed (mulberry32). */
export function randomValues(size: number, seed: number, low = -1, high = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i += 1) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = low + (((t ^ (t >>> 14)) >>> 0) / 4294967296) * (high - low);
  }
  return out;
}

export const sizeOf = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);

/**
 * Runs f on the cpu backend and on `native`; shapes and dtypes must be equal, values within
 * `tolerance` of the largest reference magnitude (non-finite values must match exactly).
 */
export async function compareWithCpu(f: () => tf.Tensor, tolerance = 1e-5): Promise<void> {
  const run = async (backend: string) => {
    expect(await tf.setBackend(backend)).toBe(true);
    const t = tf.tidy(f);
    const out = { shape: t.shape, dtype: t.dtype, values: Float64Array.from(await t.data()) };
    t.dispose();
    return out;
  };
  const ref = await run('cpu');
  const got = await run('native');
  expect(got.shape).toEqual(ref.shape);
  expect(got.dtype).toBe(ref.dtype);
  let diff = 0;
  let scale = 0;
  ref.values.forEach((r, i) => {
    const g = got.values[i] ?? NaN;
    if (!Number.isFinite(r)) {
      expect(g).toBe(r);
      return;
    }
    diff = Math.max(diff, Math.abs(g - r));
    scale = Math.max(scale, Math.abs(r));
  });
  expect(diff / (scale + 1e-30)).toBeLessThan(tolerance);
}
