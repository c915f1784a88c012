/**
 * Discretised PRVs: discretisation with mean correction, composition by FFT (self
 * composition) and by linear convolution (heterogeneous composition), and the (ε, δ)
 * curve with its error bounds.
 *
 * Gopi, Lee, Wutschitz, "Numerical Composition of Differential Privacy", NeurIPS 2021
 * (arXiv:2106.02848), Algorithm 1 and Theorem 5.5; ported from Opacus
 * opacus/accountants/analysis/prv/{prvs.py (DiscretePRV, discretize), compose.py}.
 */
import { ConfidantError } from '../shared/confidantError.js';
import { type Domain, domainPoints, domainStep, shiftDomainRight } from './prvDomain.js';
import type { TruncatedPrv } from './prvDistribution.js';
import { convolveSame, irfft, rfft } from './realFft.js';

export interface DiscretePrv {
  readonly pmf: Float64Array;
  readonly domain: Domain;
}

export interface EpsilonBounds {
  lower: number;
  estimate: number;
  upper: number;
  /** The ε error the bounds carry, when wider than the accountant's own (a coarser mesh for a large ε). */
  epsError?: number;
}

/** Neumaier-compensated dot product. */
function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! * b[i]!;
    const t = sum + x;
    c += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return sum + c;
}

/** Mass of each grid cell, then a shift of the grid so the discrete mean equals the true mean. */
export function discretize(prv: TruncatedPrv, domain: Domain): DiscretePrv {
  const ts = domainPoints(domain);
  const half = domainStep(domain) / 2;
  const pmf = new Float64Array(ts.length);
  // Cell i is [ts[i] − dt/2, ts[i] + dt/2]; each edge's CDF is computed once and shared by the
  // two cells it bounds (Opacus evaluates both sides separately; the values agree to rounding).
  let left = prv.cdf(ts[0]! - half);
  for (let i = 0; i < ts.length; i++) {
    const right = prv.cdf(ts[i]! + half);
    pmf[i] = right - left;
    left = right;
  }
  const meanShift = prv.mean() - dot(ts, pmf);
  if (Math.abs(meanShift) >= half) {
    throw new Error('PRV discretisation: the discrete mean differs significantly from the continuous mean');
  }
  return { pmf, domain: shiftDomainRight(domain, meanShift) };
}

/** Complex power z^n by repeated squaring. */
function complexPower(re: number, im: number, n: number): [number, number] {
  let rr = 1;
  let ri = 0;
  let br = re;
  let bi = im;
  for (let e = n; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) {
      const t = rr * br - ri * bi;
      ri = rr * bi + ri * br;
      rr = t;
    }
    const t = br * br - bi * bi;
    bi = 2 * br * bi;
    br = t;
  }
  return [rr, ri];
}

/** n-fold self composition: the pmf's rfft raised to the n-th power, then re-centred. */
export function composeSelf(dprv: DiscretePrv, n: number): DiscretePrv {
  const size = dprv.pmf.length;
  if (size % 2 !== 0) throw new Error('Can only compose evenly sized discrete PRVs');
  const spectrum = rfft(dprv.pmf);
  for (let k = 0; k < spectrum.re.length; k++) {
    const [r, i] = complexPower(spectrum.re[k]!, spectrum.im[k]!, n);
    spectrum.re[k] = r;
    spectrum.im[k] = i;
  }
  const circular = irfft(spectrum, size);
  let roll = n - 1;
  if (n % 2 === 0) roll += size / 2;
  roll %= size;
  const pmf = new Float64Array(size);
  for (let i = 0; i < size; i++) pmf[(i + roll) % size] = circular[i]!;
  return { pmf, domain: shiftDomainRight(dprv.domain, dprv.domain.shifts * (n - 1)) };
}

function composeTwo(left: DiscretePrv, right: DiscretePrv): DiscretePrv {
  return {
    pmf: convolveSame(left.pmf, right.pmf),
    domain: shiftDomainRight(left.domain, right.domain.shifts),
  };
}

/** Self-compose each PRV, then convolve neighbours pairwise until one is left (Opacus order). */
export function composeHeterogeneous(dprvs: readonly DiscretePrv[], counts: readonly number[]): DiscretePrv {
  if (dprvs.length !== counts.length || dprvs.length === 0) {
    throw new Error('composeHeterogeneous: need one count per PRV, and at least one PRV');
  }
  let level = dprvs.map((d, k) => composeSelf(d, counts[k]!));
  while (level.length > 1) {
    const next: DiscretePrv[] = [];
    if (level.length % 2 === 1) next.push(level.pop()!);
    for (let k = 0; k + 1 < level.length; k += 2) next.push(composeTwo(level[k]!, level[k + 1]!));
    level = next;
  }
  return level[0]!;
}

/** Refuses a δ below what float64 sums over `size` grid points can resolve (as Opacus does). */
export function assertDeltaResolvable(size: number, delta: number, deltaError: number): void {
  if (Number.EPSILON * size > delta - deltaError) {
    throw new ConfidantError(
      'accountant.delta-too-small',
      `the PRV accountant cannot resolve delta = ${delta}: floating-point error would dominate`,
      { where: { field: 'delta' }, hint: 'use a larger delta, or the RDP accountant' },
    );
  }
}

/** Lower bound, estimate and upper bound of ε at δ (Gopi et al. Theorem 5.5). */
export function epsilonBounds(
  dprv: DiscretePrv,
  delta: number,
  deltaError: number,
  epsError: number,
): EpsilonBounds {
  const { pmf } = dprv;
  const n = pmf.length;
  assertDeltaResolvable(n, delta, deltaError);
  const t = domainPoints(dprv.domain);
  const d1 = new Float64Array(n);
  const d2 = new Float64Array(n);
  let s1 = 0;
  let s2 = 0;
  for (let i = n - 1; i >= 0; i--) {
    s1 += pmf[i]!;
    s2 += pmf[i]! * Math.exp(-t[i]!);
    d1[i] = s1;
    d2[i] = s2;
  }
  const nDelta = new Float64Array(n);
  for (let i = 0; i < n; i++) nDelta[i] = Math.exp(t[i]!) * d2[i]! - d1[i]!;
  const find = (target: number): number => {
    // numpy.searchsorted(nDelta, -target, side='left')
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = lo + ((hi - lo) >> 1);
      if (nDelta[mid]! < -target) lo = mid + 1;
      else hi = mid;
    }
    if (lo <= 0 || lo >= n) throw new RangeError('PRV accountant: cannot compute epsilon for this delta');
    return Math.log((d1[lo]! - target) / d2[lo]!);
  };
  return {
    lower: find(delta + deltaError) - epsError,
    estimate: find(delta),
    upper: find(delta - deltaError) + epsError,
  };
}
