/**
 * Causal self-attention with a padding mask and grouped-query heads (Ainslie et al. 2023),
 * in the style of FlashAttention (Dao et al. 2022; Dao 2023, FlashAttention-2): the forward
 * keeps only the output and each query's log-sum-exp (an online softmax over the keys), never
 * the [B, H, T, T] probabilities; the backward recomputes them, one kernel per query for dQ
 * (which also saves Dᵢ = dOᵢ·Oᵢ) and one per key for dK and dV (summing the query heads of
 * its group), so no float atomics are needed. Query t of row b may attend key s when s ≤ t
 * and mask[b, s] = 1; a query with no such key gets a zero output.
 *
 * Rotary embeddings (Su et al. 2021) in the Hugging Face layout (rotate_half) are a separate
 * in-place kernel over q and k, and its transpose (rotation by −θ) over dq and dk.
 */
import type { Dispatch, GpuRuntime } from '../gpuRuntime.js';
import { f32Bits } from '../gpuRuntime.js';
import { FLAT_ENTRY, flatGrid } from './linearIndex.js';

/** Where q, k and v (or their gradients) sit: row stride and column offset of head 0. */
export interface HeadLayout {
  readonly ld: number;
  readonly off: number;
}

export interface AttentionShape {
  readonly batch: number;
  readonly time: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly q: HeadLayout;
  readonly k: HeadLayout;
  readonly v: HeadLayout;
}

const PARAMS = `
struct Params {
  batch: u32, time: u32, heads: u32, kvHeads: u32,
  ldq: u32, qOff: u32, ldk: u32, kOff: u32, ldv: u32, vOff: u32, scale: f32, pad: u32,
};`;

function params(rt: GpuRuntime, s: AttentionShape, label: string): GPUBuffer {
  return rt.uniform(
    new Uint32Array([
      s.batch,
      s.time,
      s.heads,
      s.kvHeads,
      s.q.ld,
      s.q.off,
      s.k.ld,
      s.k.off,
      s.v.ld,
      s.v.off,
      f32Bits(1 / Math.sqrt(s.headDim)),
      0,
    ]),
    label,
  );
}

function forwardSource(d: number): string {
  return `${PARAMS}
@group(0) @binding(0) var<storage, read> Q: array<f32>;
@group(0) @binding(1) var<storage, read> K: array<f32>;
@group(0) @binding(2) var<storage, read> V: array<f32>;
@group(0) @binding(3) var<storage, read> mask: array<f32>;
@group(0) @binding(4) var<storage, read_write> O: array<f32>;
@group(0) @binding(5) var<storage, read_write> lse: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;
const D: u32 = ${d}u;
${FLAT_ENTRY}
  if (i >= p.batch * p.heads * p.time) { return; }
  let t = i % p.time;
  let h = (i / p.time) % p.heads;
  let b = i / (p.time * p.heads);
  let g = h / (p.heads / p.kvHeads);
  let qb = (b * p.time + t) * p.ldq + p.qOff + h * D;
  var q: array<f32, ${d}>;
  var acc: array<f32, ${d}>;
  for (var d = 0u; d < D; d = d + 1u) { q[d] = Q[qb + d] * p.scale; acc[d] = 0.0; }
  var m = -3.0e38;
  var l = 0.0;
  for (var s = 0u; s <= t; s = s + 1u) {
    if (mask[b * p.time + s] == 0.0) { continue; }
    let kb = (b * p.time + s) * p.ldk + p.kOff + g * D;
    var score = 0.0;
    for (var d = 0u; d < D; d = d + 1u) { score = fma(q[d], K[kb + d], score); }
    let mNew = max(m, score);
    let corr = exp(m - mNew);
    let e = exp(score - mNew);
    l = l * corr + e;
    let vb = (b * p.time + s) * p.ldv + p.vOff + g * D;
    for (var d = 0u; d < D; d = d + 1u) { acc[d] = acc[d] * corr + e * V[vb + d]; }
    m = mNew;
  }
  let ob = (b * p.time + t) * (p.heads * D) + h * D;
  let inv = select(0.0, 1.0 / l, l > 0.0);
  for (var d = 0u; d < D; d = d + 1u) { O[ob + d] = acc[d] * inv; }
  lse[i] = select(0.0, m + log(l), l > 0.0);
}`;
}

