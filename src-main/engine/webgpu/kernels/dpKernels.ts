/**
 * DP-SGD's arithmetic on the GPU (Abadi et al. 2016, Algorithm 1, as Confidant's CPU path in
 * dp/ computes it): per-example gradients summed into their privacy unit's slot (a
 * patient's rows are one unit), each unit's norm per tensor, the clip factors (flat:
 * min(1, C/‖g‖); per-layer: min(1, C_l/‖g_l‖)), the clipped sum plus σC·z with z drawn on
 * the host from node:crypto, divided by the expected batch size; then AdamW (Loshchilov &
 * Hutter 2019, PyTorch's formula, as train/adamW.ts).
 */
import type { Dispatch, GpuRuntime } from '../gpuRuntime.js';
import { f32Bits } from '../gpuRuntime.js';
import { FLAT_ENTRY, flatGrid } from './linearIndex.js';
import { reduceSum } from './workgroupReduce.js';

const UNIT_ADD = `
@group(0) @binding(0) var<storage, read> G: array<f32>;
@group(0) @binding(1) var<storage, read> slot: array<i32>;
@group(0) @binding(2) var<storage, read_write> S: array<f32>;
@group(0) @binding(3) var<uniform> n: vec4<u32>;
${FLAT_ENTRY}
  let P = n.x;
  if (i >= P) { return; }
  for (var r = 0u; r < n.y; r = r + 1u) {
    let u = slot[r];
    if (u >= 0) { S[u32(u) * P + i] = S[u32(u) * P + i] + G[r * P + i]; }
  }
}`;

/** S[slot[r]] += G[r] for the rows of a micro-batch (slot −1: a padding row). */
export function unitAccumulate(
  rt: GpuRuntime,
  b: { rowGrads: GPUBuffer; slots: GPUBuffer; unitGrads: GPUBuffer },
  paramCount: number,
  rows: number,
  label: string,
): Dispatch {
  const u = rt.uniform(new Uint32Array([paramCount, rows, 0, 0]), label);
  return rt.dispatch(
    rt.pipeline('dp-unit-add', UNIT_ADD),
    [b.rowGrads, b.slots, b.unitGrads, u],
    flatGrid(paramCount),
    label,
  );
}

const NORMS = `
@group(0) @binding(0) var<storage, read> S: array<f32>;
@group(0) @binding(1) var<storage, read> ranges: array<u32>;
@group(0) @binding(2) var<storage, read_write> norm2: array<f32>;
@group(0) @binding(3) var<uniform> n: vec4<u32>;
var<workgroup> red: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let P = n.x;
  let tensors = n.y;
  let unit = wid.y;
  let k = wid.x;
  let start = ranges[2u * k];
  let len = ranges[2u * k + 1u];
  var acc = 0.0;
  for (var i = lid.x; i < len; i = i + 256u) { let v = S[unit * P + start + i]; acc = acc + v * v; }
  let t = lid.x;
  ${reduceSum('red', 'acc', 'total')}
  if (t == 0u) { norm2[unit * tensors + k] = total; }
}`;

/** norm2[u·T + k] = ‖S[u] restricted to tensor k‖². One workgroup per (tensor, unit). */
export function unitNorms(
  rt: GpuRuntime,
  b: { unitGrads: GPUBuffer; ranges: GPUBuffer; norm2: GPUBuffer },
  paramCount: number,
  tensors: number,
  units: number,
  label: string,
): Dispatch {
  const u = rt.uniform(new Uint32Array([paramCount, tensors, 0, 0]), label);
  return rt.dispatch(
    rt.pipeline('dp-norms', NORMS),
    [b.unitGrads, b.ranges, b.norm2, u],
    [tensors, units, 1],
    label,
  );
}

const FACTORS = `
struct Params { units: u32, tensors: u32, perLayer: u32, pad: u32, clip: f32, clipLayer: f32, p0: u32, p1: u32 };
@group(0) @binding(0) var<storage, read> norm2: array<f32>;
@group(0) @binding(1) var<storage, read_write> factor: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;
${FLAT_ENTRY}
  if (i >= p.units * p.tensors) { return; }
  let u = i / p.tensors;
  if (p.perLayer != 0u) {
    let nrm = sqrt(norm2[i]);
    factor[i] = select(1.0, p.clipLayer / nrm, nrm > p.clipLayer);
  } else {
    var s = 0.0;
    for (var k = 0u; k < p.tensors; k = k + 1u) { s = s + norm2[u * p.tensors + k]; }
    let nrm = sqrt(s);
    factor[i] = select(1.0, p.clip / nrm, nrm > p.clip);
  }
}`;

export function clipFactors(
  rt: GpuRuntime,
  b: { norm2: GPUBuffer; factors: GPUBuffer },
  s: { units: number; tensors: number; perLayer: boolean; clip: number },
  label: string,
): { dispatch: Dispatch; params: GPUBuffer } {
  const params = rt.uniform(factorWords(s), label);
  return {
    params,
    dispatch: rt.dispatch(
      rt.pipeline('dp-factors', FACTORS),
      [b.norm2, b.factors, params],
      flatGrid(s.units * s.tensors),
      label,
    ),
  };
}

export function factorWords(s: {
  units: number;
  tensors: number;
  perLayer: boolean;
  clip: number;
}): Uint32Array {
  return new Uint32Array([
    s.units,
    s.tensors,
    s.perLayer ? 1 : 0,
    0,
    f32Bits(s.clip),
    f32Bits(s.clip / Math.sqrt(s.tensors)),
    0,
    0,
  ]);
}

