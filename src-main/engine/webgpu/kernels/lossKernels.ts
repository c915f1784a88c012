/**
 * The next-token log-probability over the vocabulary in chunks, so no [B·T, V] logits
 * tensor is needed at once: each chunk's logits update a running (max, sum of exp) per row
 * (the online softmax of Milakov & Gimelshein 2018) and pick out the target's logit; the
 * backward recomputes each chunk and turns it in place into w·(softmax − onehot), the
 * gradient of Σ w·NLL, before it is multiplied back into the hidden state's gradient.
 * Row state: st[3n] = running max, st[3n + 1] = running sum, st[3n + 2] = target logit.
 */
import type { Dispatch, GpuRuntime } from '../gpuRuntime.js';
import { FLAT_ENTRY, flatGrid } from './linearIndex.js';

const CHUNK_UPDATE = `
struct Params { rows: u32, width: u32, ld: u32, off: u32 };
@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> tgt: array<i32>;
@group(0) @binding(2) var<storage, read_write> st: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;
var<workgroup> rm: array<f32, 256>;
var<workgroup> rs: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let n = wid.y * 65535u + wid.x;
  if (n >= p.rows) { return; }
  let t = lid.x;
  var m = -3.0e38;
  var s = 0.0;
  for (var c = t; c < p.width; c = c + 256u) {
    let z = logits[n * p.ld + c];
    let mNew = max(m, z);
    s = s * exp(m - mNew) + exp(z - mNew);
    m = mNew;
  }
  rm[t] = m; rs[t] = s;
  workgroupBarrier();
  for (var k = 128u; k > 0u; k = k >> 1u) {
    if (t < k) {
      let m2 = max(rm[t], rm[t + k]);
      rs[t] = rs[t] * exp(rm[t] - m2) + rs[t + k] * exp(rm[t + k] - m2);
      rm[t] = m2;
    }
    workgroupBarrier();
  }
  if (t == 0u) {
    let mOld = st[3u * n];
    let mNew = max(mOld, rm[0]);
    st[3u * n + 1u] = st[3u * n + 1u] * exp(mOld - mNew) + rs[0] * exp(rm[0] - mNew);
    st[3u * n] = mNew;
    let tg = tgt[n];
    if (tg >= i32(p.off) && tg < i32(p.off + p.width)) { st[3u * n + 2u] = logits[n * p.ld + u32(tg) - p.off]; }
  }
}`;

const RESET = `
@group(0) @binding(0) var<storage, read_write> st: array<f32>;
@group(0) @binding(1) var<uniform> rows: vec4<u32>;
${FLAT_ENTRY}
  if (i >= rows.x) { return; }
  st[3u * i] = -3.0e38; st[3u * i + 1u] = 0.0; st[3u * i + 2u] = 0.0;
}`;

const FINISH = `
@group(0) @binding(0) var<storage, read> st: array<f32>;
@group(0) @binding(1) var<storage, read_write> lp: array<f32>;
@group(0) @binding(2) var<uniform> rows: vec4<u32>;
${FLAT_ENTRY}
  if (i >= rows.x) { return; }
  lp[i] = st[3u * i + 2u] - (st[3u * i] + log(st[3u * i + 1u]));
}`;

const GRAD = `
struct Params { rows: u32, width: u32, ld: u32, off: u32 };
@group(0) @binding(0) var<storage, read_write> logits: array<f32>;
@group(0) @binding(1) var<storage, read> tgt: array<i32>;
@group(0) @binding(2) var<storage, read> st: array<f32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;
${FLAT_ENTRY}
  if (i >= p.rows * p.width) { return; }
  let n = i / p.width;
  let c = i % p.width;
  let lse = st[3u * n] + log(st[3u * n + 1u]);
  var g = exp(logits[n * p.ld + c] - lse);
  if (tgt[n] == i32(p.off + c)) { g = g - 1.0; }
  logits[n * p.ld + c] = w[n] * g;
}`;

export function lossReset(rt: GpuRuntime, st: GPUBuffer, rows: number, label: string): Dispatch {
  const u = rt.uniform(new Uint32Array([rows, 0, 0, 0]), label);
  return rt.dispatch(rt.pipeline('loss-reset', RESET), [st, u], flatGrid(rows), label);
}

/** Folds logits[:, 0..width) (vocabulary ids off..off+width) into the row state. */
export function lossChunk(
  rt: GpuRuntime,
  b: { logits: GPUBuffer; target: GPUBuffer; st: GPUBuffer },
  rows: number,
  width: number,
  off: number,
  label: string,
): Dispatch {
  const u = rt.uniform(new Uint32Array([rows, width, width, off]), label);
  const grid: [number, number, number] = rows <= 65535 ? [rows, 1, 1] : [65535, Math.ceil(rows / 65535), 1];
  return rt.dispatch(rt.pipeline('loss-chunk', CHUNK_UPDATE), [b.logits, b.target, b.st, u], grid, label);
}

/** lp[n] = target logit − log Σ exp(logits). */
export function lossFinish(
  rt: GpuRuntime,
  st: GPUBuffer,
  lp: GPUBuffer,
  rows: number,
  label: string,
): Dispatch {
  const u = rt.uniform(new Uint32Array([rows, 0, 0, 0]), label);
  return rt.dispatch(rt.pipeline('loss-finish', FINISH), [st, lp, u], flatGrid(rows), label);
}

/** logits ← w · (softmax − onehot(target)) for the chunk (in place). */
export function lossGradChunk(
  rt: GpuRuntime,
  b: { logits: GPUBuffer; target: GPUBuffer; st: GPUBuffer; weight: GPUBuffer },
  rows: number,
  width: number,
  off: number,
  label: string,
): Dispatch {
  const u = rt.uniform(new Uint32Array([rows, width, width, off]), label);
  return rt.dispatch(
    rt.pipeline('loss-grad', GRAD),
    [b.logits, b.target, b.st, b.weight, u],
    flatGrid(rows * width),
    label,
  );
}
