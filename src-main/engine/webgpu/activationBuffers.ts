/**
 * Every GPU buffer one micro-batch shape needs, allocated once for the largest shape
 * (rows × maxTime tokens): inputs, each layer's saved activations for the backward pass,
 * gradient scratch, and the chunked-vocabulary logits. Nothing is allocated per step.
 */
import type { GpuRuntime } from './gpuRuntime.js';
import type { ModelConfig } from '../../model/config.js';

export interface LayerActivations {
  readonly x: GPUBuffer; // block input [N, C]
  readonly h1: GPUBuffer; // first norm output [N, C]
  readonly stats1: GPUBuffer; // [N, 2]
  readonly q: GPUBuffer; // GPT-2: fused qkv [N, 3C]; Llama: q [N, H·D]
  readonly k: GPUBuffer; // Llama only (GPT-2: same as q)
  readonly v: GPUBuffer;
  readonly attn: GPUBuffer; // attention output [N, H·D]
  readonly lse: GPUBuffer; // [B·H·T]
  readonly a: GPUBuffer; // after the attention residual [N, C]
  readonly h2: GPUBuffer;
  readonly stats2: GPUBuffer;
  readonly f1: GPUBuffer; // GPT-2: GELU input [N, F]; Llama: gate [N, F]
  readonly f2: GPUBuffer; // GPT-2: GELU output; Llama: up
  readonly f3: GPUBuffer; // Llama: silu(gate)·up (GPT-2: unused, = f2)
  /** LoRA U = x Aᵀ of each adapted module of the layer, [N, r]. */
  readonly loraU: Map<string, GPUBuffer>;
}

export interface ActivationBuffers {
  readonly maxTokens: number;
  readonly ids: GPUBuffer; // i32 [N]
  readonly positions: GPUBuffer; // i32 [N]
  readonly mask: GPUBuffer; // f32 [N]
  readonly target: GPUBuffer; // i32 [N], −1 where there is none
  readonly weight: GPUBuffer; // f32 [N], the loss weight of each position
  readonly ropeCos: GPUBuffer; // [N, D/2]
  readonly ropeSin: GPUBuffer;
  readonly layers: LayerActivations[];
  readonly xFinal: GPUBuffer; // last block output
  readonly hFinal: GPUBuffer; // final norm output
  readonly statsFinal: GPUBuffer;
  readonly logits: GPUBuffer; // [N, vocabChunk]
  readonly lossState: GPUBuffer; // [N, 3]
  readonly logProbs: GPUBuffer; // [N]
  // backward scratch
  readonly dx: GPUBuffer; // residual-stream gradient [N, C]
  readonly dh: GPUBuffer; // gradient of a norm output [N, C]
  readonly dAttn: GPUBuffer; // [N, H·D]
  readonly dq: GPUBuffer; // GPT-2: [N, 3C]; Llama: [N, H·D]
  readonly dk: GPUBuffer;
  readonly dv: GPUBuffer;
  readonly dF: GPUBuffer; // [N, F]
  readonly di: GPUBuffer; // [B·H·T]
  readonly dU: GPUBuffer; // [N, r]
}

/** Vocabulary columns per logits chunk: the whole vocabulary when it fits in `budgetBytes`. */
export function vocabChunk(vocab: number, tokens: number, budgetBytes = 256 * 2 ** 20): number {
  const fit = Math.floor(budgetBytes / (4 * tokens));
  if (fit >= vocab) return vocab;
  return Math.max(256, Math.floor(fit / 64) * 64);
}

export function allocateActivations(
  rt: GpuRuntime,
  config: ModelConfig,
  rows: number,
  maxTime: number,
  loraModulesByLayer: readonly (readonly string[])[],
  r: number,
): ActivationBuffers & { chunk: number } {
  const n = rows * maxTime;
  const c = config.dModel;
  const llama = config.architecture === 'llama';
  const headDim = llama ? config.headDim : c / config.nHeads;
  const qWidth = config.nHeads * headDim;
  const kvWidth = llama ? config.nKvHeads * headDim : 0;
  const f = config.ffnDim;
  const heads = config.nHeads;
  const layers: LayerActivations[] = [];
  for (let i = 0; i < config.nLayers; i++) {
    const q = rt.buffer(n * (llama ? qWidth : 3 * c), `l${i}.q`);
    const k = llama ? rt.buffer(n * kvWidth, `l${i}.k`) : q;
    const v = llama ? rt.buffer(n * kvWidth, `l${i}.v`) : q;
    const f2 = rt.buffer(n * f, `l${i}.f2`);
    const loraU = new Map<string, GPUBuffer>();
    for (const name of loraModulesByLayer[i] ?? []) loraU.set(name, rt.buffer(n * r, `l${i}.${name}.U`));
    layers.push({
      x: i === 0 ? rt.buffer(n * c, 'x0') : layers[i - 1]!.x, // replaced below
      h1: rt.buffer(n * c, `l${i}.h1`),
      stats1: rt.buffer(2 * n, `l${i}.s1`),
      q,
      k,
      v,
      attn: rt.buffer(n * qWidth, `l${i}.attn`),
      lse: rt.buffer(n * heads, `l${i}.lse`),
      a: rt.buffer(n * c, `l${i}.a`),
      h2: rt.buffer(n * c, `l${i}.h2`),
      stats2: rt.buffer(2 * n, `l${i}.s2`),
      f1: rt.buffer(n * f, `l${i}.f1`),
      f2,
      f3: llama ? rt.buffer(n * f, `l${i}.f3`) : f2,
      loraU,
    });
  }
  // block i's input is block i−1's output: one buffer per boundary
  const outputs = layers.map((_, i) => (i === 0 ? layers[0]!.x : rt.buffer(n * c, `x${i}`)));
  layers.forEach((l, i) => ((l as { x: GPUBuffer }).x = outputs[i]!));
  const chunk = vocabChunk(config.vocabSize, n);
  return {
    maxTokens: n,
    chunk,
    ids: rt.buffer(n, 'ids'),
    positions: rt.buffer(n, 'positions'),
    mask: rt.buffer(n, 'mask'),
    target: rt.buffer(n, 'target'),
    weight: rt.buffer(n, 'weight'),
    ropeCos: rt.buffer(llama ? (n * headDim) / 2 : 1, 'rope.cos'),
    ropeSin: rt.buffer(llama ? (n * headDim) / 2 : 1, 'rope.sin'),
    layers,
    xFinal: rt.buffer(n * c, 'xL'),
    hFinal: rt.buffer(n * c, 'hL'),
    statsFinal: rt.buffer(2 * n, 'sL'),
    logits: rt.buffer(n * chunk, 'logits'),
    lossState: rt.buffer(3 * n, 'loss.state'),
    logProbs: rt.buffer(n, 'logprobs'),
    dx: rt.buffer(n * c, 'dx'),
    dh: rt.buffer(n * c, 'dh'),
    dAttn: rt.buffer(n * qWidth, 'dattn'),
    dq: rt.buffer(n * (llama ? qWidth : 3 * c), 'dq'),
    dk: rt.buffer(llama ? n * kvWidth : 1, 'dk'),
    dv: rt.buffer(llama ? n * kvWidth : 1, 'dv'),
    dF: rt.buffer(n * f, 'dF'),
    di: rt.buffer(n * heads, 'di'),
    dU: rt.buffer(n * Math.max(1, r), 'dU'),
  };
}
