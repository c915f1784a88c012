/**
 * Writes a CausalLm's weights (e.g. after merging LoRA) as a Hugging Face folder:
 * config.json copied from the source folder when given, and model.safetensors (F32).
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CausalLm } from './causalLm.js';
import { weightSpecs } from './loadModel.js';
import { writeSafetensors } from './safetensors.js';
import type { TensorToWrite } from './safetensors.js';

export async function saveModelWeights(model: CausalLm, dir: string, sourceDir?: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tensors = new Map<string, TensorToWrite>();
  const transposed = new Set(
    weightSpecs(model.config)
      .filter((s) => s.transposed)
      .map((s) => s.name),
  );
  for (const [name, t] of model.weights) {
    // back to the checkpoint layout (nn.Linear [out, in], embeddings [vocab, C])
    const stored = transposed.has(name) ? t.transpose() : t;
    tensors.set(name, { shape: stored.shape, dtype: 'F32', data: (await stored.data()) as Float32Array });
    if (stored !== t) stored.dispose();
  }
  await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  if (sourceDir) {
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.json', 'merges.txt']) {
      try {
        await copyFile(join(sourceDir, f), join(dir, f));
      } catch {
        // optional files
      }
    }
  }
}
