/** The weights an architecture expects, by Hugging Face name and checkpoint shape. */
import type { WeightSpec } from './causalLm.js';
import type { ModelConfig } from './config.js';
import { gpt2WeightSpecs } from './gpt2.js';
import { llamaWeightSpecs } from './llama.js';

export function weightSpecs(config: ModelConfig): WeightSpec[] {
  return config.architecture === 'gpt2' ? gpt2WeightSpecs(config) : llamaWeightSpecs(config);
}
