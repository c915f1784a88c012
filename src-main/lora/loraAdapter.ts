/**
 * LoRA adapters (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models",
 * arXiv:2106.09685) on chosen linear modules of a CausalLm: W x + (α / r) · B A x, with A
 * [r, in] initialised as PEFT does (kaiming-uniform with a = √5, i.e. U(±1/√in)) and B
 * [out, r] zero, so a fresh adapter leaves the model unchanged. Only A and B are
 * tf.Variables; the base weights stay frozen tensors.
 *
 * For per-example gradients (DP-SGD), `adapterMapFrom` builds the forward's adapter map from
 * any tensors, e.g. per-example copies A [B, r, in], B [B, out, r] tiled from the variables
 * and differentiated with tf.grads.
 */
import * as tf from '@tensorflow/tfjs';
import type { AdapterMap, CausalLm, LinearModule, LoraWeights } from '../model/index.js';
import { SeededRandom } from '../model/index.js';
import { ConfidantError } from '../shared/confidantError.js';

export interface LoraOptions {
  readonly r: number;
  readonly alpha: number;
  readonly dropout: number;
  /**
   * PEFT semantics: a list of names matches a module whose full name equals one of them or
   * ends with "." + one of them; a single string is a regular expression over full names.
   */
  readonly targetModules: readonly string[] | string;
  /** rsLoRA (Kalajdzievski 2023) scaling α/√r instead of α/r. */
  readonly useRslora?: boolean;
}

/** PEFT's defaults for the architectures Confidant runs. */
export function defaultTargetModules(model: CausalLm): string[] {
  return model.config.architecture === 'gpt2' ? ['c_attn'] : ['q_proj', 'v_proj'];
}

export function matchesTarget(moduleName: string, targets: readonly string[] | string): boolean {
  if (typeof targets === 'string') return new RegExp(`^(?:${targets})$`).test(moduleName);
  return targets.some((t) => moduleName === t || moduleName.endsWith(`.${t}`));
}

export interface LoraModule {
  readonly module: LinearModule;
  readonly a: tf.Variable; // [r, in]
  readonly b: tf.Variable; // [out, r]
}

export class LoraAdapter {
  private constructor(
    readonly options: LoraOptions,
    readonly modules: readonly LoraModule[],
  ) {}

  /** α/r (or α/√r with rsLoRA). */
  get scale(): number {
    return this.options.useRslora
      ? this.options.alpha / Math.sqrt(this.options.r)
      : this.options.alpha / this.options.r;
  }

  /** The only trainable parameters: every A and B. */
  get trainableVariables(): tf.Variable[] {
    return this.modules.flatMap((m) => [m.a, m.b]);
  }

  /** Adds fresh adapters (A random, B zero) to the target modules of `model`. */
  static create(model: CausalLm, options: LoraOptions, seed = 0): LoraAdapter {
    validateOptions(options);
    const targets = model.linearModules.filter((m) => matchesTarget(m.name, options.targetModules));
    if (targets.length === 0) {
      throw new ConfidantError(
        'LORA_NO_TARGETS',
        `no module of this ${model.config.modelType} model matches target modules ${JSON.stringify(options.targetModules)}`,
        {
          hint: `Linear modules are named like ${model.linearModules[0]?.name ?? '(none)'}.`,
          where: { field: 'target_modules' },
        },
      );
    }
    const rng = new SeededRandom(seed);
    const modules = targets.map((module, i) => {
      const bound = 1 / Math.sqrt(module.inFeatures);
      const a = new Float32Array(options.r * module.inFeatures);
      for (let j = 0; j < a.length; j++) a[j] = (2 * rng.next() - 1) * bound;
      return {
        module,
        a: tf.variable(tf.tensor2d(a, [options.r, module.inFeatures]), true, `lora_A_${i}_${uniqueId()}`),
        b: tf.variable(tf.zeros([module.outFeatures, options.r]), true, `lora_B_${i}_${uniqueId()}`),
      };
    });
    return new LoraAdapter(options, modules);
  }

  /** Builds an adapter from given A/B values (used by the PEFT loader). */
  static fromWeights(
    model: CausalLm,
    options: LoraOptions,
    weights: ReadonlyMap<string, { a: tf.Tensor2D; b: tf.Tensor2D }>,
  ): LoraAdapter {
    validateOptions(options);
    const modules: LoraModule[] = [];
    for (const module of model.linearModules) {
      const w = weights.get(module.name);
      if (!w) continue;
      modules.push({
        module,
        a: tf.variable(w.a, true, `lora_A_${module.name}_${uniqueId()}`),
        b: tf.variable(w.b, true, `lora_B_${module.name}_${uniqueId()}`),
      });
    }
    return new LoraAdapter(options, modules);
  }

  /**
   * Sets every A and B from host arrays in `trainableVariables` order. The temporary
   * tensors are disposed (assign copies), so calling it every step leaks nothing.
   */
  setValues(values: readonly Float32Array[]): void {
    const vars = this.trainableVariables;
    if (values.length !== vars.length)
      throw new RangeError(`expected ${vars.length} arrays, got ${values.length}`);
    vars.forEach((v, k) => {
      const value = tf.tensor(values[k]!, v.shape);
      v.assign(value);
      value.dispose();
    });
  }

  /** The forward's adapter map over the variables. */
  adapterMap(training = false): AdapterMap {
    return this.adapterMapFrom(
      this.modules.map((m) => ({ a: m.a, b: m.b })),
      training,
    );
  }

  /**
   * The forward's adapter map over other tensors, one {a, b} per module in `modules` order:
   * [r, in]/[out, r], or per-example [B, r, in]/[B, out, r].
   */
  adapterMapFrom(tensors: readonly { a: tf.Tensor; b: tf.Tensor }[], training = false): AdapterMap {
    const map = new Map<string, LoraWeights>();
    this.modules.forEach((m, i) => {
      const t = tensors[i]!;
      map.set(m.module.name, {
        a: t.a,
        b: t.b,
        scale: this.scale,
        dropout: training ? this.options.dropout : 0,
      });
    });
    return map;
  }

  dispose(): void {
    for (const v of this.trainableVariables) v.dispose();
  }
}

let counter = 0;
function uniqueId(): number {
  return counter++;
}

function validateOptions(o: LoraOptions): void {
  const bad = (field: string, message: string) =>
    new ConfidantError('LORA_OPTIONS_INVALID', message, { where: { field } });
  if (!Number.isInteger(o.r) || o.r < 1 || o.r > 4096)
    throw bad('r', `LoRA rank r must be an integer in 1..4096 (got ${o.r})`);
  if (!(o.alpha > 0) || !Number.isFinite(o.alpha))
    throw bad('lora_alpha', `LoRA alpha must be positive (got ${o.alpha})`);
  if (!(o.dropout >= 0 && o.dropout < 1))
    throw bad('lora_dropout', `LoRA dropout must be in [0, 1) (got ${o.dropout})`);
}
