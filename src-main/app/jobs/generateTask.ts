/**
 * A playground job inside a worker: generate text from a prompt with a local model and,
 * optionally, the final LoRA adapter of a stored training run (read from its encrypted
 * blob, never written to disk). Text streams back as progress messages.
 */
import { initBackend } from '../../engine/initBackend.js';
import { loadAdapterArchive } from '../../lora/index.js';
import { generateTokens, loadModel, TextStreamer, TextTokenizer } from '../../model/index.js';
import { ConfidantError } from '../../shared/confidantError.js';
import type { Store } from '../../store/index.js';
import type { JobResult, TaskContext } from './jobProtocol.js';

export interface GenerateTaskSpec {
  modelDir: string;
  runId?: number;
  prompt: string;
  maxTokens: number;
  temperature: number;
  topP: number;
  seed: number;
}

export async function runGenerateTask(
  store: Store,
  spec: GenerateTaskSpec,
  backend: Parameters<typeof initBackend>[0],
  context: TaskContext,
): Promise<JobResult> {
  const active = await initBackend(backend);
  context.progress({ stage: 'loading', fraction: 0, message: `Loading the model (${active.name} backend).` });
  const tokenizer = await TextTokenizer.load(spec.modelDir);
  const { model } = await loadModel(spec.modelDir);
  let adapters;
  if (spec.runId !== undefined) {
    const row = store.checkpoints.adapters(spec.runId).at(-1);
    if (!row) {
      throw new ConfidantError('generate.no-adapter', `Run ${spec.runId} has no trained adapter yet.`, {
        hint: 'Pick a completed run, or generate with the base model only.',
      });
    }
    const adapter = await loadAdapterArchive(
      model,
      store.blobs.read(row.blobId),
      `run ${spec.runId} adapter`,
    );
    adapters = adapter.adapterMap();
  }
  let text = '';
  let count = 0;
  const streamer = new TextStreamer(
    (ids) => tokenizer.decode(ids, { skipSpecialTokens: true }),
    (piece) => {
      text += piece;
    },
  );
  await generateTokens(model, tokenizer.encode(spec.prompt), {
    maxNewTokens: spec.maxTokens,
    temperature: spec.temperature,
    topP: spec.topP,
    seed: spec.seed,
    stopTokens: model.config.eosTokenIds,
    onToken: (id) => {
      streamer.push(id);
      count += 1;
      context.progress({ stage: 'generating', fraction: count / spec.maxTokens, message: text });
    },
    ...(adapters ? { adapters } : {}),
  });
  streamer.flush();
  return { text, tokens: count, adapter: spec.runId ?? null, backend: active.name };
}
