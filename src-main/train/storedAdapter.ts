/**
 * A run's adapter in the encrypted store: written as a PEFT archive (adapter_config +
 * adapter_model.safetensors in one blob) and recorded as one of the run's adapters. The
 * trainer, sharded training and gradient-ascent unlearning all store their result this way.
 */
import { adapterArchive, type LoraAdapter } from '../lora/index.js';
import type { CausalLm } from '../model/index.js';
import type { Store } from '../store/index.js';

export async function storeRunAdapter(
  store: Store,
  run: { readonly runId: number; readonly name: string; readonly baseModel: string },
  adapter: LoraAdapter,
  model: CausalLm,
): Promise<Awaited<ReturnType<typeof adapterArchive>>> {
  const archive = await adapterArchive(adapter, model, { baseModelNameOrPath: run.baseModel });
  const blob = store.blobs.put('adapter', archive.bytes);
  store.checkpoints.createAdapter({
    runId: run.runId,
    name: run.name,
    blobId: blob.id,
    config: archive.config,
  });
  return archive;
}
