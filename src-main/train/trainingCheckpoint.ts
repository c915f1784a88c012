/**
 * Checkpoints of a training run in the encrypted store: the adapter's A/B values and the
 * AdamW moments in one safetensors blob (encrypted at rest, never written in plaintext),
 * and the trainer's state as JSON, including the privacy ledger of exactly the steps the
 * saved adapter has seen (digest-protected). `--resume` continues from the latest one.
 */
import { z } from 'zod';
import { PrivacyLedger } from '../dp/privacyLedger.js';
import type { FloatTensorData } from '../model/index.js';
import { decodeSafetensors, encodeSafetensors } from '../model/index.js';
import { ConfidantError } from '../shared/confidantError.js';
import type { Store } from '../store/index.js';
import type { AdamWState } from './adamW.js';

export const TrainerStateSchema = z
  .object({
    version: z.literal(1),
    step: z.number().int().nonnegative(),
    totalSteps: z.number().int().positive(),
    noiseMultiplier: z.number().nullable(),
    samplingRate: z.number(),
    delta: z.number().nullable(),
    baseEvalLoss: z.number(),
    trainCurve: z.array(z.object({ step: z.number(), loss: z.number() })),
    evalCurve: z.array(z.object({ step: z.number(), loss: z.number(), perplexity: z.number() })),
    bestEvalLoss: z.number().nullable(),
    evalsWithoutImprovement: z.number().int().nonnegative(),
    noiseRatioSum: z.number(),
    noiseRatioCount: z.number().int().nonnegative(),
    tokens: z.number().nonnegative(),
    seconds: z.number().nonnegative(),
    earlyStopped: z.boolean(),
    ledger: z.unknown().nullable(),
  })
  .strict();

export type TrainerState = z.infer<typeof TrainerStateSchema>;

export interface CheckpointContent {
  params: Float32Array[];
  shapes: number[][];
  adam: AdamWState;
  state: TrainerState;
}

export function saveCheckpoint(store: Store, runId: number, content: CheckpointContent): number {
  const tensors = new Map<string, FloatTensorData>();
  content.params.forEach((p, k) => {
    const shape = content.shapes[k]!;
    tensors.set(`param.${k}`, { shape, data: p });
    tensors.set(`adam.m.${k}`, { shape, data: content.adam.m[k]! });
    tensors.set(`adam.v.${k}`, { shape, data: content.adam.v[k]! });
  });
  const bytes = encodeSafetensors(tensors, { adamStep: String(content.adam.step) });
  const blob = store.blobs.put('checkpoint', bytes);
  return store.checkpoints.create({ runId, step: content.state.step, blobId: blob.id, state: content.state })
    .id;
}

export function loadLatestCheckpoint(
  store: Store,
  runId: number,
  shapes: readonly number[][],
): (CheckpointContent & { ledger: PrivacyLedger | null; checkpointId: number }) | undefined {
  const row = store.checkpoints.latest(runId);
  if (!row) return undefined;
  const source = `checkpoint ${row.id} of run ${runId}`;
  const parsed = TrainerStateSchema.safeParse(JSON.parse(row.stateJson));
  if (!parsed.success) {
    throw new ConfidantError('train.checkpoint-invalid', `The saved trainer state is malformed.`, {
      where: { file: source, field: parsed.error.issues[0]?.path.join('.') },
      hint: 'The run cannot be resumed safely; start a new run.',
    });
  }
  const { tensors, metadata } = decodeSafetensors(store.blobs.read(row.blobId), source);
  const get = (name: string, shape: readonly number[]): Float32Array => {
    const t = tensors.get(name);
    if (!t || t.shape.join(',') !== shape.join(',')) {
      throw new ConfidantError(
        'train.checkpoint-mismatch',
        `Checkpoint tensor "${name}" is missing or has another shape than this adapter.`,
        { where: { file: source }, hint: 'Resume with the configuration the run started with.' },
      );
    }
    return t.data;
  };
  const params = shapes.map((s, k) => get(`param.${k}`, s));
  const adam: AdamWState = {
    step: Number(metadata.adamStep ?? 0),
    m: shapes.map((s, k) => get(`adam.m.${k}`, s)),
    v: shapes.map((s, k) => get(`adam.v.${k}`, s)),
  };
  const ledger = parsed.data.ledger === null ? null : PrivacyLedger.fromJSON(parsed.data.ledger, source);
  return {
    params,
    shapes: shapes.map((s) => [...s]),
    adam,
    state: parsed.data,
    ledger,
    checkpointId: row.id,
  };
}