function backwardQuerySource(d: number): string {
  return `${PARAMS}
@group(0) @binding(0) var<storage, read> Q: array<f32>;
@group(0) @binding(1) var<storage, read> K: array<f32>;
@group(0) @binding(2) var<storage, read> V: array<f32>;
@group(0) @binding(3) var<storage, read> mask: array<f32>;
@group(0) @binding(4) var<storage, read> O: array<f32>;
@group(0) @binding(5) var<storage, read> lse: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;
@group(0) @binding(7) var<storage, read> dO: array<f32>;
@group(0) @binding(8) var<storage, read_write> dQ: array<f32>;
@group(0) @binding(9) var<storage, read_write> Di: array<f32>;
const D: u32 = ${d}u;
${FLAT_ENTRY}
  if (i >= p.batch * p.heads * p.time) { return; }
  let t = i % p.time;
  let h = (i / p.time) % p.heads;
  let b = i / (p.time * p.heads);
  let g = h / (p.heads / p.kvHeads);
  let qb = (b * p.time + t) * p.ldq + p.qOff + h * D;
  let ob = (b * p.time + t) * (p.heads * D) + h * D;
  var q: array<f32, ${d}>;
  var go: array<f32, ${d}>;
  var dq: array<f32, ${d}>;
  var di = 0.0;
  for (var d = 0u; d < D; d = d + 1u) {
    q[d] = Q[qb + d] * p.scale;
    go[d] = dO[ob + d];
    dq[d] = 0.0;
    di = fma(go[d], O[ob + d], di);
  }
  Di[i] = di;
  let l = lse[i];
  for (var s = 0u; s <= t; s = s + 1u) {
    if (mask[b * p.time + s] == 0.0) { continue; }
    let kb = (b * p.time + s) * p.ldk + p.kOff + g * D;
    let vb = (b * p.time + s) * p.ldv + p.vOff + g * D;
    var score = 0.0;
    var dp = 0.0;
    for (var d = 0u; d < D; d = d + 1u) {
      score = fma(q[d], K[kb + d], score);
      dp = fma(go[d], V[vb + d], dp);
    }
    let ds = exp(score - l) * (dp - di);
    for (var d = 0u; d < D; d = d + 1u) { dq[d] = fma(ds, K[kb + d], dq[d]); }
  }
  for (var d = 0u; d < D; d = d + 1u) { dQ[qb + d] = dq[d] * p.scale; }
}`;
}

function backwardKeySource(d: number, shared: boolean): string {
  return `${PARAMS}
@group(0) @binding(0) var<storage, read> Q: array<f32>;
@group(0) @binding(1) var<storage, read> K: array<f32>;
@group(0) @binding(2) var<storage, read> V: array<f32>;
@group(0) @binding(3) var<storage, read> mask: array<f32>;
@group(0) @binding(4) var<storage, read> Di: array<f32>;
@group(0) @binding(5) var<storage, read> lse: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;
@group(0) @binding(7) var<storage, read> dO: array<f32>;
${
  shared
    ? '@group(0) @binding(8) var<storage, read_write> dKV: array<f32>;'
    : '@group(0) @binding(8) var<storage, read_write> dK: array<f32>;\n@group(0) @binding(9) var<storage, read_write> dV: array<f32>;'
}
const D: u32 = ${d}u;
${FLAT_ENTRY}
  if (i >= p.batch * p.kvHeads * p.time) { return; }
  let s = i % p.time;
  let g = (i / p.time) % p.kvHeads;
  let b = i / (p.time * p.kvHeads);
  let rep = p.heads / p.kvHeads;
  let kb = (b * p.time + s) * p.ldk + p.kOff + g * D;
  let vb = (b * p.time + s) * p.ldv + p.vOff + g * D;
  var k: array<f32, ${d}>;
  var v: array<f32, ${d}>;
  var dk: array<f32, ${d}>;
  var dv: array<f32, ${d}>;
  for (var d = 0u; d < D; d = d + 1u) { k[d] = K[kb + d]; v[d] = V[vb + d]; dk[d] = 0.0; dv[d] = 0.0; }
  if (mask[b * p.time + s] != 0.0) {
    for (var hh = 0u; hh < rep; hh = hh + 1u) {
      let h = g * rep + hh;
      for (var t = s; t < p.time; t = t + 1u) {
        let qi = (b * p.heads + h) * p.time + t;
        let qb = (b * p.time + t) * p.ldq + p.qOff + h * D;
        let ob = (b * p.time + t) * (p.heads * D) + h * D;
        var score = 0.0;
        var dp = 0.0;
        for (var d = 0u; d < D; d = d + 1u) {
          score = fma(Q[qb + d] * p.scale, k[d], score);
          dp = fma(dO[ob + d], v[d], dp);
        }
        let pr = exp(score - lse[qi]);
        let ds = pr * (dp - Di[qi]);
        for (var d = 0u; d < D; d = d + 1u) {
          dk[d] = fma(ds, Q[qb + d], dk[d]);
          dv[d] = fma(pr, dO[ob + d], dv[d]);
        }
      }
    }
  }
  for (var d = 0u; d < D; d = d + 1u) { ${shared ? 'dKV' : 'dK'}[kb + d] = dk[d] * p.scale; ${shared ? 'dKV' : 'dV'}[vb + d] = dv[d]; }
}`;
}

