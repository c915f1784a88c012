/**
 * Radix-2 complex fast Fourier transform (Cooley & Tukey 1965), iterative and in place on
 * separate real/imaginary Float64Arrays, plus Bluestein's chirp-z algorithm (Bluestein 1970)
 * for any length, built on the radix-2 transform. Sign convention as numpy/SciPy:
 * forward X_k = Σ x_n e^{−2πikn/N}; the inverse includes the 1/N factor.
 */

const twiddleCache = new Map<number, { cos: Float64Array; sin: Float64Array }>();

function twiddles(n: number): { cos: Float64Array; sin: Float64Array } {
  let t = twiddleCache.get(n);
  if (!t) {
    const half = n >> 1;
    const cos = new Float64Array(half);
    const sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      const angle = (-2 * Math.PI * k) / n;
      cos[k] = Math.cos(angle);
      sin[k] = Math.sin(angle);
    }
    t = { cos, sin };
    if (twiddleCache.size > 8) twiddleCache.clear();
    twiddleCache.set(n, t);
  }
  return t;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Stages whose butterflies stay inside blocks of this many points run block by block (in cache). */
const CACHE_BLOCK = 1 << 12;

/**
 * In-place radix-2 FFT of (re, im), whose length must be a power of two.
 * `inverse` computes the unnormalised inverse (no 1/N factor).
 */
export function fftRadix2InPlace(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (im.length !== n) throw new RangeError('fft: re and im must have the same length');
  if (!isPowerOfTwo(n)) throw new RangeError(`fft: length ${n} is not a power of two`);
  if (n === 1) return;
  bitReverse(re, im);
  const { cos, sin } = twiddles(n);
  const sign = inverse ? -1 : 1;
  const oddLog = Math.log2(n) % 2 === 1;
  // Stages are decimation in time: after bit reversal, the stage of size s only mixes points
  // inside aligned blocks of s points, so all stages up to CACHE_BLOCK run block by block.
  const block = Math.min(n, CACHE_BLOCK);
  let qFirstLarge = oddLog ? 2 : 1;
  while (4 * qFirstLarge <= block) qFirstLarge *= 4;
  for (let from = 0; from < n; from += block) {
    let q = 1;
    if (oddLog) {
      radix2Stage(re, im, from, from + block);
      q = 2;
    }
    for (; 4 * q <= block; q *= 4) radix4Stage(re, im, q, from, from + block, n, cos, sin, sign);
  }
  for (let q = qFirstLarge; 4 * q <= n; q *= 4) radix4Stage(re, im, q, 0, n, n, cos, sin, sign);
}

const bitReverseCache = new Map<number, Uint32Array>();

function bitReverse(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  let table = bitReverseCache.get(n);
  if (!table) {
    table = new Uint32Array(n);
    const bits = Math.log2(n);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0, x = i; b < bits; b++, x >>= 1) r = (r << 1) | (x & 1);
      table[i] = r;
    }
    if (bitReverseCache.size > 8) bitReverseCache.clear();
    bitReverseCache.set(n, table);
  }
  for (let i = 0; i < n; i++) {
    const j = table[i]!;
    if (i < j) {
      const tr = re[i]!;
      re[i] = re[j]!;
      re[j] = tr;
      const ti = im[i]!;
      im[i] = im[j]!;
      im[j] = ti;
    }
  }
}

function radix2Stage(re: Float64Array, im: Float64Array, from: number, to: number): void {
  for (let a = from; a < to; a += 2) {
    const ar = re[a]!;
    const ai = im[a]!;
    const br = re[a + 1]!;
    const bi = im[a + 1]!;
    re[a] = ar + br;
    im[a] = ai + bi;
    re[a + 1] = ar - br;
    im[a + 1] = ai - bi;
  }
}

/** Two radix-2 stages fused (radix-2²): combines 4 transforms of q points into one of 4q. */
function radix4Stage(
  re: Float64Array,
  im: Float64Array,
  q: number,
  from: number,
  to: number,
  n: number,
  cos: Float64Array,
  sin: Float64Array,
  sign: number,
): void {
  const size = 4 * q;
  const step4 = n / size; // W_{4q}^k = W_n^{k·step4}
  for (let start = from; start < to; start += size) {
    for (let k = 0; k < q; k++) {
      const t1 = k * step4;
      const w1r = cos[t1]!;
      const w1i = sign * sin[t1]!;
      const w2r = cos[2 * t1]!;
      const w2i = sign * sin[2 * t1]!;
      const i0 = start + k;
      const i1 = i0 + q;
      const i2 = i1 + q;
      const i3 = i2 + q;
      // First level: combine (F0, F1) and (F2, F3) with W_{2q}^k.
      const x1r = re[i1]!;
      const x1i = im[i1]!;
      const x3r = re[i3]!;
      const x3i = im[i3]!;
      const f1r = x1r * w2r - x1i * w2i;
      const f1i = x1r * w2i + x1i * w2r;
      const f3r = x3r * w2r - x3i * w2i;
      const f3i = x3r * w2i + x3i * w2r;
      const f0r = re[i0]!;
      const f0i = im[i0]!;
      const f2r = re[i2]!;
      const f2i = im[i2]!;
      const a0r = f0r + f1r;
      const a0i = f0i + f1i;
      const a1r = f0r - f1r;
      const a1i = f0i - f1i;
      const b0r = f2r + f3r;
      const b0i = f2i + f3i;
      const b1r = f2r - f3r;
      const b1i = f2i - f3i;
      // Second level with W_{4q}^k; W_{4q}^q = −i (forward) or +i (inverse).
      const c0r = b0r * w1r - b0i * w1i;
      const c0i = b0r * w1i + b0i * w1r;
      const c1r = b1r * w1r - b1i * w1i;
      const c1i = b1r * w1i + b1i * w1r;
      re[i0] = a0r + c0r;
      im[i0] = a0i + c0i;
      re[i2] = a0r - c0r;
      im[i2] = a0i - c0i;
      re[i1] = a1r + sign * c1i;
      im[i1] = a1i - sign * c1r;
      re[i3] = a1r - sign * c1i;
      im[i3] = a1i + sign * c1r;
    }
  }
}

