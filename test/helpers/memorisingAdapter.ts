/**
 * A LoRA adapter that memorises its training texts (non-private: plain Adam, no clipping, no
 * noise), for testing that the privacy attacks detect memorisation. Full-batch Adam
 * (Kingma & Ba 2015) on the mean token negative log-likelihood with tf.variableGrads over the
 * adapter's A and B only.
 */
import * as tf from '@tensorflow/tfjs';
import { LoraAdapter } from '../../src-main/lora/index.js';
import type { CausalLm, TextTokenizer } from '../../src-main/model/index.js';
import { scoringIds } from '../../src-main/model/index.js';

export interface MemorisingOptions {
  readonly steps?: number;
  readonly learningRate?: number;
  readonly rank?: number;
  /** Texts per step (default all). */
  readonly batchSize?: number;
  readonly seed?: number;
}

export function trainMemorisingAdapter(
  model: CausalLm,
  tokenizer: TextTokenizer,
  texts: readonly string[],
  options: MemorisingOptions = {},
): { adapter: LoraAdapter; losses: number[] } {
  const rank = options.rank ?? 8;
  const adapter = LoraAdapter.create(
    model,
    { r: rank, alpha: 2 * rank, dropout: 0, targetModules: ['c_attn', 'c_proj', 'c_fc'] },
    options.seed ?? 1,
  );
  const seqs = texts.map((t) => scoringIds(model, tokenizer, t).slice(0, model.config.contextLength));
  const optimizer = tf.train.adam(options.learningRate ?? 0.01);
  const batchSize = options.batchSize ?? seqs.length;
  const losses: number[] = [];
  const vocab = model.config.vocabSize;
  for (let step = 0; step < (options.steps ?? 60); step++) {
    const start = (step * batchSize) % seqs.length;
    const batch = [...seqs, ...seqs].slice(start, start + batchSize);
    const time = Math.max(...batch.map((s) => s.length));
    const ids = tf.tensor2d(
      batch.map((s) => [...s, ...new Array<number>(time - s.length).fill(0)]),
      [batch.length, time],
      'int32',
    );
    const targets = tf.oneHot(ids.slice([0, 1], [batch.length, time - 1]), vocab);
    const mask = batch.map((s) => Array.from({ length: time }, (_, t) => (t < s.length ? 1 : 0)));
    const target = tf.tensor2d(
      mask.map((row) => row.slice(1)),
      [batch.length, time - 1],
    );
    const loss = optimizer.minimize(
      () => {
        // log-softmax · one-hot (the gradient of a gather is very slow on the cpu backend)
        const logits = model.forward(ids, { attentionMask: mask, adapters: adapter.adapterMap(true) });
        const logp = tf.logSoftmax(logits.slice([0, 0, 0], [batch.length, time - 1, vocab]));
        const lp = logp.mul(targets).sum(-1);
        return lp.mul(target).sum().div(target.sum()).neg() as tf.Scalar;
      },
      true,
      adapter.trainableVariables,
    );
    losses.push(loss!.dataSync()[0]!);
    tf.dispose([loss!, ids, target, targets]);
  }
  optimizer.dispose();
  return { adapter, losses };
}
