/**
 * The fused WebGPU training executor: GPT-2 and Llama-family forward and backward passes
 * with LoRA, as explicit kernels over preallocated buffers (the design of Karpathy's llm.c),
 * one compute pass per micro-batch, and DP-SGD's clipping, noise and AdamW on the GPU.
 * tfjs stays the reference implementation; tests hold this executor to it.
 *
 * What crosses the bus per step: token ids, masks, targets and loss weights (a few KB), the
 * Gaussian noise (drawn on the host from node:crypto: the privacy-critical randomness stays
 * in one audited place, and a LoRA gradient is small, so uploading P floats costs little),
 * and back: the positions' log-probabilities, the units' norms and the noise check.
 */
import type { ModelConfig } from '../../model/config.js';
import { allocateActivations, type ActivationBuffers } from './activationBuffers.js';
import {
  packParams,
  paramLayout,
  unpackParams,
  type ExecutorLora,
  type ExecutorModel,
  type ParamLayout,
} from './executorLayout.js';
import type { Dispatch, GpuRuntime } from './gpuRuntime.js';
import {
  adamW,
  adamWWords,
  clipFactors,
  clipSumNoise,
  clipSumNoiseWords,
  noiseCheck,
  unitAccumulate,
  unitNorms,
} from './kernels/dpKernels.js';
import { microBatchInputs, ropeTables, summarisePrivateStep } from './microBatchInputs.js';
import { recordPlan, zeroInto, type MicroBatchPlan } from './transformerPlan.js';

/** A micro-batch as the trainer packs it: right-padded ids and an attention mask. */
export interface ExecutorBatch {
  readonly ids: readonly (readonly number[])[];
  readonly mask: readonly (readonly number[])[];
}

export interface AdamWHyper {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly weightDecay: number;
  readonly epsilon?: number;
}

export interface PrivateStepInput {
  /** Each micro-batch with the privacy-unit slot (0..units−1) of each row; −1 for padding rows. */
  readonly batches: readonly { batch: ExecutorBatch; slots: readonly number[] }[];
  readonly units: number;
  readonly clipNorm: number;
  readonly clipping: 'flat' | 'per-layer';
  readonly noiseMultiplier: number;
  readonly expectedBatchSize: number;
  /** Standard normal draws, one per LoRA parameter (trainer order, unpadded). */
  readonly noise: readonly Float32Array[];
  readonly adam: AdamWHyper;
  /** The optimizer step number after this step (bias correction). */
  readonly step: number;
}

export interface PrivateStepResult {
  /** Mean NLL of each real row, per micro-batch. */
  readonly rowLosses: number[][];
  /** Each unit's gradient norm before clipping (flat). */
  readonly unitNorms: number[];
  readonly clippedFraction: number;
  /** ‖noise added‖ / (σC√d). */
  readonly noiseRatio: number;
}

export class FusedExecutor {
  private readonly plans = new Map<string, MicroBatchPlan>();
  private readonly acts: ActivationBuffers & { chunk: number };
  private readonly params: GPUBuffer;
  private readonly rowGrads: GPUBuffer;
  private readonly sumGrad: GPUBuffer;
  private readonly grad: GPUBuffer;
  private readonly clean: GPUBuffer;
  private readonly adamM: GPUBuffer;
  private readonly adamV: GPUBuffer;
  private readonly noise: GPUBuffer;
  private readonly tensorOf: GPUBuffer;
  private readonly ranges: GPUBuffer;
  private unitCapacity = 0;
  private unitGrads: GPUBuffer | undefined;
  private norm2: GPUBuffer | undefined;
  private factors: GPUBuffer | undefined;
  private readonly partial: GPUBuffer;
  private readonly slots: GPUBuffer;
  private readonly weights = new Map<string, GPUBuffer>();
  readonly layout: ParamLayout;
  private readonly invFreq: Float32Array | undefined;

