/**
 * Tiled matrix product C = alpha · A · B (or A · Bᵀ) with the epilogues a transformer layer
 * needs fused in, so no separate kernel re-reads the output: bias, the LoRA term
 * s · U · Lᵀ (Hu et al. 2021: x W + s (x Aᵀ) Bᵀ with U = x Aᵀ precomputed), the tanh GELU
 * (saving its input for the backward pass) or its derivative, a residual, accumulation.
 * 64×64 output tiles, 16-deep K slices in workgroup memory, 4×4 outputs per thread
 * (the register blocking of llm.c's matmul_forward kernels, written for WGSL).
 *
 * Operand layouts (row-major, leading dimensions in the uniforms):
 * A[m, k] = A[aOff + m·lda + k]; B[k, n] = B[bOff + k·ldb + n], or with transB B[bOff + n·ldb + k];
 * C[m, n] = C[cOff + m·ldc + n]; U[m, j] = U[uOff + m·ldu + j]; L[n, j] = L[lOff + n·sN + j·sJ];
 * X[m, n] = X[m·ldx + n] (GELU input, or the residual).
 */
import type { Dispatch, GpuRuntime } from '../gpuRuntime.js';
import { f32Bits } from '../gpuRuntime.js';

export interface MatmulVariant {
  readonly transB: boolean;
  readonly bias: boolean;
  readonly lora: boolean;
  /** 'gelu': y = gelu(v), v saved to X; 'geluGrad': y = v · gelu'(X). */
  readonly act: 'none' | 'gelu' | 'geluGrad';
  readonly residual: boolean;
  readonly accumulate: boolean;
}

export interface MatmulShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly lda: number;
  readonly ldb: number;
  readonly ldc: number;
  readonly aOff?: number;
  readonly bOff?: number;
  readonly cOff?: number;
  readonly alpha?: number;
  /** LoRA rank, U's leading dimension and offset, L's strides and the scale s. */
  readonly r?: number;
  readonly ldu?: number;
  readonly uOff?: number;
  readonly lOff?: number;
  readonly sN?: number;
  readonly sJ?: number;
  readonly scale?: number;
  /** X's leading dimension (GELU input or residual). */
  readonly ldx?: number;
}

const BM = 64;
const BN = 64;
const BK = 16;

export const GELU_WGSL = `
const GELU_K: f32 = 0.7978845608028654;
fn gelu_inner(x: f32) -> f32 { return clamp(GELU_K * (x + 0.044715 * x * x * x), -15.0, 15.0); }
fn gelu(x: f32) -> f32 { return 0.5 * x * (1.0 + tanh(gelu_inner(x))); }
fn gelu_grad(x: f32) -> f32 {
  let t = tanh(gelu_inner(x));
  return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_K * (1.0 + 3.0 * 0.044715 * x * x);
}`;

function variantKey(v: MatmulVariant, split = false): string {
  return `matmul${split ? '-split' : ''}:${v.transB ? 'T' : 'N'}${v.bias ? 'b' : ''}${v.lora ? 'l' : ''}${v.act}${v.residual ? 'r' : ''}${v.accumulate ? 'a' : ''}`;
}

