/**
 * The memory a LoRA fine-tuning run needs on its device, from config.json alone: the one
 * estimator the CLI (`confidant model plan`), the app, the trainer and the GPU executor
 * share. Pure arithmetic: no tfjs, no I/O.
 *
 * Storage (bytes per parameter):
 * - frozen base: the blocks' linear matrices in the chosen `weights` format: fp32 4, bf16 2,
 *   int8 1 + a fp32 absmax per block of 64 (1.0625), nf4 0.5 + a fp32 absmax per block of
 *   64 (0.5625; QLoRA, Dettmers et al. 2023, without its double quantisation). Embeddings
 *   and an untied head stay 16-bit unless `weights` is fp32; norm scales and biases fp32.
 * - LoRA (Hu et al. 2021): A [r, in] and B [out, r] of every targeted linear, fp32, with
 *   their summed gradient (4 + 4) and AdamW's two moments (8).
 * - DP-SGD (Abadi et al. 2016): one fp32 gradient per example of the micro-batch
 *   (B × LoRA parameters), plus the clipped sum and the noise (2 × LoRA parameters).
 *
 * Activation model (fp32, per token of the micro-batch, N = B·T tokens): the base is
 * frozen, so the backward pass needs only what the chain rule through it and the LoRA
 * weight gradients read; inputs of untargeted frozen linears are not kept (dx = dy·Wᵀ does
 * not read x). Per Llama block: the block input (RMSNorm backward, C), q, k, v after
 * rotary (H·D + 2·Hkv·D), the attention probabilities (H·T; with `fusedAttention` only the
 * output and each row's log-sum-exp, H·(D + 1)), the residual
 * after attention (C), gate and up (2F, SwiGLU backward); plus, for each targeted linear,
 * its input (C, H·D or F: the LoRA A gradient) and x·Aᵀ (r: the B gradient). GPT-2 the
 * same with LayerNorm, fused q/k/v (3C) and the GELU input (F). The head keeps the final
 * norm input (C) and the logits with their gradient (2V).
 * Without checkpointing every block's activations are kept; with gradient checkpointing
 * only each block's input (C) is kept and one block's activations are recomputed at a
 * time. The backward pass of a block holds its activation gradients besides (workspace,
 * one block's worth); the logits are freed before that, so the peak adds the larger of
 * the two, not both.
 * A fixed runtime reserve (driver context, staging buffers, allocator slack) is added.
 */
import type { ModelConfig } from './config.js';
import { blockLinears, defaultLoraTargets, linearMatches, parameterGroups } from './modelShapes.js';
import type { BlockLinear } from './modelShapes.js';
import { QUANT_BLOCK_SIZE } from './blockQuantisation.js';

export const WEIGHT_FORMATS = ['fp32', 'bf16', 'int8', 'nf4'] as const;
export type WeightFormat = (typeof WEIGHT_FORMATS)[number];

/** Driver context, staging buffers and allocator slack. */
export const RUNTIME_RESERVE_BYTES = 512 * 2 ** 20;

const F32 = 4;

/** Bytes per parameter of a block matrix stored in `format` (scales included). */
export function matrixBytesPerParameter(format: WeightFormat): number {
  switch (format) {
    case 'fp32':
      return 4;
    case 'bf16':
      return 2;
    case 'int8':
      return 1 + F32 / QUANT_BLOCK_SIZE;
    case 'nf4':
      return 0.5 + F32 / QUANT_BLOCK_SIZE;
    default:
      throw new Error(`unknown weight format ${String(format satisfies never)}`);
  }
}

export interface MemoryPlanInput {
  readonly config: ModelConfig;
  /** Sequences per micro-batch. */
  readonly batch: number;
  /** Tokens per sequence. */
  readonly seq: number;
  readonly loraR: number;
  readonly weights: WeightFormat;
  readonly checkpointing: boolean;
  /** DP-SGD (per-example gradients); true for every private run. */
  readonly dp: boolean;
  /**
   * True when the executor recomputes attention probabilities in the backward pass
   * (FlashAttention, Dao et al. 2022) and keeps only each row's log-sum-exp and the output;
   * false (default) when it keeps the probabilities, as the tfjs path does.
   */
  readonly fusedAttention?: boolean;
  /** LoRA target modules (default: the trainer's, q_proj/v_proj or c_attn). */
  readonly targets?: readonly string[];
  /** Memory of the device; null when unknown (then `fits` is null). */
  readonly deviceBytes: number | null;
}

