/**
 * Real-input transforms on top of ./fft.ts, with numpy.fft.rfft / irfft semantics
 * (even lengths only), and the linear convolution of SciPy's signal.convolve(mode='same').
 * A real signal of even length N is packed as N/2 complex values (even samples real,
 * odd samples imaginary) so one complex DFT of length N/2 does the work.
 */
import { dft, fftRadix2InPlace, nextPowerOfTwo } from './fft.js';

export interface Spectrum {
  re: Float64Array;
  im: Float64Array;
}

/** The N/2 + 1 non-negative-frequency bins of the DFT of a real signal of even length N. */
export function rfft(x: Float64Array): Spectrum {
  const n = x.length;
  if (n % 2 !== 0 || n === 0) throw new RangeError(`rfft: length must be even and positive, got ${n}`);
  const h = n / 2;
  const zRe = new Float64Array(h);
  const zIm = new Float64Array(h);
  for (let k = 0; k < h; k++) {
    zRe[k] = x[2 * k]!;
    zIm[k] = x[2 * k + 1]!;
  }
  const z = dft(zRe, zIm);
  const re = new Float64Array(h + 1);
  const im = new Float64Array(h + 1);
  for (let k = 0; k <= h; k++) {
    const a = k % h;
    const b = (h - k) % h;
    const zr = z.re[a]!;
    const zi = z.im[a]!;
    const cr = z.re[b]!;
    const ci = -z.im[b]!; // conj(Z_{h−k})
    const er = (zr + cr) / 2; // even part
    const ei = (zi + ci) / 2;
    const orr = (zi - ci) / 2; // odd part = (Z − conj)/(2i)
    const oi = -(zr - cr) / 2;
    const angle = (-Math.PI * k) / h;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    re[k] = er + (orr * wr - oi * wi);
    im[k] = ei + (orr * wi + oi * wr);
  }
  return { re, im };
}

/** Inverse of rfft: a real signal of even length n from its n/2 + 1 bins. */
export function irfft(spectrum: Spectrum, n: number): Float64Array {
  const h = n / 2;
  if (n % 2 !== 0 || spectrum.re.length !== h + 1) throw new RangeError('irfft: bad length');
  const zRe = new Float64Array(h);
  const zIm = new Float64Array(h);
  for (let k = 0; k < h; k++) {
    const xr = spectrum.re[k]!;
    // numpy ignores the imaginary part of the DC and Nyquist bins
    const xi = k === 0 ? 0 : spectrum.im[k]!;
    const yr = spectrum.re[h - k]!;
    const yi = h - k === h || h - k === 0 ? 0 : -spectrum.im[h - k]!; // conj(X_{h−k})
    const er = (xr + yr) / 2;
    const ei = (xi + yi) / 2;
    const dr = (xr - yr) / 2;
    const di = (xi - yi) / 2;
    const angle = (Math.PI * k) / h;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    const orr = dr * wr - di * wi;
    const oi = dr * wi + di * wr;
    zRe[k] = er - oi; // Z = E + i·O
    zIm[k] = ei + orr;
  }
  const z = dft(zRe, zIm, true);
  const x = new Float64Array(n);
  for (let k = 0; k < h; k++) {
    x[2 * k] = z.re[k]!;
    x[2 * k + 1] = z.im[k]!;
  }
  return x;
}

/**
 * Linear convolution of two equal-length real signals, keeping the central part of the
 * same length, as scipy.signal.convolve(a, b, mode='same').
 */
export function convolveSame(a: Float64Array, b: Float64Array): Float64Array {
  const n = a.length;
  if (b.length !== n) throw new RangeError('convolveSame: signals must have the same length');
  const size = nextPowerOfTwo(2 * n - 1);
  // Pack a in the real part and b in the imaginary part: one complex FFT gives both spectra.
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  re.set(a);
  im.set(b);
  fftRadix2InPlace(re, im);
  const pr = new Float64Array(size);
  const pi = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    const j = (size - k) % size;
    const zr = re[k]!;
    const zi = im[k]!;
    const cr = re[j]!;
    const ci = -im[j]!;
    const ar = (zr + cr) / 2;
    const ai = (zi + ci) / 2;
    const br = (zi - ci) / 2;
    const bi = -(zr - cr) / 2;
    pr[k] = ar * br - ai * bi;
    pi[k] = ar * bi + ai * br;
  }
  fftRadix2InPlace(pr, pi, true);
  const start = Math.floor((n - 1) / 2);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = pr[start + k]! / size;
  return out;
}
