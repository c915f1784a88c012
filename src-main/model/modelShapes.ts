/**
 * The shapes an architecture implies, from its config alone (no tfjs, no weights): the
 * linear layers of one block and the parameter count of each storage group. The memory
 * plan and the quantised loader use these groups; a unit test checks that they add up to
 * the weight specs of gpt2.ts and llama.ts.
 */
import type { ModelConfig } from './config.js';

/** One linear layer of a transformer block, named by its module suffix (`self_attn.q_proj`). */
export interface BlockLinear {
  readonly suffix: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly bias: boolean;
}

/** The linear layers of every block, in forward order. */
export function blockLinears(c: ModelConfig): BlockLinear[] {
  if (c.architecture === 'gpt2') {
    const d = c.dModel;
    return [
      { suffix: 'attn.c_attn', inFeatures: d, outFeatures: 3 * d, bias: true },
      { suffix: 'attn.c_proj', inFeatures: d, outFeatures: d, bias: true },
      { suffix: 'mlp.c_fc', inFeatures: d, outFeatures: c.ffnDim, bias: true },
      { suffix: 'mlp.c_proj', inFeatures: c.ffnDim, outFeatures: d, bias: true },
    ];
  }
  const q = c.nHeads * c.headDim;
  const kv = c.nKvHeads * c.headDim;
  return [
    { suffix: 'self_attn.q_proj', inFeatures: c.dModel, outFeatures: q, bias: c.qkvBias },
    { suffix: 'self_attn.k_proj', inFeatures: c.dModel, outFeatures: kv, bias: c.qkvBias },
    { suffix: 'self_attn.v_proj', inFeatures: c.dModel, outFeatures: kv, bias: c.qkvBias },
    { suffix: 'self_attn.o_proj', inFeatures: q, outFeatures: c.dModel, bias: c.oBias },
    { suffix: 'mlp.gate_proj', inFeatures: c.dModel, outFeatures: c.ffnDim, bias: c.mlpBias },
    { suffix: 'mlp.up_proj', inFeatures: c.dModel, outFeatures: c.ffnDim, bias: c.mlpBias },
    { suffix: 'mlp.down_proj', inFeatures: c.ffnDim, outFeatures: c.dModel, bias: c.mlpBias },
  ];
}

/** Same rule as LoRA's target matching (lora/loraAdapter.ts): a whole name or a `.`-suffix. */
export function linearMatches(suffix: string, targets: readonly string[]): boolean {
  return targets.some((t) => suffix === t || suffix.endsWith(`.${t}`));
}

/** The LoRA targets the trainer uses when none are given (lora/loraAdapter.ts). */
export function defaultLoraTargets(c: ModelConfig): string[] {
  return c.architecture === 'gpt2' ? ['c_attn'] : ['q_proj', 'v_proj'];
}

/** Parameter counts by how they are stored. */
export interface ParameterGroups {
  /** The matrices of the blocks' linear layers: the ones a quantised base compresses. */
  readonly blockMatrices: number;
  /** Token (and GPT-2 position) embeddings and an untied LM head. */
  readonly embeddings: number;
  /** Norm scales and biases (1-D tensors). */
  readonly vectors: number;
  readonly total: number;
}

export function parameterGroups(c: ModelConfig): ParameterGroups {
  const linears = blockLinears(c);
  const perLayerMatrices = linears.reduce((s, l) => s + l.inFeatures * l.outFeatures, 0);
  const perLayerBiases = linears.reduce((s, l) => s + (l.bias ? l.outFeatures : 0), 0);
  const blockMatrices = c.nLayers * perLayerMatrices;
  let embeddings: number;
  let vectors: number;
  if (c.architecture === 'gpt2') {
    embeddings = (c.vocabSize + c.contextLength) * c.dModel;
    vectors = c.nLayers * (4 * c.dModel + perLayerBiases) + 2 * c.dModel; // ln_1, ln_2 (w, b); ln_f
  } else {
    embeddings = c.vocabSize * c.dModel * (c.tieWordEmbeddings ? 1 : 2);
    vectors = c.nLayers * (2 * c.dModel + perLayerBiases) + c.dModel; // two RMSNorms a block; final norm
  }
  return { blockMatrices, embeddings, vectors, total: blockMatrices + embeddings + vectors };
}