/** One kind of activation kept per token of each block, for the breakdown. */
export interface ActivationTerm {
  readonly what: string;
  readonly valuesPerToken: number;
}

export interface MemoryPlan {
  readonly parameters: number;
  readonly loraParameters: number;
  readonly targets: readonly string[];
  readonly weightsBytes: number;
  /**
   * The largest single frozen tensor as stored (the token embedding or head, usually): a
   * GPU executor must split any tensor above its binding limit (2 GiB on the H200's dawn).
   */
  readonly largestTensorBytes: number;
  /** LoRA weights and their summed gradient. */
  readonly loraBytes: number;
  /** AdamW moments. */
  readonly optimizerBytes: number;
  /** Per-example gradients, clipped sum and noise (0 without DP). */
  readonly dpBytes: number;
  readonly activationBytes: number;
  readonly runtimeBytes: number;
  readonly totalBytes: number;
  readonly deviceBytes: number | null;
  readonly fits: boolean | null;
  /** What one block keeps per token (the activation model, for display). */
  readonly activationTerms: readonly ActivationTerm[];
}

function targetedLinears(c: ModelConfig, targets: readonly string[]): BlockLinear[] {
  return blockLinears(c).filter((l) => linearMatches(l.suffix, targets));
}

/** What one block keeps per token for the backward pass (see the activation model above). */
export function blockActivationTerms(
  c: ModelConfig,
  seq: number,
  loraR: number,
  targets: readonly string[],
  fusedAttention = false,
): ActivationTerm[] {
  const targeted = targetedLinears(c, targets);
  const terms: ActivationTerm[] = [];
  const probabilities: ActivationTerm = fusedAttention
    ? {
        what: 'attention output and row log-sum-exp (fused attention)',
        valuesPerToken: c.nHeads * (headDim(c) + 1),
      }
    : { what: 'attention probabilities', valuesPerToken: c.nHeads * seq };
  if (c.architecture === 'gpt2') {
    terms.push(
      { what: 'block input (LayerNorm backward)', valuesPerToken: c.dModel },
      { what: 'q, k, v', valuesPerToken: 3 * c.dModel },
      probabilities,
      { what: 'residual after attention (LayerNorm backward)', valuesPerToken: c.dModel },
      { what: 'GELU input', valuesPerToken: c.ffnDim },
    );
  } else {
    terms.push(
      { what: 'block input (RMSNorm backward)', valuesPerToken: c.dModel },
      { what: 'q, k, v after rotary', valuesPerToken: (c.nHeads + 2 * c.nKvHeads) * c.headDim },
      probabilities,
      { what: 'residual after attention (RMSNorm backward)', valuesPerToken: c.dModel },
      { what: 'gate and up (SwiGLU backward)', valuesPerToken: 2 * c.ffnDim },
    );
  }
  // Inputs of targeted linears that share an input are kept once (q/k/v read the same x).
  const inputs = new Map<string, number>();
  for (const l of targeted) {
    const key = inputKey(l.suffix);
    inputs.set(key, l.inFeatures);
  }
  for (const [key, n] of inputs) terms.push({ what: `input of ${key} (LoRA A gradient)`, valuesPerToken: n });
  if (targeted.length > 0) {
    terms.push({ what: 'x·Aᵀ of each LoRA module (B gradient)', valuesPerToken: loraR * targeted.length });
  }
  return terms;
}

function headDim(c: ModelConfig): number {
  return c.architecture === 'gpt2' ? c.dModel / c.nHeads : c.headDim;
}

function inputKey(suffix: string): string {
  if (/q_proj|k_proj|v_proj|c_attn/.test(suffix)) return 'attention projections';
  if (/gate_proj|up_proj|c_fc/.test(suffix)) return 'MLP input projections';
  return suffix;
}

/** Parameters of LoRA r on the targeted linears of every block. */
export function loraParameterCount(c: ModelConfig, loraR: number, targets: readonly string[]): number {
  const perLayer = targetedLinears(c, targets).reduce(
    (s, l) => s + loraR * (l.inFeatures + l.outFeatures),
    0,
  );
  return c.nLayers * perLayer;
}

export function weightsBytes(c: ModelConfig, format: WeightFormat): number {
  const g = parameterGroups(c);
  const embeddingBytes = format === 'fp32' ? 4 : 2;
  return Math.ceil(
    g.blockMatrices * matrixBytesPerParameter(format) + g.embeddings * embeddingBytes + g.vectors * F32,
  );
}