export interface AttentionBuffers {
  readonly q: GPUBuffer;
  readonly k: GPUBuffer;
  readonly v: GPUBuffer;
  readonly mask: GPUBuffer;
  readonly out: GPUBuffer;
  readonly lse: GPUBuffer;
}

export function attentionForward(
  rt: GpuRuntime,
  s: AttentionShape,
  b: AttentionBuffers,
  label: string,
): Dispatch {
  const pipeline = rt.pipeline(`attn-fwd-${s.headDim}`, forwardSource(s.headDim));
  return rt.dispatch(
    pipeline,
    [b.q, b.k, b.v, b.mask, b.out, b.lse, params(rt, s, label)],
    flatGrid(s.batch * s.heads * s.time),
    label,
  );
}

/**
 * dQ, dK, dV (written where the layout says, in the gradient buffers) from dO. `di` holds
 * B·H·T scratch floats. Two dispatches.
 */
export function attentionBackward(
  rt: GpuRuntime,
  s: AttentionShape,
  b: AttentionBuffers & { dOut: GPUBuffer; dq: GPUBuffer; dk: GPUBuffer; dv: GPUBuffer; di: GPUBuffer },
  label: string,
): Dispatch[] {
  const u = params(rt, s, label);
  const query = rt.pipeline(`attn-bwd-q-${s.headDim}`, backwardQuerySource(s.headDim));
  // GPT-2 keeps q, k and v in one [N, 3C] buffer: one binding for both outputs
  const shared = b.dk === b.dv;
  const key = rt.pipeline(`attn-bwd-kv-${s.headDim}-${shared}`, backwardKeySource(s.headDim, shared));
  return [
    rt.dispatch(
      query,
      [b.q, b.k, b.v, b.mask, b.out, b.lse, u, b.dOut, b.dq, b.di],
      flatGrid(s.batch * s.heads * s.time),
      `${label}.dq`,
    ),
    rt.dispatch(
      key,
      shared
        ? [b.q, b.k, b.v, b.mask, b.di, b.lse, u, b.dOut, b.dk]
        : [b.q, b.k, b.v, b.mask, b.di, b.lse, u, b.dOut, b.dk, b.dv],
      flatGrid(s.batch * s.kvHeads * s.time),
      `${label}.dkv`,
    ),
  ];
}

const ROPE = `
struct Params { rows: u32, half: u32, qHeads: u32, ldq: u32, kHeads: u32, ldk: u32, sign: f32, pad: u32 };
@group(0) @binding(0) var<storage, read_write> Xq: array<f32>;
@group(0) @binding(1) var<storage, read_write> Xk: array<f32>;
@group(0) @binding(2) var<storage, read> cosT: array<f32>;
@group(0) @binding(3) var<storage, read> sinT: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;
${FLAT_ENTRY}
  let nq = p.rows * p.qHeads * p.half;
  if (i >= nq + p.rows * p.kHeads * p.half) { return; }
  let onQ = i < nq;
  let k = select(i - nq, i, onQ);
  let heads = select(p.kHeads, p.qHeads, onQ);
  let ld = select(p.ldk, p.ldq, onQ);
  let j = k % p.half;
  let h = (k / p.half) % heads;
  let n = k / (p.half * heads);
  let base = n * ld + h * 2u * p.half;
  let c = cosT[n * p.half + j];
  let s = sinT[n * p.half + j] * p.sign;
  if (onQ) {
    let x1 = Xq[base + j];
    let x2 = Xq[base + j + p.half];
    Xq[base + j] = x1 * c - x2 * s;
    Xq[base + j + p.half] = x2 * c + x1 * s;
  } else {
    let x1 = Xk[base + j];
    let x2 = Xk[base + j + p.half];
    Xk[base + j] = x1 * c - x2 * s;
    Xk[base + j + p.half] = x2 * c + x1 * s;
  }
}`;

/**
 * Rotates each head's pairs (x_j, x_{j+D/2}) of q [rows, Hq·D] and k [rows, Hk·D] in place
 * by θ (sign +1), or by −θ (sign −1, the transpose, for their gradients), in one dispatch;
 * tables are [rows, D/2].
 */
export function rope(
  rt: GpuRuntime,
  b: { q: GPUBuffer; k: GPUBuffer; cos: GPUBuffer; sin: GPUBuffer },
  s: { rows: number; headDim: number; qHeads: number; kHeads: number },
  sign: 1 | -1,
  label: string,
): Dispatch {
  const half = s.headDim / 2;
  const u = rt.uniform(
    new Uint32Array([
      s.rows,
      half,
      s.qHeads,
      s.qHeads * s.headDim,
      s.kHeads,
      s.kHeads * s.headDim,
      f32Bits(sign),
      0,
    ]),
    label,
  );
  return rt.dispatch(
    rt.pipeline('rope', ROPE),
    [b.q, b.k, b.cos, b.sin, u],
    flatGrid(s.rows * (s.qHeads + s.kHeads) * half),
    label,
  );
}
