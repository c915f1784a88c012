/**
 * Records one micro-batch shape's forward and backward passes as dispatch lists, for GPT-2
 * (pre-LayerNorm, fused qkv, GELU) and the Llama family (RMSNorm, RoPE, grouped-query
 * attention, SwiGLU, optional q/k/v biases), with LoRA on any linear module. Only LoRA
 * parameters get gradients: frozen weights only pass gradients through (dX = dY Wᵀ).
 * The LoRA gradients are written per row (DP-SGD's per-example gradients) or summed.
 */
import type { ModelConfig } from '../../model/config.js';
import type { ActivationBuffers } from './activationBuffers.js';
import type { ParamLayout } from './executorLayout.js';
import type { Dispatch, GpuRuntime } from './gpuRuntime.js';
import {
  attentionBackward,
  attentionForward,
  rope,
  type AttentionShape,
} from './kernels/attentionKernels.js';
import { embed, swiglu, swigluBackward } from './kernels/elementwiseKernels.js';
import { lossChunk, lossFinish, lossGradChunk, lossReset } from './kernels/lossKernels.js';
import { matmul, PLAIN } from './kernels/matmulKernel.js';
import { linearRecorder, type Linear } from './linearPlan.js';
import { normBackward, normForward } from './kernels/normKernels.js';

export interface PlanContext {
  readonly rt: GpuRuntime;
  readonly config: ModelConfig;
  readonly weight: (name: string) => GPUBuffer;
  readonly hasWeight: (name: string) => boolean;
  readonly layout: ParamLayout;
  readonly params: GPUBuffer;
  readonly r: number;
  readonly scale: number;
  readonly acts: ActivationBuffers & { chunk: number };
  /** Per-row gradients [rows, P] (or the summed gradient [1, P]). */
  readonly grads: GPUBuffer;
}

export interface MicroBatchPlan {
  readonly forward: Dispatch[];
  readonly backward: Dispatch[];
}

