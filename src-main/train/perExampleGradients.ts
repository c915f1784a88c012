/**
 * Gradients of the LoRA parameters for DP-SGD, all rows of a micro-batch in one backward
 * pass. Each row gets its own copy of every A and B (tiled to [B, r, in] and [B, out, r]);
 * row b's loss depends only on copy b, so the gradient with respect to the copies IS the
 * per-example gradient, at the cost of one batched backward pass (the "per-example
 * copies" trick; for LoRA the copies are small: r·(in + out) numbers per module and row).
 * Compare Opacus's GradSampleModule, which computes the same thing with hooks.
 *
 * A row's loss is its mean next-token negative log-likelihood over its real tokens.
 */
import * as tf from '@tensorflow/tfjs';
import type { LoraAdapter } from '../lora/index.js';
import type { CausalLm } from '../model/index.js';
import { tokenLogProbs } from '../model/index.js';
import type { MicroBatch } from './microBatches.js';

export interface RowGradients {
  /** One gradient per real row: one Float32Array per trainable tensor (A₀, B₀, A₁, …). */
  readonly perRow: Float32Array[][];
  /** Mean NLL of each real row. */
  readonly losses: number[];
  /** Predicted tokens of each real row. */
  readonly tokens: number[];
}

/** Row-wise mean NLL [B] of a micro-batch, differentiable. */
function rowLosses(
  model: CausalLm,
  batch: MicroBatch,
  ids: tf.Tensor2D,
  adapters: ReturnType<LoraAdapter['adapterMap']>,
  training: boolean,
): tf.Tensor1D {
  const targets = tf.tensor2d(
    batch.mask.map((m) => m.slice(1)),
    [batch.mask.length, batch.mask[0]!.length - 1],
  );
  const counts = targets.sum(1).maximum(1);
  const lp = tokenLogProbs(model, ids, { attentionMask: batch.mask, adapters, training });
  return lp.mul(targets).sum(1).neg().div(counts) as tf.Tensor1D;
}

function targetCounts(batch: MicroBatch): number[] {
  return batch.examples.map((e) => e.ids.length - 1);
}

/** Per-example gradients of every real row of `batch`. */
export async function perExampleGradients(
  model: CausalLm,
  adapter: LoraAdapter,
  batch: MicroBatch,
  options: { training?: boolean } = {},
): Promise<RowGradients> {
  const rows = batch.ids.length;
  const time = batch.ids[0]!.length;
  const real = batch.examples.length;
  const ids = tf.tensor2d(batch.ids, [rows, time], 'int32');
  // in a tidy: expandDims makes tensors of its own, which would outlive the step
  const copies = tf.tidy(() =>
    adapter.modules.flatMap((m) => [
      tf.tile(m.a.expandDims(0), [rows, 1, 1]),
      tf.tile(m.b.expandDims(0), [rows, 1, 1]),
    ]),
  );
  let losses: tf.Tensor1D | undefined;
  const { grads, value } = tf.valueAndGrads((...xs: tf.Tensor[]) => {
    const pairs = adapter.modules.map((_, i) => ({ a: xs[2 * i]!, b: xs[2 * i + 1]! }));
    const perRow = rowLosses(
      model,
      batch,
      ids,
      adapter.adapterMapFrom(pairs, options.training),
      options.training ?? false,
    );
    losses = tf.keep(perRow.clone());
    return perRow.sum() as tf.Scalar;
  })(copies);
  value.dispose();
  ids.dispose();
  for (const c of copies) c.dispose();
  const perRow: Float32Array[][] = Array.from({ length: real }, () => []);
  for (const g of grads) {
    const data = (await g.data()) as Float32Array;
    const size = data.length / rows;
    for (let r = 0; r < real; r += 1) perRow[r]!.push(data.slice(r * size, (r + 1) * size));
    g.dispose();
  }
  const lossValues = Array.from((await losses!.data()) as Float32Array).slice(0, real);
  losses!.dispose();
  return { perRow, losses: lossValues, tokens: targetCounts(batch) };
}

/**
 * The non-private path: the gradient of the SUM of the real rows' losses with respect to
 * the shared A and B (no copies), one array per trainable tensor.
 */
export async function summedGradient(
  model: CausalLm,
  adapter: LoraAdapter,
  batch: MicroBatch,
  options: { training?: boolean } = {},
): Promise<{ sum: Float32Array[]; losses: number[]; tokens: number[] }> {
  const rows = batch.ids.length;
  const ids = tf.tensor2d(batch.ids, [rows, batch.ids[0]!.length], 'int32');
  const variables = adapter.trainableVariables;
  let losses: tf.Tensor1D | undefined;
  const { grads, value } = tf.variableGrads(() => {
    const perRow = rowLosses(
      model,
      batch,
      ids,
      adapter.adapterMap(options.training),
      options.training ?? false,
    );
    losses = tf.keep(perRow.clone());
    return perRow.sum() as tf.Scalar;
  }, variables);
  value.dispose();
  ids.dispose();
  const sum: Float32Array[] = [];
  for (const v of variables) {
    const g = grads[v.name]!;
    sum.push((await g.data()) as Float32Array);
    g.dispose();
  }
  const lossValues = Array.from((await losses!.data()) as Float32Array).slice(0, batch.examples.length);
  losses!.dispose();
  return { sum, losses: lossValues, tokens: targetCounts(batch) };
}
