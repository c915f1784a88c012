/**
 * The small products of LoRA (Hu et al. 2021) around the big fused matmuls:
 * - `loraProject`: Y[m, j] = s · Σ_k X[m, k] · W[j·sJ + k·sK] — U = x Aᵀ in the forward
 *   (W = A [r, in]) and dU = s · dy B in the backward (W = B [out, r] read transposed).
 * - `loraGrads`: the gradients dB = s · dyᵀ U and dA = dUᵀ x as sums of per-token outer
 *   products over a group of tokens. With one group per sequence these ARE the per-example
 *   gradients of DP-SGD, computed directly (no per-example copies of A and B); with one group
 *   for the whole batch, the summed gradient.
 */
import type { Dispatch, GpuRuntime } from '../gpuRuntime.js';
import { f32Bits } from '../gpuRuntime.js';
import { FLAT_ENTRY, flatGrid } from './linearIndex.js';

const PROJECT = `
struct Params { m: u32, r: u32, k: u32, ldx: u32, xOff: u32, sJ: u32, sK: u32, ldy: u32, scale: f32, wOff: u32, p0: u32, p1: u32 };
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;
${FLAT_ENTRY}
  if (i >= p.m * p.r) { return; }
  let m = i / p.r;
  let j = i % p.r;
  var acc = 0.0;
  for (var k = 0u; k < p.k; k = k + 1u) {
    acc = fma(X[p.xOff + m * p.ldx + k], W[p.wOff + j * p.sJ + k * p.sK], acc);
  }
  Y[m * p.ldy + j] = p.scale * acc;
}`;

export function loraProject(
  rt: GpuRuntime,
  b: { x: GPUBuffer; w: GPUBuffer; y: GPUBuffer },
  s: {
    m: number;
    r: number;
    k: number;
    ldx: number;
    xOff: number;
    wOff: number;
    sJ: number;
    sK: number;
    scale: number;
  },
  label: string,
): Dispatch {
  const u = rt.uniform(
    new Uint32Array([s.m, s.r, s.k, s.ldx, s.xOff, s.sJ, s.sK, s.r, f32Bits(s.scale), s.wOff, 0, 0]),
    label,
  );
  return rt.dispatch(rt.pipeline('lora-project', PROJECT), [b.x, b.w, b.y, u], flatGrid(s.m * s.r), label);
}

const GRADS = `
struct Params {
  groups: u32, rowsPerGroup: u32, outF: u32, r: u32, inF: u32, ldy: u32, yOff: u32, ldx: u32,
  gStride: u32, offB: u32, offA: u32, accumulate: u32, scale: f32, p0: u32, p1: u32, p2: u32,
};
@group(0) @binding(0) var<storage, read> dY: array<f32>;
@group(0) @binding(1) var<storage, read> U: array<f32>;
@group(0) @binding(2) var<storage, read> dU: array<f32>;
@group(0) @binding(3) var<storage, read> X: array<f32>;
@group(0) @binding(4) var<storage, read_write> G: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;
${FLAT_ENTRY}
  let nB = p.groups * p.outF * p.r;
  let nA = p.groups * p.r * p.inF;
  if (i >= nB + nA) { return; }
  var acc = 0.0;
  var o = 0u;
  var scale = 1.0;
  if (i < nB) {
    let j = i % p.r;
    let out = (i / p.r) % p.outF;
    let g = i / (p.r * p.outF);
    let n0 = g * p.rowsPerGroup;
    for (var n = n0; n < n0 + p.rowsPerGroup; n = n + 1u) {
      acc = fma(dY[n * p.ldy + p.yOff + out], U[n * p.r + j], acc);
    }
    o = g * p.gStride + p.offB + out * p.r + j;
    scale = p.scale;
  } else {
    let k = i - nB;
    let c = k % p.inF;
    let j = (k / p.inF) % p.r;
    let g = k / (p.inF * p.r);
    let n0 = g * p.rowsPerGroup;
    for (var n = n0; n < n0 + p.rowsPerGroup; n = n + 1u) {
      acc = fma(dU[n * p.r + j], X[n * p.ldx + c], acc);
    }
    o = g * p.gStride + p.offA + j * p.inF + c;
  }
  var v = scale * acc;
  if (p.accumulate != 0u) { v = v + G[o]; }
  G[o] = v;
}`;

/**
 * Both LoRA gradients of one module in one dispatch: dB[o, j] = s · Σ dY[n, o] U[n, j]
 * and dA[j, c] = Σ dU[n, j] X[n, c], summed over each group's tokens (a row: per-example;
 * the whole batch: summed), written (or added) at the module's offsets in G.
 */
export function loraGrads(
  rt: GpuRuntime,
  b: { dy: GPUBuffer; u: GPUBuffer; du: GPUBuffer; x: GPUBuffer; g: GPUBuffer },
  s: {
    groups: number;
    rowsPerGroup: number;
    outF: number;
    r: number;
    inF: number;
    ldy: number;
    yOff: number;
    ldx: number;
    gStride: number;
    offB: number;
    offA: number;
    scale: number;
    accumulate: boolean;
  },
  label: string,
): Dispatch {
  const u = rt.uniform(
    new Uint32Array([
      s.groups,
      s.rowsPerGroup,
      s.outF,
      s.r,
      s.inF,
      s.ldy,
      s.yOff,
      s.ldx,
      s.gStride,
      s.offB,
      s.offA,
      s.accumulate ? 1 : 0,
      f32Bits(s.scale),
      0,
      0,
      0,
    ]),
    label,
  );
  const threads = s.groups * (s.outF * s.r + s.r * s.inF);
  return rt.dispatch(
    rt.pipeline('lora-grads', GRADS),
    [b.dy, b.u, b.du, b.x, b.g, u],
    flatGrid(threads),
    label,
  );
}
