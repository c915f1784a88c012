/**
 * Token embedding (from a [C, V] table, as the model holds it, plus GPT-2's learned
 * positions) and the SwiGLU gate of the Llama MLP (Shazeer 2020): a = silu(g) · u, with its
 * backward dg = da · u · silu'(g), du = da · silu(g).
 */
import type { Dispatch, GpuRuntime } from '../gpuRuntime.js';
import { FLAT_ENTRY, flatGrid } from './linearIndex.js';

const EMBED = `
struct Params { rows: u32, c: u32, vocab: u32, positions: u32 };
@group(0) @binding(0) var<storage, read> E: array<f32>;
@group(0) @binding(1) var<storage, read> ids: array<i32>;
@group(0) @binding(2) var<storage, read> P: array<f32>;
@group(0) @binding(3) var<storage, read> pos: array<i32>;
@group(0) @binding(4) var<storage, read_write> X: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;
${FLAT_ENTRY}
  if (i >= p.rows * p.c) { return; }
  let n = i / p.c;
  let c = i % p.c;
  var x = E[c * p.vocab + u32(ids[n])];
  if (p.positions != 0u) { x = x + P[u32(pos[n]) * p.c + c]; }
  X[i] = x;
}`;

/** X[n, c] = E[c, ids[n]] (+ P[pos[n], c] when `positions` is given). */
export function embed(
  rt: GpuRuntime,
  b: { table: GPUBuffer; ids: GPUBuffer; out: GPUBuffer; positions?: { table: GPUBuffer; ids: GPUBuffer } },
  rows: number,
  c: number,
  vocab: number,
  label: string,
): Dispatch {
  const u = rt.uniform(new Uint32Array([rows, c, vocab, b.positions ? 1 : 0]), label);
  return rt.dispatch(
    rt.pipeline('embed', EMBED),
    [b.table, b.ids, b.positions?.table ?? b.table, b.positions?.ids ?? b.ids, b.out, u],
    flatGrid(rows * c),
    label,
  );
}

const SWIGLU = `
@group(0) @binding(0) var<storage, read> Gt: array<f32>;
@group(0) @binding(1) var<storage, read> Up: array<f32>;
@group(0) @binding(2) var<storage, read_write> A: array<f32>;
@group(0) @binding(3) var<uniform> n: vec4<u32>;
${FLAT_ENTRY}
  if (i >= n.x) { return; }
  let g = Gt[i];
  A[i] = g / (1.0 + exp(-g)) * Up[i];
}`;

const SWIGLU_GRAD = `
@group(0) @binding(0) var<storage, read_write> Gt: array<f32>;
@group(0) @binding(1) var<storage, read_write> Up: array<f32>;
@group(0) @binding(2) var<storage, read> dA: array<f32>;
@group(0) @binding(3) var<uniform> n: vec4<u32>;
${FLAT_ENTRY}
  if (i >= n.x) { return; }
  let g = Gt[i];
  let sg = 1.0 / (1.0 + exp(-g));
  let da = dA[i];
  Gt[i] = da * Up[i] * sg * (1.0 + g * (1.0 - sg));
  Up[i] = da * g * sg;
}`;

export function swiglu(
  rt: GpuRuntime,
  b: { gate: GPUBuffer; up: GPUBuffer; out: GPUBuffer },
  count: number,
  label: string,
): Dispatch {
  const u = rt.uniform(new Uint32Array([count, 0, 0, 0]), label);
  return rt.dispatch(rt.pipeline('swiglu', SWIGLU), [b.gate, b.up, b.out, u], flatGrid(count), label);
}

/**
 * In place: gate ← dg, up ← du (the forward's gate and up values are consumed; the
 * backward needs them only here).
 */
export function swigluBackward(
  rt: GpuRuntime,
  b: { gate: GPUBuffer; up: GPUBuffer; dOut: GPUBuffer },
  count: number,
  label: string,
): Dispatch {
  const u = rt.uniform(new Uint32Array([count, 0, 0, 0]), label);
  return rt.dispatch(
    rt.pipeline('swiglu-grad', SWIGLU_GRAD),
    [b.gate, b.up, b.dOut, u],
    flatGrid(count),
    label,
  );
}
