/**
 * What the membership attacks need from the models, computed once per text in batches: the
 * target's per-token log-probabilities with the moments of its next-token distribution, and
 * each reference model's per-token log-probabilities. Then every score of membershipScores.ts
 * for a set of texts.
 */
import type { AdapterMap, CausalLm, TextTokenizer } from '../model/index.js';
import { scoreTokenSequences, scoringIds } from '../model/index.js';
import type { MembershipAttack } from './auditResult.js';
import {
  lossScore,
  meanOf,
  minKPlusPlusScore,
  minKScore,
  referenceScore,
  rmiaScores,
  zlibScore,
  type RmiaSignals,
} from './membershipScores.js';
import { scoreWithDistributionStats, type ScoredSequence } from './tokenDistributionStats.js';

export type AttackName = MembershipAttack['name'];
export const ATTACK_NAMES: readonly AttackName[] = ['loss', 'reference', 'zlib', 'min-k', 'min-k++', 'rmia'];

export const ATTACK_DESCRIPTIONS: Record<AttackName, string> = {
  loss: 'How well the model predicts the text (lower loss suggests it was trained on it).',
  reference: 'How much better the trained model predicts the text than the base model.',
  zlib: 'Model likelihood relative to how compressible the text is (zlib).',
  'min-k': 'Likelihood of the 20% least likely words of the text.',
  'min-k++': 'Like min-k, with each word compared to what the model expected at that position.',
  rmia: 'Likelihood ratio against the base model, compared with other texts (RMIA).',
};

export interface ScoringModels {
  readonly model: CausalLm;
  readonly tokenizer: TextTokenizer;
  readonly target?: AdapterMap;
  /** Reference adapters; undefined = the base model. At least one. */
  readonly references: readonly (AdapterMap | undefined)[];
  readonly batchSize?: number;
}

export interface TextSignals {
  readonly texts: readonly string[];
  readonly target: readonly ScoredSequence[];
  /** [reference][text] per-token log-probabilities. */
  readonly references: readonly (readonly number[][])[];
}

/** Token ids for scoring, cut to the model's context. */
export function auditIds(models: Pick<ScoringModels, 'model' | 'tokenizer'>, text: string): number[] {
  return scoringIds(models.model, models.tokenizer, text).slice(0, models.model.config.contextLength);
}

export async function computeSignals(models: ScoringModels, texts: readonly string[]): Promise<TextSignals> {
  const ids = texts.map((t) => auditIds(models, t));
  const batchSize = models.batchSize ?? 8;
  const target = await scoreWithDistributionStats(models.model, ids, {
    batchSize,
    ...(models.target ? { adapters: models.target } : {}),
  });
  const references: number[][][] = [];
  for (const adapters of models.references) {
    if (adapters === models.target) {
      // the reference is the target itself (auditing the base model): same numbers exactly
      references.push(target.map((t) => t.logProbs));
      continue;
    }
    references.push(
      await scoreTokenSequences(models.model, ids, { batchSize, ...(adapters ? { adapters } : {}) }),
    );
  }
  return { texts, target, references };
}

function rmiaSignals(s: TextSignals): RmiaSignals {
  return {
    target: s.target.map((t) => meanOf(t.logProbs)),
    references: s.references.map((ref) => ref.map((lp) => meanOf(lp))),
  };
}

/**
 * Every attack's score for each candidate text (higher = more likely member). `population`
 * is RMIA's z samples; `sameAs[i]` is the population index of candidate i, if it is one.
 */
export function attackScores(
  candidates: TextSignals,
  population: TextSignals,
  sameAs?: readonly (number | null)[],
): Record<AttackName, number[]> {
  const t = candidates.target;
  const refsOf = (i: number) => candidates.references.map((r) => r[i]!);
  return {
    loss: t.map((s) => lossScore(s.logProbs)),
    reference: t.map((s, i) => referenceScore(s.logProbs, refsOf(i))),
    zlib: t.map((s, i) => zlibScore(candidates.texts[i]!, s.logProbs)),
    'min-k': t.map((s) => minKScore(s.logProbs)),
    'min-k++': t.map((s) => minKPlusPlusScore(s.logProbs, s)),
    rmia: rmiaScores(rmiaSignals(candidates), rmiaSignals(population), sameAs ? { sameAs } : {}),
  };
}