function largestTensorBytes(c: ModelConfig, format: WeightFormat): number {
  const embedding = c.vocabSize * c.dModel * (format === 'fp32' ? 4 : 2);
  const matrix = Math.max(...blockLinears(c).map((l) => l.inFeatures * l.outFeatures));
  return Math.max(embedding, Math.ceil(matrix * matrixBytesPerParameter(format)));
}

export function planMemory(input: MemoryPlanInput): MemoryPlan {
  const { config: c, batch, seq, loraR } = input;
  const targets = input.targets ?? defaultLoraTargets(c);
  const loraParameters = loraParameterCount(c, loraR, targets);
  const terms = blockActivationTerms(c, seq, loraR, targets, input.fusedAttention ?? false);
  const tokens = batch * seq;
  const perBlock = tokens * terms.reduce((s, t) => s + t.valuesPerToken, 0) * F32;
  const kept = input.checkpointing ? c.nLayers * tokens * c.dModel * F32 + perBlock : c.nLayers * perBlock;
  // The logits and their gradient are freed once the gradient reaches the final norm, before
  // the first block's backward needs its workspace: the peak holds the larger of the two.
  const head = tokens * 2 * c.vocabSize * F32;
  const activationBytes = kept + tokens * c.dModel * F32 + Math.max(head, perBlock);
  const weights = weightsBytes(c, input.weights);
  const loraBytes = 2 * loraParameters * F32;
  const optimizerBytes = 2 * loraParameters * F32;
  const dpBytes = input.dp ? (batch + 2) * loraParameters * F32 : 0;
  const totalBytes = weights + loraBytes + optimizerBytes + dpBytes + activationBytes + RUNTIME_RESERVE_BYTES;
  return {
    parameters: parameterGroups(c).total,
    loraParameters,
    targets: [...targets],
    weightsBytes: weights,
    largestTensorBytes: largestTensorBytes(c, input.weights),
    loraBytes,
    optimizerBytes,
    dpBytes,
    activationBytes,
    runtimeBytes: RUNTIME_RESERVE_BYTES,
    totalBytes,
    deviceBytes: input.deviceBytes,
    fits: input.deviceBytes === null ? null : totalBytes <= input.deviceBytes,
    activationTerms: terms,
  };
}

/** A change to the run that makes it fit. */
export interface PlanSuggestion {
  readonly weights: WeightFormat;
  readonly checkpointing: boolean;
  readonly batch: number;
  readonly totalBytes: number;
  /** What to change, in words. */
  readonly change: string;
}

/**
 * Runs that fit when `input` does not: for each base format no larger than the chosen one
 * and checkpointing as chosen or on, the largest micro-batch ≤ `input.batch` that fits.
 * Ordered by how little changes (the full micro-batch first, then fewer changes). Under DP
 * a smaller micro-batch keeps the expected batch by accumulating micro-batches.
 */
export function suggestFits(input: MemoryPlanInput, most = 3): PlanSuggestion[] {
  if (input.deviceBytes === null) return [];
  const formats = WEIGHT_FORMATS.filter(
    (f) => matrixBytesPerParameter(f) <= matrixBytesPerParameter(input.weights),
  ).sort((a, b) => matrixBytesPerParameter(b) - matrixBytesPerParameter(a));
  const found: (PlanSuggestion & { changes: number })[] = [];
  for (const weights of formats) {
    for (const checkpointing of input.checkpointing ? [true] : [false, true]) {
      let batch = input.batch;
      while (batch >= 1 && !planMemory({ ...input, weights, checkpointing, batch }).fits) batch--;
      if (batch < 1) continue;
      const words: string[] = [];
      if (weights !== input.weights) words.push(`--weights ${weights}`);
      if (checkpointing !== input.checkpointing) words.push('--checkpointing');
      if (batch !== input.batch) words.push(`--batch ${batch}`);
      if (words.length === 0) continue;
      const { totalBytes } = planMemory({ ...input, weights, checkpointing, batch });
      found.push({
        weights,
        checkpointing,
        batch,
        totalBytes,
        change: words.join(' '),
        changes: words.length,
      });
    }
  }
  found.sort(
    (a, b) =>
      Number(b.batch === input.batch) - Number(a.batch === input.batch) ||
      a.changes - b.changes ||
      b.batch - a.batch,
  );
  return found.slice(0, most).map(({ changes: _, ...s }) => s);
}