const CLIP_SUM = `
struct Params { P: u32, units: u32, tensors: u32, pad: u32, noiseStd: f32, invBatch: f32, p0: u32, p1: u32 };
@group(0) @binding(0) var<storage, read> S: array<f32>;
@group(0) @binding(1) var<storage, read> factor: array<f32>;
@group(0) @binding(2) var<storage, read> tensorOf: array<u32>;
@group(0) @binding(3) var<storage, read> noise: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;
@group(0) @binding(5) var<storage, read_write> clean: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;
${FLAT_ENTRY}
  if (i >= p.P) { return; }
  let k = tensorOf[i];
  var s = 0.0;
  for (var u = 0u; u < p.units; u = u + 1u) { s = fma(factor[u * p.tensors + k], S[u * p.P + i], s); }
  clean[i] = s;
  grad[i] = (s + p.noiseStd * noise[i]) * p.invBatch;
}`;

export function clipSumNoiseWords(s: {
  paramCount: number;
  units: number;
  tensors: number;
  std: number;
  expectedBatch: number;
}): Uint32Array {
  return new Uint32Array([
    s.paramCount,
    s.units,
    s.tensors,
    0,
    f32Bits(s.std),
    f32Bits(1 / s.expectedBatch),
    0,
    0,
  ]);
}

/** grad = (Σ_u factor_u · S_u + std · noise) / expected batch; clean = the sum without noise. */
export function clipSumNoise(
  rt: GpuRuntime,
  b: {
    unitGrads: GPUBuffer;
    factors: GPUBuffer;
    tensorOf: GPUBuffer;
    noise: GPUBuffer;
    grad: GPUBuffer;
    clean: GPUBuffer;
  },
  words: Uint32Array,
  paramCount: number,
  label: string,
): { dispatch: Dispatch; params: GPUBuffer } {
  const params = rt.uniform(words, label);
  return {
    params,
    dispatch: rt.dispatch(
      rt.pipeline('dp-clip-sum', CLIP_SUM),
      [b.unitGrads, b.factors, b.tensorOf, b.noise, b.grad, b.clean, params],
      flatGrid(paramCount),
      label,
    ),
  };
}

const NOISE_CHECK = `
@group(0) @binding(0) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read> clean: array<f32>;
@group(0) @binding(2) var<storage, read_write> partial: array<f32>;
@group(0) @binding(3) var<uniform> n: vec4<f32>;
var<workgroup> red: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let P = bitcast<u32>(n.x);
  let chunk = bitcast<u32>(n.z);
  var acc = 0.0;
  let start = wid.x * chunk;
  for (var i = start + lid.x; i < min(P, start + chunk); i = i + 256u) {
    let added = grad[i] * n.y - clean[i];
    acc = acc + added * added;
  }
  let t = lid.x;
  ${reduceSum('red', 'acc', 'total')}
  if (t == 0u) { partial[wid.x] = total; }
}`;

/** partial[w] = Σ over its chunk of (grad·B − clean)²: the noise actually added. */
export function noiseCheck(
  rt: GpuRuntime,
  b: { grad: GPUBuffer; clean: GPUBuffer; partial: GPUBuffer },
  paramCount: number,
  expectedBatch: number,
  groups: number,
  label: string,
): Dispatch {
  const chunk = Math.ceil(paramCount / groups);
  const u = rt.uniform(new Uint32Array([paramCount, f32Bits(expectedBatch), chunk, 0]), label);
  return rt.dispatch(
    rt.pipeline('dp-noise-check', NOISE_CHECK),
    [b.grad, b.clean, b.partial, u],
    [groups, 1, 1],
    label,
  );
}

const ADAMW = `
struct Params { P: u32, pad: u32, lr: f32, b1: f32, b2: f32, eps: f32, wd: f32, c1: f32, c2: f32, gradScale: f32, p0: u32, p1: u32 };
@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;
${FLAT_ENTRY}
  if (i >= p.P) { return; }
  let g = grad[i] * p.gradScale;
  let mi = p.b1 * m[i] + (1.0 - p.b1) * g;
  let vi = p.b2 * v[i] + (1.0 - p.b2) * g * g;
  m[i] = mi;
  v[i] = vi;
  let update = mi / p.c1 / (sqrt(vi / p.c2) + p.eps);
  param[i] = param[i] * (1.0 - p.lr * p.wd) - p.lr * update;
}`;

export interface AdamWStepWords {
  readonly paramCount: number;
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  readonly step: number;
  readonly gradScale: number;
}

export function adamWWords(s: AdamWStepWords): Uint32Array {
  return new Uint32Array([
    s.paramCount,
    0,
    f32Bits(s.lr),
    f32Bits(s.beta1),
    f32Bits(s.beta2),
    f32Bits(s.epsilon),
    f32Bits(s.weightDecay),
    f32Bits(1 - s.beta1 ** s.step),
    f32Bits(1 - s.beta2 ** s.step),
    f32Bits(s.gradScale),
    0,
    0,
  ]);
}

export function adamW(
  rt: GpuRuntime,
  b: { param: GPUBuffer; grad: GPUBuffer; m: GPUBuffer; v: GPUBuffer },
  words: Uint32Array,
  paramCount: number,
  label: string,
): { dispatch: Dispatch; params: GPUBuffer } {
  const params = rt.uniform(words, label);
  return {
    params,
    dispatch: rt.dispatch(
      rt.pipeline('adamw', ADAMW),
      [b.param, b.grad, b.m, b.v, params],
      flatGrid(paramCount),
      label,
    ),
  };
}
