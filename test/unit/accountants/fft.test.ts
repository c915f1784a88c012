/**
 * The radix-2 FFT, Bluestein's any-length DFT, the real transforms and 'same' convolution
 * (src-main/accountants/fft.ts, realFft.ts), checked against slow O(N²) reference
 * implementations written here from the DFT definition (numpy.fft sign convention).
 */
import { describe, expect, it } from 'vitest';
import { dft, fftRadix2InPlace } from '../../../src-main/accountants/fft';
import { convolveSame, irfft, rfft } from '../../../src-main/accountants/realFft';

function naiveDft(re: Float64Array, im: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const angle = (-2 * Math.PI * ((k * j) % n)) / n;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      outRe[k] = outRe[k]! + re[j]! * c - im[j]! * s;
      outIm[k] = outIm[k]! + re[j]! * s + im[j]! * c;
    }
  }
  return { re: outRe, im: outIm };
}

function signal(n: number, seed: number): Float64Array {
  return Float64Array.from(
    { length: n },
    (_, i) => Math.sin(seed * (i + 1) * 1.37) + 0.25 * Math.cos(i * seed),
  );
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('fft', () => {
  it.each([1, 2, 4, 8, 32, 64, 256, 1024])('radix-2 FFT of length %i equals the naive DFT', (n) => {
    const re = signal(n, 1);
    const im = signal(n, 2);
    const want = naiveDft(re, im);
    const gotRe = Float64Array.from(re);
    const gotIm = Float64Array.from(im);
    fftRadix2InPlace(gotRe, gotIm);
    expect(maxAbsDiff(gotRe, want.re)).toBeLessThan(1e-9);
    expect(maxAbsDiff(gotIm, want.im)).toBeLessThan(1e-9);
  });

  it.each([3, 6, 10, 12, 100, 250, 998])(
    'Bluestein DFT of length %i equals the naive DFT and inverts',
    (n) => {
      const re = signal(n, 3);
      const im = signal(n, 4);
      const want = naiveDft(re, im);
      const got = dft(re, im);
      expect(maxAbsDiff(got.re, want.re)).toBeLessThan(1e-9);
      expect(maxAbsDiff(got.im, want.im)).toBeLessThan(1e-9);
      const back = dft(got.re, got.im, true);
      expect(maxAbsDiff(back.re, re)).toBeLessThan(1e-12);
      expect(maxAbsDiff(back.im, im)).toBeLessThan(1e-12);
    },
  );

  it('rejects lengths that are not powers of two in the radix-2 kernel', () => {
    expect(() => fftRadix2InPlace(new Float64Array(6), new Float64Array(6))).toThrow(/power of two/);
  });

  it.each([2, 8, 14, 64, 250, 1000])(
    'rfft of even length %i gives the first N/2+1 DFT bins; irfft inverts',
    (n) => {
      const x = signal(n, 5);
      const want = naiveDft(x, new Float64Array(n));
      const got = rfft(x);
      expect(got.re.length).toBe(n / 2 + 1);
      expect(maxAbsDiff(got.re, want.re.subarray(0, n / 2 + 1))).toBeLessThan(1e-9);
      expect(maxAbsDiff(got.im, want.im.subarray(0, n / 2 + 1))).toBeLessThan(1e-9);
      expect(maxAbsDiff(irfft(got, n), x)).toBeLessThan(1e-12);
    },
  );

  it("convolveSame equals the central part of the direct convolution (scipy.signal.convolve mode='same')", () => {
    for (const n of [1, 2, 5, 8, 33]) {
      const a = signal(n, 6);
      const b = signal(n, 7);
      const full = new Float64Array(2 * n - 1);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) full[i + j] = full[i + j]! + a[i]! * b[j]!;
      const start = Math.floor((n - 1) / 2);
      expect(maxAbsDiff(convolveSame(a, b), full.subarray(start, start + n))).toBeLessThan(1e-12);
    }
    // scipy.signal.convolve([1, 2, 3, 4], [0, 1, 0.5, 0], mode='same') == [1, 2.5, 4, 5.5]
    const same = convolveSame(Float64Array.from([1, 2, 3, 4]), Float64Array.from([0, 1, 0.5, 0]));
    expect(Array.from(same).map((v) => Number(v.toFixed(12)))).toEqual([1, 2.5, 4, 5.5]);
  });
});
