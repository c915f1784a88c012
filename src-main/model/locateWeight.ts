/**
 * Finds the checkpoint tensor of a weight spec and checks its shape against the one
 * config.json implies, with errors that say which weight and what to do.
 */
import { ConfidantError } from '../shared/confidantError.js';
import type { WeightSpec } from './causalLm.js';
import type { Checkpoint } from './checkpoint.js';
import type { ModelConfig } from './config.js';

/** Where a spec's tensor is in a checkpoint (GPT-2 folders may omit `transformer.`). */
function checkpointName(checkpoint: Checkpoint, config: ModelConfig, name: string): string | undefined {
  if (checkpoint.has(name)) return name;
  if (config.architecture === 'gpt2' && name.startsWith('transformer.')) {
    const bare = name.slice('transformer.'.length);
    if (checkpoint.has(bare)) return bare;
  }
  return undefined;
}

/** The checkpoint name of `spec`'s tensor, present and of the expected shape. */
export function locateWeight(
  checkpoint: Checkpoint,
  config: ModelConfig,
  spec: WeightSpec,
  dir: string,
): string {
  const found = checkpointName(checkpoint, config, spec.name);
  if (found === undefined) {
    throw new ConfidantError(
      'MODEL_MISSING_TENSOR',
      `weight "${spec.name}" that config.json implies is missing from the checkpoint`,
      {
        where: { file: dir, field: spec.name },
        hint:
          spec.name === 'lm_head.weight'
            ? 'config.json says tie_word_embeddings is false but there is no lm_head.weight; check the folder.'
            : 'The weights do not match config.json; check that the folder holds one complete model.',
      },
    );
  }
  const info = checkpoint.info(found);
  if (info.shape.length !== spec.shape.length || info.shape.some((d, i) => d !== spec.shape[i])) {
    throw new ConfidantError(
      'MODEL_SHAPE_MISMATCH',
      `weight "${found}" has shape [${info.shape.join(', ')}] but config.json implies [${spec.shape.join(', ')}]`,
      {
        where: { file: dir, field: found },
        hint: 'config.json and the weights come from different models.',
      },
    );
  }
  return found;
}
