/**
 * LayerNorm (Ba et al. 2016) and RMSNorm (Zhang & Sennrich 2019), forward and backward,
 * one 256-thread workgroup per row. The forward saves each row's mean and 1/σ; the
 * backward computes only dx (the norms' weights are frozen under LoRA) and adds it to the
 * residual stream's gradient:
 *   LayerNorm: dx += r · (ĝ − mean(ĝ) − x̂ · mean(ĝ x̂)),  ĝ = dy · γ, x̂ = (x − μ) r
 *   RMSNorm:   dx += r · ĝ − x · r³ · mean(ĝ x)
 */
import type { Dispatch, GpuRuntime } from '../gpuRuntime.js';
import { f32Bits } from '../gpuRuntime.js';
import { reduceSum } from './workgroupReduce.js';

const REDUCE = `
var<workgroup> red1: array<f32, 256>;
var<workgroup> red2: array<f32, 256>;`;

const HEADER = `
struct Params { rows: u32, c: u32, eps: f32, pad: u32 };
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<storage, read_write> stats: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;
${REDUCE}
`;

function forwardSource(kind: 'layer' | 'rms'): string {
  const body =
    kind === 'layer'
      ? `var s = 0.0;
  for (var c = t; c < p.c; c = c + 256u) { s = s + X[base + c]; }
  ${reduceSum('red1', 's', 'sum1')}
  let mean = sum1 / f32(p.c);
  var q = 0.0;
  for (var c = t; c < p.c; c = c + 256u) { let d = X[base + c] - mean; q = q + d * d; }
  ${reduceSum('red2', 'q', 'sum2')}
  let r = inverseSqrt(sum2 / f32(p.c) + p.eps);
  for (var c = t; c < p.c; c = c + 256u) { Y[base + c] = (X[base + c] - mean) * r * G[c] + B[c]; }
  if (t == 0u) { stats[2u * row] = mean; stats[2u * row + 1u] = r; }`
      : `var q = 0.0;
  for (var c = t; c < p.c; c = c + 256u) { let x = X[base + c]; q = q + x * x; }
  ${reduceSum('red1', 'q', 'sum1')}
  let r = inverseSqrt(sum1 / f32(p.c) + p.eps);
  for (var c = t; c < p.c; c = c + 256u) { Y[base + c] = X[base + c] * r * G[c]; }
  if (t == 0u) { stats[2u * row] = 0.0; stats[2u * row + 1u] = r; }`;
  return `${HEADER}
${kind === 'layer' ? '@group(0) @binding(5) var<storage, read> B: array<f32>;' : ''}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row = wid.y * 65535u + wid.x;
  if (row >= p.rows) { return; }
  let t = lid.x;
  let base = row * p.c;
  ${body}
}`;
}

function backwardSource(kind: 'layer' | 'rms'): string {
  const body =
    kind === 'layer'
      ? `var a = 0.0; var b = 0.0;
  for (var c = t; c < p.c; c = c + 256u) {
    let g = D[base + c] * G[c];
    let xh = (X[base + c] - mean) * r;
    a = a + g; b = b + g * xh;
  }
  ${reduceSum('red1', 'a', 'sum1')}
  ${reduceSum('red2', 'b', 'sum2')}
  let ma = sum1 / f32(p.c);
  let mb = sum2 / f32(p.c);
  for (var c = t; c < p.c; c = c + 256u) {
    let g = D[base + c] * G[c];
    let xh = (X[base + c] - mean) * r;
    Y[base + c] = Y[base + c] + r * (g - ma - xh * mb);
  }`
      : `var b = 0.0;
  for (var c = t; c < p.c; c = c + 256u) { b = b + D[base + c] * G[c] * X[base + c]; }
  ${reduceSum('red1', 'b', 'sum1')}
  let mb = sum1 / f32(p.c);
  for (var c = t; c < p.c; c = c + 256u) {
    let x = X[base + c];
    Y[base + c] = Y[base + c] + r * D[base + c] * G[c] - x * r * r * r * mb;
  }`;
  return `${HEADER}
@group(0) @binding(5) var<storage, read> D: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row = wid.y * 65535u + wid.x;
  if (row >= p.rows) { return; }
  let t = lid.x;
  let base = row * p.c;
  let mean = stats[2u * row];
  let r = stats[2u * row + 1u];
  ${body}
}`;
}

function grid(rows: number): [number, number, number] {
  return rows <= 65535 ? [rows, 1, 1] : [65535, Math.ceil(rows / 65535), 1];
}

function params(rt: GpuRuntime, rows: number, c: number, eps: number, label: string): GPUBuffer {
  return rt.uniform(new Uint32Array([rows, c, f32Bits(eps), 0]), label);
}

/** y = norm(x) · γ (+ β); stats[2·row] = mean, stats[2·row + 1] = 1/σ. */
export function normForward(
  rt: GpuRuntime,
  kind: 'layer' | 'rms',
  b: { x: GPUBuffer; gamma: GPUBuffer; beta?: GPUBuffer; y: GPUBuffer; stats: GPUBuffer },
  rows: number,
  c: number,
  eps: number,
  label: string,
): Dispatch {
  const pipeline = rt.pipeline(`norm-fwd-${kind}`, forwardSource(kind));
  const bindings = [b.x, b.gamma, b.y, b.stats, params(rt, rows, c, eps, label)];
  if (kind === 'layer') {
    if (!b.beta) throw new Error(`${label}: LayerNorm needs β`);
    bindings.push(b.beta);
  }
  return rt.dispatch(pipeline, bindings, grid(rows), label);
}

/** dx += ∂norm/∂x · dy, with the stats the forward saved. */
export function normBackward(
  rt: GpuRuntime,
  kind: 'layer' | 'rms',
  b: { x: GPUBuffer; gamma: GPUBuffer; dy: GPUBuffer; dx: GPUBuffer; stats: GPUBuffer },
  rows: number,
  c: number,
  label: string,
): Dispatch {
  const pipeline = rt.pipeline(`norm-bwd-${kind}`, backwardSource(kind));
  return rt.dispatch(
    pipeline,
    [b.x, b.gamma, b.dx, b.stats, params(rt, rows, c, 0, label), b.dy],
    grid(rows),
    label,
  );
}