export function recordPlan(ctx: PlanContext, rows: number, time: number, perRow: boolean): MicroBatchPlan {
  const { rt, config, acts } = ctx;
  const n = rows * time;
  const c = config.dModel;
  const llama = config.architecture === 'llama';
  const headDim = llama ? config.headDim : c / config.nHeads;
  const kvHeads = llama ? config.nKvHeads : config.nHeads;
  const qWidth = config.nHeads * headDim;
  const kvWidth = kvHeads * headDim;
  const f = config.ffnDim;
  const forward: Dispatch[] = [];
  const backward: Dispatch[] = [];
  const w = ctx.weight;

  const { linearForward, linearBackward } = linearRecorder(
    ctx,
    { n, rows, time, perRow },
    { forward, backward },
  );

  const attnShape: AttentionShape = llama
    ? {
        batch: rows,
        time,
        heads: config.nHeads,
        kvHeads,
        headDim,
        q: { ld: qWidth, off: 0 },
        k: { ld: kvWidth, off: 0 },
        v: { ld: kvWidth, off: 0 },
      }
    : {
        batch: rows,
        time,
        heads: config.nHeads,
        kvHeads,
        headDim,
        q: { ld: 3 * c, off: 0 },
        k: { ld: 3 * c, off: c },
        v: { ld: 3 * c, off: 2 * c },
      };

  const ropeShape = { rows: n, headDim, qHeads: config.nHeads, kHeads: kvHeads };

  // ---- forward ----
  const prefix = llama ? 'model' : 'transformer';
  if (llama) {
    forward.push(
      embed(
        rt,
        { table: w('model.embed_tokens.weight'), ids: acts.ids, out: acts.layers[0]!.x },
        n,
        c,
        config.vocabSize,
        'embed',
      ),
    );
  } else {
    forward.push(
      embed(
        rt,
        {
          table: w('transformer.wte.weight'),
          ids: acts.ids,
          out: acts.layers[0]!.x,
          positions: { table: w('transformer.wpe.weight'), ids: acts.positions },
        },
        n,
        c,
        config.vocabSize,
        'embed',
      ),
    );
  }
  const norm = llama ? 'rms' : 'layer';
  const eps = llama ? config.rmsNormEps : config.layerNormEps;
  const gammaBeta = (name: string) =>
    llama ? { gamma: w(`${name}.weight`) } : { gamma: w(`${name}.weight`), beta: w(`${name}.bias`) };
  const names = (i: number) =>
    llama
      ? {
          n1: `model.layers.${i}.input_layernorm`,
          n2: `model.layers.${i}.post_attention_layernorm`,
          q: `model.layers.${i}.self_attn.q_proj`,
          k: `model.layers.${i}.self_attn.k_proj`,
          v: `model.layers.${i}.self_attn.v_proj`,
          o: `model.layers.${i}.self_attn.o_proj`,
          gate: `model.layers.${i}.mlp.gate_proj`,
          up: `model.layers.${i}.mlp.up_proj`,
          down: `model.layers.${i}.mlp.down_proj`,
        }
      : {
          n1: `transformer.h.${i}.ln_1`,
          n2: `transformer.h.${i}.ln_2`,
          q: `transformer.h.${i}.attn.c_attn`,
          k: '',
          v: '',
          o: `transformer.h.${i}.attn.c_proj`,
          gate: `transformer.h.${i}.mlp.c_fc`,
          up: '',
          down: `transformer.h.${i}.mlp.c_proj`,
        };
  const lin = (module: string, x: GPUBuffer, inF: number, outF: number, y: GPUBuffer): Linear => ({
    module,
    x,
    xLd: inF,
    inF,
    outF,
    y,
    yLd: outF,
    yOff: 0,
  });

  for (let i = 0; i < config.nLayers; i++) {
    const L = acts.layers[i]!;
    const out = i + 1 < config.nLayers ? acts.layers[i + 1]!.x : acts.xFinal;
    const m = names(i);
    forward.push(
      normForward(rt, norm, { x: L.x, ...gammaBeta(m.n1), y: L.h1, stats: L.stats1 }, n, c, eps, m.n1),
    );
    if (llama) {
      linearForward(lin(m.q, L.h1, c, qWidth, L.q), i, {});
      linearForward(lin(m.k, L.h1, c, kvWidth, L.k), i, {});
      linearForward(lin(m.v, L.h1, c, kvWidth, L.v), i, {});
      forward.push(
        rope(rt, { q: L.q, k: L.k, cos: acts.ropeCos, sin: acts.ropeSin }, ropeShape, 1, `l${i}.rope`),
      );
    } else {
      linearForward(lin(m.q, L.h1, c, 3 * c, L.q), i, {});
    }
    forward.push(
      attentionForward(
        rt,
        attnShape,
        { q: L.q, k: L.k, v: L.v, mask: acts.mask, out: L.attn, lse: L.lse },
        `l${i}.attn`,
      ),
    );
    linearForward(lin(m.o, L.attn, qWidth, c, L.a), i, { residual: L.x });
    forward.push(
      normForward(rt, norm, { x: L.a, ...gammaBeta(m.n2), y: L.h2, stats: L.stats2 }, n, c, eps, m.n2),
    );
    if (llama) {
      linearForward(lin(m.gate, L.h2, c, f, L.f1), i, {});
      linearForward(lin(m.up, L.h2, c, f, L.f2), i, {});
      forward.push(swiglu(rt, { gate: L.f1, up: L.f2, out: L.f3 }, n * f, `l${i}.swiglu`));
      linearForward(lin(m.down, L.f3, f, c, out), i, { residual: L.a });
    } else {
      linearForward(lin(m.gate, L.h2, c, f, L.f2), i, { act: 'gelu', pre: L.f1 });
      linearForward(lin(m.down, L.f2, f, c, out), i, { residual: L.a });
    }
  }
  const finalNorm = llama ? 'model.norm' : 'transformer.ln_f';
  forward.push(
    normForward(
      rt,
      norm,
      { x: acts.xFinal, ...gammaBeta(finalNorm), y: acts.hFinal, stats: acts.statsFinal },
      n,
      c,
      eps,
      finalNorm,
    ),
  );
  const head = llama
    ? config.tieWordEmbeddings
      ? w('model.embed_tokens.weight')
      : w('lm_head.weight')
    : w('transformer.wte.weight');
  const vocab = config.vocabSize;
  const chunks: { off: number; width: number }[] = [];
  for (let off = 0; off < vocab; off += acts.chunk)
    chunks.push({ off, width: Math.min(acts.chunk, vocab - off) });
  const logitsOf = (ch: { off: number; width: number }): Dispatch[] =>
    matmul(
      rt,
      PLAIN,
      { m: n, n: ch.width, k: c, lda: c, ldb: vocab, bOff: ch.off, ldc: ch.width },
      { a: acts.hFinal, b: head, c: acts.logits },
      `logits@${ch.off}`,
    );
  forward.push(lossReset(rt, acts.lossState, n, 'loss.reset'));
  for (const ch of chunks) {
    forward.push(...logitsOf(ch));
    forward.push(
      lossChunk(
        rt,
        { logits: acts.logits, target: acts.target, st: acts.lossState },
        n,
        ch.width,
        ch.off,
        `loss@${ch.off}`,
      ),
    );
  }
  forward.push(lossFinish(rt, acts.lossState, acts.logProbs, n, 'loss.finish'));

  // ---- backward ----
  chunks.forEach((ch, k) => {
    // one chunk: the forward's logits are still in the buffer; more: recompute this chunk
    if (chunks.length > 1) backward.push(...logitsOf(ch));
    backward.push(
      lossGradChunk(
        rt,
        { logits: acts.logits, target: acts.target, st: acts.lossState, weight: acts.weight },
        n,
        ch.width,
        ch.off,
        `dlogits@${ch.off}`,
      ),
    );
    // dh += dlogits · headᵀ (head [C, V]: element (v, c) of headᵀ at c·V + v)
    backward.push(
      ...matmul(
        rt,
        { ...PLAIN, transB: true, accumulate: k > 0 },
        { m: n, n: c, k: ch.width, lda: ch.width, ldb: vocab, bOff: ch.off, ldc: c },
        { a: acts.logits, b: head, c: acts.dh },
        `dhead@${ch.off}`,
      ),
    );
  });
  // the residual gradient starts as the final norm's backward (written, not added: clear via a 0-weight trick is avoided by a plain write)
  backward.push(zeroInto(ctx, acts.dx, n * c));
  backward.push(
    normBackward(
      rt,
      norm,
      { x: acts.xFinal, ...gammaBeta(finalNorm), dy: acts.dh, dx: acts.dx, stats: acts.statsFinal },
      n,
      c,
      finalNorm,
    ),
  );
  for (let i = config.nLayers - 1; i >= 0; i--) {
    const L = acts.layers[i]!;
    const m = names(i);
    const dxOut = { buf: acts.dx, ld: c, off: 0 };
    if (llama) {
      linearBackward(lin(m.down, L.f3, f, c, acts.xFinal), i, dxOut, { buf: acts.dF, accumulate: false });
      backward.push(swigluBackward(rt, { gate: L.f1, up: L.f2, dOut: acts.dF }, n * f, `l${i}.swiglu.bwd`));
      linearBackward(
        lin(m.gate, L.h2, c, f, L.f1),
        i,
        { buf: L.f1, ld: f, off: 0 },
        { buf: acts.dh, accumulate: false },
      );
      linearBackward(
        lin(m.up, L.h2, c, f, L.f2),
        i,
        { buf: L.f2, ld: f, off: 0 },
        { buf: acts.dh, accumulate: true },
      );
    } else {
      linearBackward(lin(m.down, L.f2, f, c, acts.xFinal), i, dxOut, {
        buf: acts.dF,
        accumulate: false,
        geluPre: L.f1,
      });
      linearBackward(
        lin(m.gate, L.h2, c, f, L.f2),
        i,
        { buf: acts.dF, ld: f, off: 0 },
        { buf: acts.dh, accumulate: false },
      );
    }
    backward.push(
      normBackward(
        rt,
        norm,
        { x: L.a, ...gammaBeta(m.n2), dy: acts.dh, dx: acts.dx, stats: L.stats2 },
        n,
        c,
        m.n2,
      ),
    );
    linearBackward(lin(m.o, L.attn, qWidth, c, L.a), i, dxOut, { buf: acts.dAttn, accumulate: false });
    const first = i === 0;
    if (llama) {
      backward.push(
        ...attentionBackward(
          rt,
          attnShape,
          {
            q: L.q,
            k: L.k,
            v: L.v,
            mask: acts.mask,
            out: L.attn,
            lse: L.lse,
            dOut: acts.dAttn,
            dq: acts.dq,
            dk: acts.dk,
            dv: acts.dv,
            di: acts.di,
          },
          `l${i}.attn.bwd`,
        ),
      );
      backward.push(
        rope(
          rt,
          { q: acts.dq, k: acts.dk, cos: acts.ropeCos, sin: acts.ropeSin },
          ropeShape,
          -1,
          `l${i}.rope.bwd`,
        ),
      );
      linearBackward(
        lin(m.q, L.h1, c, qWidth, L.q),
        i,
        { buf: acts.dq, ld: qWidth, off: 0 },
        first ? undefined : { buf: acts.dh, accumulate: false },
      );
      linearBackward(
        lin(m.k, L.h1, c, kvWidth, L.k),
        i,
        { buf: acts.dk, ld: kvWidth, off: 0 },
        first ? undefined : { buf: acts.dh, accumulate: true },
      );
      linearBackward(
        lin(m.v, L.h1, c, kvWidth, L.v),
        i,
        { buf: acts.dv, ld: kvWidth, off: 0 },
        first ? undefined : { buf: acts.dh, accumulate: true },
      );
    } else {
      backward.push(
        ...attentionBackward(
          rt,
          attnShape,
          {
            q: L.q,
            k: L.k,
            v: L.v,
            mask: acts.mask,
            out: L.attn,
            lse: L.lse,
            dOut: acts.dAttn,
            dq: acts.dq,
            dk: acts.dq,
            dv: acts.dq,
            di: acts.di,
          },
          `l${i}.attn.bwd`,
        ),
      );
      linearBackward(
        lin(m.q, L.h1, c, 3 * c, L.q),
        i,
        { buf: acts.dq, ld: 3 * c, off: 0 },
        first ? undefined : { buf: acts.dh, accumulate: false },
      );
    }
    if (!first) {
      backward.push(
        normBackward(
          rt,
          norm,
          { x: L.x, ...gammaBeta(m.n1), dy: acts.dh, dx: acts.dx, stats: L.stats1 },
          n,
          c,
          m.n1,
        ),
      );
    }
  }
  void prefix;
  return { forward, backward };
}

const ZERO = `
@group(0) @binding(0) var<storage, read_write> X: array<f32>;
@group(0) @binding(1) var<uniform> n: vec4<u32>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = (wid.y * 65535u + wid.x) * 64u + lid.x;
  if (i < n.x) { X[i] = 0.0; }
}`;

export function zeroInto(ctx: Pick<PlanContext, 'rt'>, buf: GPUBuffer, count: number): Dispatch {
  const groups = Math.ceil(count / 64);
  const grid: [number, number, number] =
    groups <= 65535 ? [groups, 1, 1] : [65535, Math.ceil(groups / 65535), 1];
  return ctx.rt.dispatch(
    ctx.rt.pipeline('zero', ZERO),
    [buf, ctx.rt.uniform(new Uint32Array([count, 0, 0, 0]), 'zero')],
    grid,
    'zero',
  );
}