  private constructor(
    readonly rt: GpuRuntime,
    readonly config: ModelConfig,
    model: ExecutorModel,
    readonly lora: ExecutorLora,
    readonly rows: number,
    readonly maxTime: number,
    invFreq: Float32Array | undefined,
  ) {
    for (const [name, data] of model.weights) this.weights.set(name, rt.upload(data, name));
    this.layout = paramLayout(lora);
    const P = this.layout.total;
    const byLayer: string[][] = Array.from({ length: config.nLayers }, () => []);
    for (const m of lora.modules) {
      const match = /\.(?:h|layers)\.(\d+)\./.exec(m.name);
      if (!match) throw new Error(`LoRA module ${m.name} is not inside a transformer block`);
      byLayer[Number(match[1])]!.push(m.name);
    }
    this.acts = allocateActivations(rt, config, rows, maxTime, byLayer, lora.r);
    this.params = rt.buffer(P, 'lora.params');
    this.rowGrads = rt.buffer(rows * P, 'lora.rowGrads');
    this.sumGrad = rt.buffer(P, 'lora.sumGrad');
    this.grad = rt.buffer(P, 'lora.grad');
    this.clean = rt.buffer(P, 'lora.clean');
    this.adamM = rt.buffer(P, 'adam.m');
    this.adamV = rt.buffer(P, 'adam.v');
    this.noise = rt.buffer(P, 'noise');
    const tensorOf = new Uint32Array(P);
    const ranges = new Uint32Array(2 * this.layout.tensors.length);
    this.layout.tensors.forEach((t, k) => {
      tensorOf.fill(k, t.offset, t.offset + t.length);
      ranges[2 * k] = t.offset;
      ranges[2 * k + 1] = t.length;
    });
    this.tensorOf = rt.upload(tensorOf, 'tensorOf');
    this.ranges = rt.upload(ranges, 'ranges');
    this.partial = rt.buffer(256, 'noise.partial');
    this.slots = rt.buffer(rows, 'slots');
    this.invFreq = invFreq;
  }

  /**
   * Uploads the frozen weights and allocates every buffer for micro-batches of `rows` rows
   * of up to `maxTime` tokens. `invFreq`: RoPE's inverse frequencies (Llama family).
   */
  static create(
    rt: GpuRuntime,
    model: ExecutorModel,
    lora: ExecutorLora,
    shape: { rows: number; maxTime: number },
    invFreq?: Float32Array,
  ): FusedExecutor {
    return new FusedExecutor(rt, model.config, model, lora, shape.rows, shape.maxTime, invFreq);
  }

  /** Bytes of GPU memory this executor holds. */
  get gpuBytes(): number {
    return this.rt.allocatedBytes;
  }

  setParams(arrays: readonly Float32Array[]): void {
    this.rt.write(this.params, packParams(this.layout, arrays));
  }

  async readParams(): Promise<Float32Array[]> {
    return unpackParams(this.layout, await this.rt.read(this.params, this.layout.total));
  }

  setOptimizerState(m: readonly Float32Array[], v: readonly Float32Array[]): void {
    this.rt.write(this.adamM, packParams(this.layout, m));
    this.rt.write(this.adamV, packParams(this.layout, v));
  }

  async readOptimizerState(): Promise<{ m: Float32Array[]; v: Float32Array[] }> {
    const P = this.layout.total;
    return {
      m: unpackParams(this.layout, await this.rt.read(this.adamM, P)),
      v: unpackParams(this.layout, await this.rt.read(this.adamV, P)),
    };
  }

  private plan(time: number, perRow: boolean): MicroBatchPlan {
    const key = `${time}:${perRow ? 'row' : 'sum'}`;
    let plan = this.plans.get(key);
    if (!plan) {
      plan = recordPlan(
        {
          rt: this.rt,
          config: this.config,
          weight: (name) => {
            const b = this.weights.get(name);
            if (!b) throw new Error(`weight ${name} was not uploaded`);
            return b;
          },
          hasWeight: (name) => this.weights.has(name),
          layout: this.layout,
          params: this.params,
          r: this.lora.r,
          scale: this.lora.scale,
          acts: this.acts,
          grads: perRow ? this.rowGrads : this.sumGrad,
        },
        this.rows,
        time,
        perRow,
      );
      this.plans.set(key, plan);
    }
    return plan;
  }

  /** Writes a micro-batch's inputs; returns its time dimension and each row's target count. */
  private upload(batch: ExecutorBatch): { time: number; counts: number[] } {
    const rows = batch.ids.length;
    if (rows !== this.rows)
      throw new RangeError(`micro-batch has ${rows} rows; the executor was built for ${this.rows}`);
    const time = batch.ids[0]!.length;
    if (time > this.maxTime)
      throw new RangeError(`micro-batch has ${time} positions; at most ${this.maxTime}`);
    const { ids, pos, mask, target, weight, counts } = microBatchInputs(batch, time);

    const rt = this.rt;
    rt.write(this.acts.ids, ids);
    rt.write(this.acts.positions, pos);
    rt.write(this.acts.mask, mask);
    rt.write(this.acts.target, target);
    rt.write(this.acts.weight, weight);
    if (this.invFreq) {
      const { cos, sin } = ropeTables(pos, this.invFreq);
      rt.write(this.acts.ropeCos, cos);
      rt.write(this.acts.ropeSin, sin);
    }
    return { time, counts };
  }