interface BluesteinPlan {
  m: number;
  size: number;
  chirpRe: Float64Array;
  chirpIm: Float64Array;
  kernelRe: Float64Array;
  kernelIm: Float64Array;
}

const bluesteinCache = new Map<number, BluesteinPlan>();

function bluesteinPlan(m: number): BluesteinPlan {
  let plan = bluesteinCache.get(m);
  if (plan) return plan;
  const size = nextPowerOfTwo(2 * m - 1);
  const chirpRe = new Float64Array(m);
  const chirpIm = new Float64Array(m);
  const twoM = 2 * m;
  for (let k = 0; k < m; k++) {
    // exp(−iπk²/m), with k² reduced mod 2m exactly (k² < 2^53 for any length we use).
    const angle = (-Math.PI * ((k * k) % twoM)) / m;
    chirpRe[k] = Math.cos(angle);
    chirpIm[k] = Math.sin(angle);
  }
  const kernelRe = new Float64Array(size);
  const kernelIm = new Float64Array(size);
  kernelRe[0] = chirpRe[0]!;
  kernelIm[0] = -chirpIm[0]!;
  for (let k = 1; k < m; k++) {
    kernelRe[k] = kernelRe[size - k] = chirpRe[k]!;
    kernelIm[k] = kernelIm[size - k] = -chirpIm[k]!;
  }
  fftRadix2InPlace(kernelRe, kernelIm);
  plan = { m, size, chirpRe, chirpIm, kernelRe, kernelIm };
  if (bluesteinCache.size > 4) bluesteinCache.clear();
  bluesteinCache.set(m, plan);
  return plan;
}

/**
 * Discrete Fourier transform of any length (radix-2 directly when the length is a power of
 * two, Bluestein otherwise). Returns new arrays; `inverse` applies the 1/N factor.
 */
export function dft(
  re: Float64Array,
  im: Float64Array,
  inverse = false,
): { re: Float64Array; im: Float64Array } {
  const m = re.length;
  if (isPowerOfTwo(m)) {
    const outRe = Float64Array.from(re);
    const outIm = Float64Array.from(im);
    fftRadix2InPlace(outRe, outIm, inverse);
    if (inverse) scale(outRe, outIm, 1 / m);
    return { re: outRe, im: outIm };
  }
  // The inverse DFT is the conjugate of the forward DFT of the conjugate.
  const s = inverse ? -1 : 1;
  const { size, chirpRe, chirpIm, kernelRe, kernelIm } = bluesteinPlan(m);
  const aRe = new Float64Array(size);
  const aIm = new Float64Array(size);
  for (let k = 0; k < m; k++) {
    const xr = re[k]!;
    const xi = s * im[k]!;
    const cr = chirpRe[k]!;
    const ci = chirpIm[k]!;
    aRe[k] = xr * cr - xi * ci;
    aIm[k] = xr * ci + xi * cr;
  }
  fftRadix2InPlace(aRe, aIm);
  for (let k = 0; k < size; k++) {
    const ar = aRe[k]!;
    const ai = aIm[k]!;
    const br = kernelRe[k]!;
    const bi = kernelIm[k]!;
    aRe[k] = ar * br - ai * bi;
    aIm[k] = ar * bi + ai * br;
  }
  fftRadix2InPlace(aRe, aIm, true);
  const outRe = new Float64Array(m);
  const outIm = new Float64Array(m);
  const norm = inverse ? 1 / (size * m) : 1 / size;
  for (let k = 0; k < m; k++) {
    const ar = aRe[k]!;
    const ai = aIm[k]!;
    const cr = chirpRe[k]!;
    const ci = chirpIm[k]!;
    outRe[k] = (ar * cr - ai * ci) * norm;
    outIm[k] = s * (ar * ci + ai * cr) * norm;
  }
  return { re: outRe, im: outIm };
}

function scale(re: Float64Array, im: Float64Array, factor: number): void {
  for (let k = 0; k < re.length; k++) {
    re[k] = re[k]! * factor;
    im[k] = im[k]! * factor;
  }
}
