/**
 * What the fused executor is given and how its LoRA parameters are laid out on the GPU.
 * Parameters of all adapted modules live in one flat buffer, in the trainer's order
 * (A₀ [r, in], B₀ [out, r], A₁, B₁, …), each tensor starting on a 64-float boundary so any
 * tensor can be bound on its own (WebGPU's 256-byte storage offset alignment).
 */
import type { ModelConfig } from '../../model/config.js';

/** Frozen weights by Hugging Face name, in the model's compute layout ([in, out]; tables [C, V]). */
export interface ExecutorModel {
  readonly config: ModelConfig;
  readonly weights: ReadonlyMap<string, Float32Array>;
}

export interface ExecutorLoraModule {
  /** Hugging Face module name, e.g. `transformer.h.0.attn.c_attn`. */
  readonly name: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
}

export interface ExecutorLora {
  readonly modules: readonly ExecutorLoraModule[];
  readonly r: number;
  readonly scale: number;
}

export interface ParamSlot {
  readonly module: ExecutorLoraModule;
  readonly offA: number;
  readonly offB: number;
}

export interface ParamLayout {
  readonly slots: ReadonlyMap<string, ParamSlot>;
  /** Offset and length of each tensor, in the trainer's order. */
  readonly tensors: readonly { offset: number; length: number }[];
  /** Padded total (floats). */
  readonly total: number;
}

const ALIGN = 64;

export function paramLayout(lora: ExecutorLora): ParamLayout {
  let at = 0;
  const take = (n: number): number => {
    const off = at;
    at += Math.ceil(n / ALIGN) * ALIGN;
    return off;
  };
  const slots = new Map<string, ParamSlot>();
  const tensors: { offset: number; length: number }[] = [];
  for (const module of lora.modules) {
    const a = lora.r * module.inFeatures;
    const b = module.outFeatures * lora.r;
    const offA = take(a);
    const offB = take(b);
    tensors.push({ offset: offA, length: a }, { offset: offB, length: b });
    slots.set(module.name, { module, offA, offB });
  }
  return { slots, tensors, total: Math.max(ALIGN, at) };
}

/** Packs per-tensor arrays into the padded flat layout. */
export function packParams(layout: ParamLayout, arrays: readonly Float32Array[]): Float32Array {
  if (arrays.length !== layout.tensors.length)
    throw new RangeError(`expected ${layout.tensors.length} LoRA tensors, got ${arrays.length}`);
  const flat = new Float32Array(layout.total);
  layout.tensors.forEach((t, k) => {
    const a = arrays[k]!;
    if (a.length !== t.length)
      throw new RangeError(`LoRA tensor ${k}: ${a.length} values, expected ${t.length}`);
    flat.set(a, t.offset);
  });
  return flat;
}

/** Splits a flat padded array back into per-tensor arrays. */
export function unpackParams(layout: ParamLayout, flat: Float32Array, base = 0): Float32Array[] {
  return layout.tensors.map((t) => flat.slice(base + t.offset, base + t.offset + t.length));
}