  private async rowLosses(
    time: number,
    counts: readonly number[],
  ): Promise<{ lp: Float32Array; losses: number[] }> {
    const lp = await this.rt.read(this.acts.logProbs, this.rows * time);
    const losses = counts.map((count, b) => {
      let s = 0;
      for (let t = 0; t + 1 < time; t++) if (this.lastMask[b * time + t + 1]) s -= lp[b * time + t]!;
      return s / Math.max(1, count);
    });
    return { lp, losses };
  }

  private lastMask: Float32Array = new Float32Array(0);

  private remember(batch: ExecutorBatch): void {
    this.lastMask = Float32Array.from(batch.mask.flat());
  }

  /** log p(ids[b, t+1] | ids[b, ..t]) for every row: [rows][time − 1] (padding targets are garbage). */
  async logProbs(batch: ExecutorBatch): Promise<Float32Array[]> {
    const { time } = this.upload(batch);
    this.rt.run(this.plan(time, false).forward);
    const lp = await this.rt.read(this.acts.logProbs, this.rows * time);
    return Array.from({ length: this.rows }, (_, b) => lp.slice(b * time, b * time + time - 1));
  }

  /** Per-row LoRA gradients (one array per tensor) and row losses: the tfjs path's perExampleGradients. */
  async rowGradients(batch: ExecutorBatch): Promise<{ perRow: Float32Array[][]; losses: number[] }> {
    const { time, counts } = this.upload(batch);
    this.remember(batch);
    const plan = this.plan(time, true);
    this.rt.run([...plan.forward, ...plan.backward]);
    const P = this.layout.total;
    const all = await this.rt.read(this.rowGrads, this.rows * P);
    const { losses } = await this.rowLosses(time, counts);
    return { perRow: counts.map((_, b) => unpackParams(this.layout, all, b * P)), losses };
  }

  /** The gradient of the sum of the rows' mean NLLs, accumulated over `batches`, and the row losses. */
  async summedGradient(
    batches: readonly ExecutorBatch[],
  ): Promise<{ sum: Float32Array[]; losses: number[][] }> {
    const losses = await this.accumulateSummed(batches);
    return { sum: unpackParams(this.layout, await this.rt.read(this.sumGrad, this.layout.total)), losses };
  }

  private async accumulateSummed(batches: readonly ExecutorBatch[]): Promise<number[][]> {
    this.rt.run(this.once('zero-sum', () => [zeroInto(this, this.sumGrad, this.layout.total)]));
    const losses: number[][] = [];
    for (const batch of batches) {
      const { time, counts } = this.upload(batch);
      this.remember(batch);
      const plan = this.plan(time, false);
      this.rt.run([...plan.forward, ...plan.backward]);
      losses.push((await this.rowLosses(time, counts)).losses);
    }
    return losses;
  }

  /** A non-private step: the mean gradient over `examples` real rows, then AdamW on the GPU. */
  async plainStep(
    batches: readonly ExecutorBatch[],
    examples: number,
    adam: AdamWHyper,
    step: number,
  ): Promise<number[][]> {
    const losses = await this.accumulateSummed(batches);
    this.runAdam(this.sumGrad, adam, step, 1 / Math.max(1, examples));
    return losses;
  }

  private adamDispatch: { params: GPUBuffer; dispatch: Dispatch }[] = [];
  private readonly cached = new Map<string, Dispatch[]>();

  /** Dispatches built once per key (their uniforms are fixed), so a step allocates nothing. */
  private once(key: string, build: () => Dispatch[]): Dispatch[] {
    let d = this.cached.get(key);
    if (!d) {
      d = build();
      this.cached.set(key, d);
    }
    return d;
  }

  private runAdam(grad: GPUBuffer, adam: AdamWHyper, step: number, gradScale: number): void {
    const words = adamWWords({
      paramCount: this.layout.total,
      lr: adam.lr,
      beta1: adam.beta1,
      beta2: adam.beta2,
      epsilon: adam.epsilon ?? 1e-8,
      weightDecay: adam.weightDecay,
      step,
      gradScale,
    });
    const which = grad === this.sumGrad ? 0 : 1;
    let d = this.adamDispatch[which];
    if (!d) {
      d = adamW(
        this.rt,
        { param: this.params, grad, m: this.adamM, v: this.adamV },
        words,
        this.layout.total,
        'adamw',
      );
      this.adamDispatch[which] = d;
    } else {
      this.rt.device.queue.writeBuffer(d.params, 0, words);
    }
    this.rt.run([d.dispatch]);
  }