function source(v: MatmulVariant, split = false): string {
  let binding = 4;
  const extra: string[] = [];
  const biasB = v.bias ? binding++ : -1;
  const uB = v.lora ? binding++ : -1;
  const lB = v.lora ? binding++ : -1;
  const xB = v.act !== 'none' || v.residual ? binding : -1;
  if (v.bias) extra.push(`@group(0) @binding(${biasB}) var<storage, read> bias: array<f32>;`);
  if (v.lora) {
    extra.push(`@group(0) @binding(${uB}) var<storage, read> U: array<f32>;`);
    extra.push(`@group(0) @binding(${lB}) var<storage, read> L: array<f32>;`);
  }
  if (xB >= 0)
    extra.push(
      `@group(0) @binding(${xB}) var<storage, ${v.act === 'gelu' ? 'read_write' : 'read'}> X: array<f32>;`,
    );
  const loadB = v.transB
    ? `let n = idx / ${BK}u; let kk = idx % ${BK}u;
       let gn = col0 + n; let gk = k0 + kk;
       var val = 0.0;
       if (gn < p.n && gk < kEnd) { val = B[p.bOff + gn * p.ldb + gk]; }
       Bs[kk * ${BN + 1}u + n] = val;`
    : `let kk = idx / ${BN}u; let n = idx % ${BN}u;
       let gn = col0 + n; let gk = k0 + kk;
       var val = 0.0;
       if (gn < p.n && gk < kEnd) { val = B[p.bOff + gk * p.ldb + gn]; }
       Bs[kk * ${BN + 1}u + n] = val;`;
  const epilogue: string[] = ['var y = acc[i][j] * p.alpha;'];
  if (v.bias) epilogue.push('y = y + bias[gn];');
  if (v.lora)
    epilogue.push(`var d = 0.0;
          for (var jj = 0u; jj < p.r; jj = jj + 1u) {
            d = d + U[p.uOff + gm * p.ldu + jj] * L[p.lOff + gn * p.sN + jj * p.sJ];
          }
          y = y + p.scale * d;`);
  if (v.act === 'gelu') epilogue.push('X[gm * p.ldx + gn] = y; y = gelu(y);');
  if (v.act === 'geluGrad') epilogue.push('y = y * gelu_grad(X[gm * p.ldx + gn]);');
  if (v.residual) epilogue.push('y = y + X[gm * p.ldx + gn];');
  if (v.accumulate) epilogue.push('y = y + C[ci];');
  return `
struct Params {
  m: u32, n: u32, k: u32, lda: u32, ldb: u32, ldc: u32, aOff: u32, bOff: u32,
  cOff: u32, r: u32, ldu: u32, uOff: u32, lOff: u32, sN: u32, sJ: u32, ldx: u32,
  scale: f32, alpha: f32,
};
@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;
${extra.join('\n')}
${v.act !== 'none' ? GELU_WGSL : ''}
// rows padded by one float: the tile stores walk K fastest, which would hit one bank
var<workgroup> As: array<f32, ${BK * (BM + 1)}>;
var<workgroup> Bs: array<f32, ${BK * (BN + 1)}>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row0 = wid.y * ${BM}u;
  let col0 = wid.x * ${BN}u;
  let t = lid.y * 16u + lid.x;
  var acc: array<array<f32, 4>, 4>;
  ${split ? 'let kBegin = wid.z * p.r; let kEnd = min(p.k, kBegin + p.r);' : 'let kBegin = 0u; let kEnd = p.k;'}
  for (var k0 = kBegin; k0 < kEnd; k0 = k0 + ${BK}u) {
    for (var e = 0u; e < 4u; e = e + 1u) {
      let idx = t + e * 256u;
      {
        let m = idx / ${BK}u; let kk = idx % ${BK}u;
        let gm = row0 + m; let gk = k0 + kk;
        var val = 0.0;
        if (gm < p.m && gk < kEnd) { val = A[p.aOff + gm * p.lda + gk]; }
        As[kk * ${BM + 1}u + m] = val;
      }
      {
        ${loadB}
      }
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${BK}u; kk = kk + 1u) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var i = 0u; i < 4u; i = i + 1u) {
        a[i] = As[kk * ${BM + 1}u + lid.y * 4u + i];
        b[i] = Bs[kk * ${BN + 1}u + lid.x * 4u + i];
      }
      for (var i = 0u; i < 4u; i = i + 1u) {
        for (var j = 0u; j < 4u; j = j + 1u) {
          acc[i][j] = fma(a[i], b[j], acc[i][j]);
        }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i = i + 1u) {
    let gm = row0 + lid.y * 4u + i;
    if (gm >= p.m) { continue; }
    for (var j = 0u; j < 4u; j = j + 1u) {
      let gn = col0 + lid.x * 4u + j;
      if (gn >= p.n) { continue; }
      ${
        split
          ? 'C[(wid.z * p.m + gm) * p.n + gn] = acc[i][j];'
          : `let ci = p.cOff + gm * p.ldc + gn;
      ${epilogue.join('\n      ')}
      C[ci] = y;`
      }
    }
  }
}`;
}

export interface MatmulBuffers {
  readonly a: GPUBuffer;
  readonly b: GPUBuffer;
  readonly c: GPUBuffer;
  readonly bias?: GPUBuffer;
  readonly u?: GPUBuffer;
  readonly l?: GPUBuffer;
  /** GELU input (written by 'gelu', read by 'geluGrad') or the residual. */
  readonly x?: GPUBuffer;
}

const SPLIT_REDUCE = `
struct Params { m: u32, n: u32, ldc: u32, cOff: u32, splits: u32, accumulate: u32, alpha: f32, pad: u32 };
@group(0) @binding(0) var<storage, read> S: array<f32>;
@group(0) @binding(1) var<storage, read_write> C: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = (wid.y * 65535u + wid.x) * 64u + lid.x;
  if (i >= p.m * p.n) { return; }
  var y = 0.0;
  for (var z = 0u; z < p.splits; z = z + 1u) { y = y + S[z * p.m * p.n + i]; }
  let ci = p.cOff + (i / p.n) * p.ldc + i % p.n;
  y = y * p.alpha;
  if (p.accumulate != 0u) { y = y + C[ci]; }
  C[ci] = y;
}`;

