/**
 * Precision and recall of a recogniser against labelled spans, per PII type. A gold span is
 * found when a predicted span of the same type overlaps it (partial-match scoring, as in the
 * i2b2 2014 de-identification evaluation "token/span overlap" variants, Stubbs & Uzuner 2015).
 */
import { PII_TYPES, type PiiSpan, type PiiType } from './piiTypes.js';

export interface TypeScore {
  gold: number;
  predicted: number;
  truePositives: number;
  precision: number;
  recall: number;
}

export type PiiScores = Record<PiiType | 'ALL' | 'STRUCTURED', TypeScore>;

interface Tally {
  gold: number;
  predicted: number;
  foundGold: number;
  correctPredicted: number;
}

const overlaps = (a: PiiSpan, b: PiiSpan) => a.type === b.type && a.start < b.end && b.start < a.end;

export class PiiEvaluator {
  private readonly tallies = new Map<string, Tally>();

  private tally(key: string): Tally {
    let t = this.tallies.get(key);
    if (!t) this.tallies.set(key, (t = { gold: 0, predicted: 0, foundGold: 0, correctPredicted: 0 }));
    return t;
  }

  /** Adds one text's gold and predicted spans. */
  add(gold: readonly PiiSpan[], predicted: readonly PiiSpan[]): void {
    for (const g of gold) {
      const found = predicted.some((p) => overlaps(g, p));
      for (const key of [g.type, 'ALL', ...(g.type === 'NAME' ? [] : ['STRUCTURED'])]) {
        const t = this.tally(key);
        t.gold += 1;
        if (found) t.foundGold += 1;
      }
    }
    for (const p of predicted) {
      const correct = gold.some((g) => overlaps(g, p));
      for (const key of [p.type, 'ALL', ...(p.type === 'NAME' ? [] : ['STRUCTURED'])]) {
        const t = this.tally(key);
        t.predicted += 1;
        if (correct) t.correctPredicted += 1;
      }
    }
  }

  scores(): PiiScores {
    const out = {} as PiiScores;
    for (const key of [...PII_TYPES, 'ALL', 'STRUCTURED'] as const) {
      const t = this.tallies.get(key) ?? { gold: 0, predicted: 0, foundGold: 0, correctPredicted: 0 };
      out[key] = {
        gold: t.gold,
        predicted: t.predicted,
        truePositives: t.foundGold,
        precision: t.predicted === 0 ? 1 : t.correctPredicted / t.predicted,
        recall: t.gold === 0 ? 1 : t.foundGold / t.gold,
      };
    }
    return out;
  }
}
