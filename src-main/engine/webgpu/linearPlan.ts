/**
 * Records one linear module's forward and backward dispatches for a micro-batch shape:
 * y = x W (+ b) (+ LoRA s·(x Aᵀ) Bᵀ) with a fused epilogue, and its backward — the LoRA
 * gradients (per row for DP-SGD, or summed) and dX = dY Wᵀ + dU A for the layer below.
 */
import type { Dispatch } from './gpuRuntime.js';
import { loraGrads, loraProject } from './kernels/loraKernels.js';
import { matmul, PLAIN } from './kernels/matmulKernel.js';
import type { PlanContext } from './transformerPlan.js';

/** One linear module's application: y = x W (+ b) (+ LoRA) with a fused epilogue. */
export interface Linear {
  readonly module: string;
  readonly x: GPUBuffer;
  readonly xLd: number;
  readonly inF: number;
  readonly outF: number;
  readonly y: GPUBuffer;
  readonly yLd: number;
  readonly yOff: number;
}

export function linearRecorder(
  ctx: PlanContext,
  shape: { n: number; rows: number; time: number; perRow: boolean },
  out: { forward: Dispatch[]; backward: Dispatch[] },
): {
  linearForward: (
    l: Linear,
    layer: number,
    epilogue: { act?: 'gelu'; residual?: GPUBuffer; pre?: GPUBuffer },
  ) => void;
  linearBackward: (
    l: Linear,
    layer: number,
    dy: { buf: GPUBuffer; ld: number; off: number },
    dx: { buf: GPUBuffer; accumulate: boolean; geluPre?: GPUBuffer } | undefined,
  ) => void;
} {
  const { rt, acts } = ctx;
  const { n, rows, time, perRow } = shape;
  const { forward, backward } = out;
  const w = ctx.weight;
  const bias = (module: string): GPUBuffer | undefined =>
    ctx.hasWeight(`${module}.bias`) ? w(`${module}.bias`) : undefined;

  /** Forward of a linear: LoRA's U = x Aᵀ first, then the fused matmul. */
  const linearForward = (
    l: Linear,
    layer: number,
    epilogue: { act?: 'gelu'; residual?: GPUBuffer; pre?: GPUBuffer },
  ): void => {
    const slot = ctx.layout.slots.get(l.module);
    const u = acts.layers[layer]!.loraU.get(l.module);
    if (slot && u) {
      forward.push(
        loraProject(
          rt,
          { x: l.x, w: ctx.params, y: u },
          {
            m: n,
            r: ctx.r,
            k: l.inF,
            ldx: l.xLd,
            xOff: 0,
            wOff: slot.offA,
            sJ: l.inF,
            sK: 1,
            scale: 1,
          },
          `${l.module}.U`,
        ),
      );
    }
    const b = bias(l.module);
    forward.push(
      ...matmul(
        rt,
        {
          ...PLAIN,
          bias: b !== undefined,
          lora: slot !== undefined,
          act: epilogue.act ?? 'none',
          residual: epilogue.residual !== undefined,
        },
        {
          m: n,
          n: l.outF,
          k: l.inF,
          lda: l.xLd,
          ldb: l.outF,
          ldc: l.yLd,
          cOff: l.yOff,
          r: ctx.r,
          ldu: ctx.r,
          lOff: slot?.offB ?? 0,
          sN: ctx.r,
          sJ: 1,
          scale: ctx.scale,
          ldx: l.yLd,
        },
        {
          a: l.x,
          b: w(`${l.module}.weight`),
          c: l.y,
          ...(b ? { bias: b } : {}),
          ...(slot && u ? { u, l: ctx.params } : {}),
          ...(epilogue.pre ? { x: epilogue.pre } : epilogue.residual ? { x: epilogue.residual } : {}),
        },
        l.module,
      ),
    );
  };

  /**
   * Backward of a linear given dY (buffer, leading dimension, column offset): the LoRA
   * gradients, then dX = dY Wᵀ + dU A into `dx` (accumulated or written, optionally times
   * GELU'(pre)). `dx` undefined: only the LoRA gradients (the first layer's input).
   */
  const linearBackward = (
    l: Linear,
    layer: number,
    dy: { buf: GPUBuffer; ld: number; off: number },
    dx: { buf: GPUBuffer; accumulate: boolean; geluPre?: GPUBuffer } | undefined,
  ): void => {
    const slot = ctx.layout.slots.get(l.module);
    const u = acts.layers[layer]!.loraU.get(l.module);
    const P = ctx.layout.total;
    if (slot && u) {
      // dU = s · dY B   (B [out, r]: element (o, j) at offB + o·r + j)
      backward.push(
        loraProject(
          rt,
          { x: dy.buf, w: ctx.params, y: acts.dU },
          {
            m: n,
            r: ctx.r,
            k: l.outF,
            ldx: dy.ld,
            xOff: dy.off,
            wOff: slot.offB,
            sJ: 1,
            sK: ctx.r,
            scale: ctx.scale,
          },
          `${l.module}.dU`,
        ),
      );
      const groups = perRow ? rows : 1;
      const rowsPerGroup = perRow ? time : n;
      // dB[o, j] = s · Σ dY[n, o] U[n, j] and dA[j, i] = Σ dU[n, j] x[n, i], one dispatch
      backward.push(
        loraGrads(
          rt,
          { dy: dy.buf, u, du: acts.dU, x: l.x, g: ctx.grads },
          {
            groups,
            rowsPerGroup,
            outF: l.outF,
            r: ctx.r,
            inF: l.inF,
            ldy: dy.ld,
            yOff: dy.off,
            ldx: l.xLd,
            gStride: P,
            offB: slot.offB,
            offA: slot.offA,
            scale: ctx.scale,
            accumulate: !perRow,
          },
          `${l.module}.grads`,
        ),
      );
    }
    if (!dx) return;
    backward.push(
      ...matmul(
        rt,
        {
          ...PLAIN,
          transB: true,
          lora: slot !== undefined && u !== undefined,
          act: dx.geluPre ? 'geluGrad' : 'none',
          accumulate: dx.accumulate,
        },
        {
          m: n,
          n: l.inF,
          k: l.outF,
          lda: dy.ld,
          aOff: dy.off,
          ldb: l.outF,
          ldc: l.inF,
          r: ctx.r,
          ldu: ctx.r,
          lOff: slot?.offA ?? 0,
          sN: 1,
          sJ: l.inF,
          scale: 1,
          ldx: l.inF,
        },
        {
          a: dy.buf,
          b: w(`${l.module}.weight`),
          c: dx.buf,
          ...(slot && u ? { u: acts.dU, l: ctx.params } : {}),
          ...(dx.geluPre ? { x: dx.geluPre } : {}),
        },
        `${l.module}.dX`,
      ),
    );
  };

  return { linearForward, linearBackward };
}
