/**
 * One training step on the fused WebGPU executor, for the trainer: the same DP-SGD step as
 * the tfjs path (per-unit gradients, a patient's rows summed first, clipping, noise from the
 * trainer's CSPRNG, division by the expected batch size, AdamW), with the parameters and
 * the optimizer state kept on the GPU between steps. The host copies (checkpoints,
 * evaluation, the stored adapter) are refreshed by `syncInto`.
 */
import { gaussianNoise } from '../dp/gaussianNoise.js';
import type { RandomSource } from '../dp/randomSource.js';
import type { FusedExecutor } from '../engine/webgpu/fusedExecutor.js';
import type { LoraAdapter } from '../lora/index.js';
import type { CausalLm } from '../model/index.js';
import type { AdamWSettings, AdamWState } from './adamW.js';
import type { Evaluation } from './evaluate.js';
import { fusedExecutorSupport } from '../engine/webgpu/executorSupport.js';
import { fusedExecutorFor } from './fusedExecutorBridge.js';
import { packMicroBatches } from './microBatches.js';
import type { TrainingExample } from './trainingData.js';

export interface FusedStepPrivacy {
  readonly noiseMultiplier: number;
  readonly clipNorm: number;
  readonly clipping: 'flat' | 'per-layer';
  readonly expectedBatchSize: number;
}

export class FusedTrainingStep {
  private constructor(
    private readonly executor: FusedExecutor,
    private readonly rows: number,
    private readonly settings: AdamWSettings,
    private readonly sizes: readonly number[],
  ) {}

  /**
   * The fused step for this run, or undefined when training stays on the tfjs path
   * (another backend, LoRA dropout; `fusedExecutorSupport` says why).
   */
  static async open(options: {
    model: CausalLm;
    adapter: LoraAdapter;
    backend: string;
    microBatchSize: number;
    examples: readonly TrainingExample[];
    params: readonly Float32Array[];
    optimizer: { settings: AdamWSettings; state: AdamWState };
  }): Promise<FusedTrainingStep | undefined> {
    const support = fusedExecutorSupport(options.backend, {
      architecture: options.model.config.architecture,
      loraDropout: options.adapter.options.dropout,
    });
    if (!support.fused) return undefined;
    let longest = 8;
    for (const e of options.examples) longest = Math.max(longest, e.ids.length);
    const executor = await fusedExecutorFor(options.model, options.adapter, {
      rows: options.microBatchSize,
      maxTime: Math.ceil(longest / 8) * 8,
    });
    executor.setParams(options.params);
    executor.setOptimizerState(options.optimizer.state.m, options.optimizer.state.v);
    return new FusedTrainingStep(
      executor,
      options.microBatchSize,
      options.optimizer.settings,
      options.params.map((p) => p.length),
    );
  }

  /** A DP-SGD step over the sampled units' examples; advances `state.step`. */
  async private(
    examples: readonly TrainingExample[],
    privacy: FusedStepPrivacy,
    lr: number,
    state: AdamWState,
    random: RandomSource,
  ): Promise<{ tokens: number; noiseRatio: number; clippedFraction: number }> {
    const slotOf = new Map<number, number>();
    for (const e of examples) if (!slotOf.has(e.unit)) slotOf.set(e.unit, slotOf.size);
    const batches = packMicroBatches(examples, this.rows).map((batch) => ({
      batch,
      slots: batch.ids.map((_, r) => (r < batch.examples.length ? slotOf.get(batch.examples[r]!.unit)! : -1)),
    }));
    state.step += 1;
    const result = await this.executor.privateStep({
      batches,
      units: slotOf.size,
      ...privacy,
      noise: this.sizes.map((n) => gaussianNoise(n, 1, random)),
      adam: { lr, ...this.settings },
      step: state.step,
    });
    return {
      tokens: examples.reduce((sum, e) => sum + e.ids.length - 1, 0),
      noiseRatio: result.noiseRatio,
      clippedFraction: result.clippedFraction,
    };
  }

  /** A non-private step: the mean gradient over the examples, AdamW; advances `state.step`. */
  async plain(
    examples: readonly TrainingExample[],
    lr: number,
    state: AdamWState,
  ): Promise<{ lossSum: number; tokens: number }> {
    state.step += 1;
    const batches = packMicroBatches(examples, this.rows);
    const losses = await this.executor.plainStep(
      batches,
      examples.length,
      { lr, ...this.settings },
      state.step,
    );
    let lossSum = 0;
    losses.forEach((rows, i) => rows.slice(0, batches[i]!.examples.length).forEach((l) => (lossSum += l)));
    return { lossSum, tokens: examples.reduce((sum, e) => sum + e.ids.length - 1, 0) };
  }

  /**
   * Evaluation loss and perplexity of the current adapter on held-out examples, as
   * train/evaluate.ts computes them (token-weighted mean NLL), on the GPU.
   */
  async evaluate(examples: readonly TrainingExample[]): Promise<Evaluation> {
    let nll = 0;
    let tokens = 0;
    for (const batch of packMicroBatches(examples, this.rows)) {
      const lp = await this.executor.logProbs(batch);
      batch.examples.forEach((e, r) => {
        for (let t = 0; t + 1 < e.ids.length; t++) nll -= lp[r]![t]!;
        tokens += e.ids.length - 1;
      });
    }
    const loss = tokens === 0 ? Number.NaN : nll / tokens;
    return { loss, perplexity: Math.exp(loss), tokens };
  }

  /** Copies the GPU's parameters and AdamW moments into the host arrays (in place). */
  async syncInto(params: Float32Array[], state: AdamWState): Promise<void> {
    const got = await this.executor.readParams();
    got.forEach((p, k) => params[k]!.set(p));
    const { m, v } = await this.executor.readOptimizerState();
    m.forEach((x, k) => state.m[k]!.set(x));
    v.forEach((x, k) => state.v[k]!.set(x));
  }

  dispose(): void {
    this.executor.dispose();
  }
}
