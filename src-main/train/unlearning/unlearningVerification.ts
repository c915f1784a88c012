/**
 * Evidence that unlearning worked, measured with attacks on the adapter before and after:
 *   - membership inference of the forgotten records against the audit's held-out
 *     non-members (never trained on), with the loss score (Yeom et al. 2018) and the
 *     reference-calibrated score against the base model (Carlini et al. 2022; Watson et al.
 *     2022); the stronger AUC is the one judged (target ≤ 0.55);
 *   - extraction: prompted with each forgotten record's first 8 tokens, does greedy
 *     decoding reproduce its next 16 tokens exactly (Carlini et al. 2021)?
 *   - utility: eval-set and retain-set perplexity before and after.
 */
import { membershipMetrics } from '../../audit/metrics/index.js';
import type { AdapterMap, CausalLm } from '../../model/index.js';
import { generateTokens, scoreTokenSequences } from '../../model/index.js';
import { evaluate } from '../evaluate.js';
import type { TrainingExample } from '../trainingData.js';

export const UNLEARNING_AUC_TARGET = 0.55;
export const EXTRACTION_PREFIX_TOKENS = 8;
export const EXTRACTION_NEW_TOKENS = 16;

export interface AdapterEvidence {
  readonly membershipAucLoss: number;
  readonly membershipAucReference: number;
  readonly membershipAuc: number;
  readonly forgetLoss: number;
  readonly nonMemberLoss: number;
  readonly extractionExactRate: number;
  readonly evalPerplexity: number;
  readonly retainPerplexity: number;
}

function meanNll(lp: readonly number[]): number {
  return lp.length === 0 ? 0 : -lp.reduce((a, b) => a + b, 0) / lp.length;
}

export async function measureAdapter(
  model: CausalLm,
  adapters: AdapterMap,
  sets: {
    forget: readonly TrainingExample[];
    nonMembers: readonly TrainingExample[];
    retain: readonly TrainingExample[];
    evaluation: readonly TrainingExample[];
  },
  baseLosses: { forget: number[]; nonMembers: number[] },
  batchSize: number,
): Promise<AdapterEvidence> {
  const target = async (xs: readonly TrainingExample[]) =>
    (
      await scoreTokenSequences(
        model,
        xs.map((x) => x.ids),
        { batchSize, adapters },
      )
    ).map(meanNll);
  const forgetLoss = await target(sets.forget);
  const nonMemberLoss = await target(sets.nonMembers);
  // higher score = more likely a member
  const loss = membershipMetrics(
    forgetLoss.map((l) => -l),
    nonMemberLoss.map((l) => -l),
  );
  const reference = membershipMetrics(
    forgetLoss.map((l, i) => baseLosses.forget[i]! - l),
    nonMemberLoss.map((l, i) => baseLosses.nonMembers[i]! - l),
  );
  let exact = 0;
  let tried = 0;
  for (const e of sets.forget) {
    if (e.ids.length < EXTRACTION_PREFIX_TOKENS + EXTRACTION_NEW_TOKENS) continue;
    tried += 1;
    const expected = e.ids.slice(EXTRACTION_PREFIX_TOKENS, EXTRACTION_PREFIX_TOKENS + EXTRACTION_NEW_TOKENS);
    const generated = await generateTokens(model, e.ids.slice(0, EXTRACTION_PREFIX_TOKENS), {
      maxNewTokens: EXTRACTION_NEW_TOKENS,
      adapters,
    });
    if (generated.length === expected.length && generated.every((t, i) => t === expected[i])) exact += 1;
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    membershipAucLoss: loss.auc,
    membershipAucReference: reference.auc,
    membershipAuc: Math.max(loss.auc, reference.auc),
    forgetLoss: mean(forgetLoss),
    nonMemberLoss: mean(nonMemberLoss),
    extractionExactRate: tried === 0 ? 0 : exact / tried,
    evalPerplexity: (await evaluate(model, sets.evaluation, adapters, batchSize)).perplexity,
    retainPerplexity: (await evaluate(model, sets.retain, adapters, batchSize)).perplexity,
  };
}

export async function baseLossesOf(
  model: CausalLm,
  forget: readonly TrainingExample[],
  nonMembers: readonly TrainingExample[],
  batchSize: number,
): Promise<{ forget: number[]; nonMembers: number[] }> {
  const score = async (xs: readonly TrainingExample[]) =>
    (
      await scoreTokenSequences(
        model,
        xs.map((x) => x.ids),
        { batchSize },
      )
    ).map(meanNll);
  return { forget: await score(forget), nonMembers: await score(nonMembers) };
}