  private ensureUnits(units: number): void {
    if (units <= this.unitCapacity) return;
    const capacity = Math.max(units, 2 * this.unitCapacity, 8);
    for (const b of [this.unitGrads, this.norm2, this.factors]) b?.destroy();
    this.cached.clear();
    this.unitGrads = this.rt.buffer(capacity * this.layout.total, 'dp.unitGrads');
    this.norm2 = this.rt.buffer(capacity * this.layout.tensors.length, 'dp.norm2');
    this.factors = this.rt.buffer(capacity * this.layout.tensors.length, 'dp.factors');
    this.unitCapacity = capacity;
  }

  /**
   * One DP-SGD step on the GPU (Abadi et al. 2016): per-row gradients summed into their
   * unit, each unit clipped to C, the sum plus σC·noise divided by the expected batch
   * size, AdamW. Reads back the row log-probabilities, the units' norms and the noise check.
   */
  async privateStep(input: PrivateStepInput): Promise<PrivateStepResult> {
    const P = this.layout.total;
    const T = this.layout.tensors.length;
    const units = input.units;
    this.ensureUnits(Math.max(1, units));
    const unitGrads = this.unitGrads!;
    const capacity = this.unitCapacity;
    this.rt.run(this.once(`zero-units:${capacity}`, () => [zeroInto(this, unitGrads, capacity * P)]));
    const rowLosses: number[][] = [];
    for (const { batch, slots } of input.batches) {
      const { time, counts } = this.upload(batch);
      this.remember(batch);
      this.rt.write(this.slots, Int32Array.from(slots));
      const plan = this.plan(time, true);
      this.rt.run([
        ...plan.forward,
        ...plan.backward,
        ...this.once(`unit-add:${capacity}`, () => [
          unitAccumulate(
            this.rt,
            { rowGrads: this.rowGrads, slots: this.slots, unitGrads },
            P,
            this.rows,
            'dp.unit-add',
          ),
        ]),
      ]);
      rowLosses.push(
        (await this.rowLosses(time, counts)).losses.slice(0, slots.filter((s) => s >= 0).length),
      );
    }
    this.rt.write(this.noise, packParams(this.layout, input.noise));
    const groups = Math.min(256, Math.ceil(P / 256));
    const key = `tail:${capacity}:${units}:${input.clipping}:${input.clipNorm}:${input.noiseMultiplier}:${input.expectedBatchSize}`;
    const tail = this.once(key, () => {
      const list: Dispatch[] = [];
      if (units > 0) {
        list.push(
          unitNorms(this.rt, { unitGrads, ranges: this.ranges, norm2: this.norm2! }, P, T, units, 'dp.norms'),
        );
        list.push(
          clipFactors(
            this.rt,
            { norm2: this.norm2!, factors: this.factors! },
            {
              units,
              tensors: T,
              perLayer: input.clipping === 'per-layer',
              clip: input.clipNorm,
            },
            'dp.factors',
          ).dispatch,
        );
      }
      const words = clipSumNoiseWords({
        paramCount: P,
        units,
        tensors: T,
        std: input.noiseMultiplier * input.clipNorm,
        expectedBatch: input.expectedBatchSize,
      });
      list.push(
        clipSumNoise(
          this.rt,
          {
            unitGrads,
            factors: this.factors!,
            tensorOf: this.tensorOf,
            noise: this.noise,
            grad: this.grad,
            clean: this.clean,
          },
          words,
          P,
          'dp.clip-sum-noise',
        ).dispatch,
      );
      list.push(
        noiseCheck(
          this.rt,
          { grad: this.grad, clean: this.clean, partial: this.partial },
          P,
          input.expectedBatchSize,
          groups,
          'dp.noise-check',
        ),
      );
      return list;
    });
    this.rt.run(tail);
    this.runAdam(this.grad, input.adam, input.step, 1);
    const norms2 = units > 0 ? await this.rt.read(this.norm2!, units * T) : new Float32Array(0);
    const partial = await this.rt.read(this.partial, groups);
    const dims = this.layout.tensors.reduce((sum, t) => sum + t.length, 0);
    return { rowLosses, ...summarisePrivateStep(norms2, partial, units, T, dims, input) };
  }

  dispose(): void {
    this.rt.dispose();
  }
}