/** Output tiles below which a long-K product is split over K (an H200 has 132 SMs). */
const SPLIT_TILES = 264;
const SPLIT_MIN_K = 16384;

/**
 * Records one fused matmul. A plain product with few output tiles and a long K (the
 * vocabulary head's backward, Llama's MLP) is split over K into partial products that a
 * second dispatch sums, so the GPU's cores are not left idle.
 */
export function matmul(
  rt: GpuRuntime,
  variant: MatmulVariant,
  shape: MatmulShape,
  buffers: MatmulBuffers,
  label: string,
): Dispatch[] {
  const tiles = Math.ceil(shape.n / BN) * Math.ceil(shape.m / BM);
  const plain = !variant.bias && !variant.lora && variant.act === 'none' && !variant.residual;
  if (plain && tiles < SPLIT_TILES && shape.k >= SPLIT_MIN_K) {
    const splits = Math.min(16, Math.ceil(SPLIT_TILES / tiles), Math.floor(shape.k / 1024));
    const perSplit = Math.ceil(shape.k / splits / BK) * BK;
    const scratch = rt.scratch(splits * shape.m * shape.n);
    const words = new Uint32Array([
      shape.m,
      shape.n,
      shape.k,
      shape.lda,
      shape.ldb,
      shape.n,
      shape.aOff ?? 0,
      shape.bOff ?? 0,
      0,
      perSplit,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      f32Bits(1),
      0,
      0,
    ]);
    const pipeline = rt.pipeline(variantKey(variant, true), source(variant, true));
    const partial = rt.dispatch(
      pipeline,
      [buffers.a, buffers.b, scratch, rt.uniform(words, label)],
      [Math.ceil(shape.n / BN), Math.ceil(shape.m / BM), splits],
      `${label}.splitK`,
    );
    const reduceWords = new Uint32Array([
      shape.m,
      shape.n,
      shape.ldc,
      shape.cOff ?? 0,
      splits,
      variant.accumulate ? 1 : 0,
      f32Bits(shape.alpha ?? 1),
      0,
    ]);
    const groups = Math.ceil((shape.m * shape.n) / 64);
    const reduce = rt.dispatch(
      rt.pipeline('matmul-split-reduce', SPLIT_REDUCE),
      [scratch, buffers.c, rt.uniform(reduceWords, `${label}.reduce`)],
      groups <= 65535 ? [groups, 1, 1] : [65535, Math.ceil(groups / 65535), 1],
      `${label}.reduce`,
    );
    return [partial, reduce];
  }
  return [single(rt, variant, shape, buffers, label)];
}

function single(
  rt: GpuRuntime,
  variant: MatmulVariant,
  shape: MatmulShape,
  buffers: MatmulBuffers,
  label: string,
): Dispatch {
  const s = shape;
  const words = new Uint32Array([
    s.m,
    s.n,
    s.k,
    s.lda,
    s.ldb,
    s.ldc,
    s.aOff ?? 0,
    s.bOff ?? 0,
    s.cOff ?? 0,
    s.r ?? 0,
    s.ldu ?? 0,
    s.uOff ?? 0,
    s.lOff ?? 0,
    s.sN ?? 0,
    s.sJ ?? 0,
    s.ldx ?? 0,
    f32Bits(s.scale ?? 0),
    f32Bits(s.alpha ?? 1),
    0,
    0,
  ]);
  const bindings: GPUBuffer[] = [buffers.a, buffers.b, buffers.c, rt.uniform(words, label)];
  const need = (b: GPUBuffer | undefined, what: string): GPUBuffer => {
    if (!b) throw new Error(`${label}: matmul variant needs ${what}`);
    return b;
  };
  if (variant.bias) bindings.push(need(buffers.bias, 'bias'));
  if (variant.lora) bindings.push(need(buffers.u, 'U'), need(buffers.l, 'L'));
  if (variant.act !== 'none' || variant.residual) bindings.push(need(buffers.x, 'X'));
  const pipeline = rt.pipeline(variantKey(variant), source(variant));
  return rt.dispatch(pipeline, bindings, [Math.ceil(s.n / BN), Math.ceil(s.m / BM), 1], label);
}

export const PLAIN: MatmulVariant = {
  transB: false,
  bias: false,
  lora: false,
  act: 'none',
  residual: false,
  accumulate: false,
};
