/**
 * Approximate unlearning of a trained LoRA adapter (Jang et al. 2022, "Knowledge Unlearning
 * for Mitigating Privacy Risks in Language Models", arXiv:2210.01504): gradient ASCENT on
 * the forget set's language-modelling loss, regularised by the KL divergence from the
 * original model's next-token distributions on retain data (so the rest of what was learnt
 * stays), with AdamW. It stops as soon as the forget set looks like data the model never
 * saw, judged with the reference-calibrated signal (Carlini et al. 2022; Watson et al.
 * 2022) that also drives the membership verdict: the adapter's gain over the base model on
 * the forget set, mean(base loss − loss), has fallen to its gain on the audit's held-out
 * non-members (the records' difficulty cancels out); or after `maxSteps`.
 *
 * Limits, told to the user: this is approximate (no proof the influence is gone, only the
 * attacks' evidence); and it reads the forget and retain records without noise, so for a
 * DP-trained adapter the result is no longer covered by the run's DP guarantee.
 */
import * as tf from '@tensorflow/tfjs';
import type { LoraAdapter } from '../../lora/index.js';
import type { AdapterMap, CausalLm } from '../../model/index.js';
import { tokenLogProbs } from '../../model/index.js';
import { AdamW } from '../adamW.js';
import { evaluate } from '../evaluate.js';
import { packMicroBatches } from '../microBatches.js';
import type { TrainingExample } from '../trainingData.js';

export interface GradientAscentOptions {
  readonly learningRate: number;
  readonly maxSteps: number;
  /** Weight of the retain-set KL term. */
  readonly retainWeight: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly onStep?: (e: { step: number; forgetLoss: number; targetForgetLoss: number }) => void;
}

export interface GradientAscentResult {
  readonly steps: number;
  readonly stoppedBecause: 'reached-non-member-level' | 'max-steps';
  readonly forgetLossBefore: number;
  readonly forgetLossAfter: number;
  /** The forget-set loss at which the adapter's gain equals its gain on non-members. */
  readonly targetForgetLoss: number;
}

/** Mean over real tokens of KL(p_original ‖ p_current), differentiable in the adapter. */
function retainKl(
  model: CausalLm,
  ids: tf.Tensor2D,
  mask: number[][],
  original: AdapterMap,
  current: AdapterMap,
): tf.Scalar {
  const p = tf.tidy(() => tf.logSoftmax(model.forward(ids, { attentionMask: mask, adapters: original })));
  const q = tf.logSoftmax(model.forward(ids, { attentionMask: mask, adapters: current }));
  const m = tf.tensor2d(mask).expandDims(2);
  const kl = tf.exp(p).mul(p.sub(q)).sum(2, true).mul(m).sum();
  p.dispose();
  return kl.div(m.sum().maximum(1)) as tf.Scalar;
}

export async function gradientAscentUnlearning(
  model: CausalLm,
  adapter: LoraAdapter,
  original: AdapterMap,
  forget: readonly TrainingExample[],
  retain: readonly TrainingExample[],
  nonMembers: readonly TrainingExample[],
  options: GradientAscentOptions,
): Promise<GradientAscentResult> {
  const vars = adapter.trainableVariables;
  const params = await Promise.all(vars.map(async (v) => ((await v.data()) as Float32Array).slice()));
  const optimizer = new AdamW(
    { beta1: 0.9, beta2: 0.999, weightDecay: 0 },
    vars.map((v) => v.size),
  );
  const loss = async (xs: readonly TrainingExample[], adapters: AdapterMap | undefined) =>
    (await evaluate(model, xs, adapters, options.batchSize)).loss;
  const nonMemberGain = (await loss(nonMembers, undefined)) - (await loss(nonMembers, original));
  const targetForgetLoss = (await loss(forget, undefined)) - nonMemberGain;
  const forgetLossBefore = await loss(forget, adapter.adapterMap());
  let forgetLoss = forgetLossBefore;
  let step = 0;
  let retainCursor = options.seed % Math.max(1, retain.length);
  while (step < options.maxSteps && forgetLoss < targetForgetLoss) {
    const forgetBatch = packMicroBatches(forget, Math.min(options.batchSize, forget.length));
    const retainSlice = Array.from(
      { length: Math.min(options.batchSize, retain.length) },
      (_, i) => retain[(retainCursor + i) % retain.length]!,
    );
    retainCursor = (retainCursor + retainSlice.length) % Math.max(1, retain.length);
    const [retainBatch] = packMicroBatches(retainSlice, Math.max(1, retainSlice.length));
    const grads = vars.map((v) => new Float32Array(v.size));
    for (const fb of forgetBatch) {
      const ids = tf.tensor2d(fb.ids, [fb.ids.length, fb.ids[0]!.length], 'int32');
      const target = tf.tensor2d(fb.mask.map((m) => m.slice(1)));
      const { grads: g, value } = tf.variableGrads(() => {
        const lp = tokenLogProbs(model, ids, { attentionMask: fb.mask, adapters: adapter.adapterMap() });
        // ascent on the forget loss = descent on its negative (the mean log-likelihood)
        const ascent = lp
          .mul(target)
          .sum()
          .div(target.sum().maximum(1))
          .mul(forgetBatch.length === 1 ? 1 : 1 / forgetBatch.length);
        if (!retainBatch || options.retainWeight === 0) return ascent as tf.Scalar;
        const rIds = tf.tensor2d(
          retainBatch.ids,
          [retainBatch.ids.length, retainBatch.ids[0]!.length],
          'int32',
        );
        const kl = retainKl(model, rIds, retainBatch.mask, original, adapter.adapterMap());
        return ascent.add(kl.mul(options.retainWeight / forgetBatch.length)) as tf.Scalar;
      }, vars);
      value.dispose();
      ids.dispose();
      target.dispose();
      for (const [k, v] of vars.entries()) {
        const data = (await g[v.name]!.data()) as Float32Array;
        for (let i = 0; i < data.length; i += 1) grads[k]![i]! += data[i]!;
        g[v.name]!.dispose();
      }
    }
    optimizer.step(params, grads, options.learningRate);
    adapter.setValues(params);
    step += 1;
    forgetLoss = await loss(forget, adapter.adapterMap());
    options.onStep?.({ step, forgetLoss, targetForgetLoss });
  }
  return {
    steps: step,
    stoppedBecause: forgetLoss >= targetForgetLoss ? 'reached-non-member-level' : 'max-steps',
    forgetLossBefore,
    forgetLossAfter: forgetLoss,
    targetForgetLoss,
  };
}
