/**
 * The uniform grid on which PRVs are discretised, and the safe size of that grid.
 *
 * Gopi, Lee, Wutschitz 2021 (arXiv:2106.02848), Remark 5.6: the domain [−L, L] is chosen
 * from RDP bounds so that the truncated mass is below δ_error; ported from Opacus
 * opacus/accountants/analysis/prv/domain.py (Domain, compute_safe_domain_size).
 */
import type { Segment } from './accountant.js';
import { epsilonFromRdp } from './rdpConversion.js';
import { DEFAULT_RDP_ORDERS, sampledGaussianRdpCurve } from './sampledGaussianRdp.js';

export interface Domain {
  readonly tMin: number;
  readonly tMax: number;
  /** Number of grid points (always even). */
  readonly size: number;
  /** Total right shift applied since alignment (mean corrections of composed PRVs). */
  readonly shifts: number;
}

export function domainStep(domain: Domain): number {
  return (domain.tMax - domain.tMin) / (domain.size - 1);
}

/** The grid points, exactly as numpy.linspace(tMin, tMax, size). */
export function domainPoints(domain: Domain): Float64Array {
  const { tMin, tMax, size } = domain;
  const step = (tMax - tMin) / (size - 1);
  const ts = new Float64Array(size);
  for (let i = 0; i < size; i++) ts[i] = i * step + tMin;
  ts[size - 1] = tMax;
  return ts;
}

export function shiftDomainRight(domain: Domain, dt: number): Domain {
  return { tMin: domain.tMin + dt, tMax: domain.tMax + dt, size: domain.size, shifts: domain.shifts + dt };
}

/** Round half to even, like numpy.round. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** A grid of step dt whose end points are multiples of dt, with an even number of points. */
export function createAlignedDomain(tMin: number, tMax: number, dt: number): Domain {
  const lo = Math.floor(tMin / dt) * dt;
  let hi = Math.ceil(tMax / dt) * dt;
  let size = roundHalfEven((hi - lo) / dt) + 1;
  if (size % 2 === 1) {
    size += 1;
    hi += dt;
  }
  const domain: Domain = { tMin: lo, tMax: hi, size, shifts: 0 };
  if (Math.abs(domainStep(domain) - dt) / dt >= 1e-8) {
    throw new Error(`PRV domain alignment failed (dt=${dt}, size=${size})`);
  }
  return domain;
}

/** Opacus's RDPAccountant.get_epsilon (tight conversion, default orders, no rounding). */
function rdpEpsilon(history: readonly Segment[], delta: number): number {
  const total = new Array<number>(DEFAULT_RDP_ORDERS.length).fill(0);
  for (const { q, sigma, steps } of history) {
    sampledGaussianRdpCurve(q, sigma, steps).forEach((r, k) => (total[k]! += r));
  }
  return epsilonFromRdp(DEFAULT_RDP_ORDERS, total, delta).epsilon;
}

/** Half-width L of the PRV domain [−L, L] (Gopi et al. Remark 5.6, as Opacus computes it). */
export function safeDomainSize(history: readonly Segment[], epsError: number, deltaError: number): number {
  const totalCompositions = history.reduce((n, s) => n + s.steps, 0);
  let lMax = rdpEpsilon(history, deltaError / 4);
  for (const { q, sigma } of history) {
    lMax = Math.max(lMax, rdpEpsilon([{ q, sigma, steps: 1 }], deltaError / (8 * totalCompositions)));
  }
  return Math.max(lMax, epsError) + 3;
}
