/**
 * The audit's non-members and the one-run design. Membership inference needs non-members from
 * the same distribution as the training data, set aside before training (a random held-out
 * set). The one-run ε lower bound of Steinke, Nasr, Jagielski 2023 ("Privacy Auditing with One
 * (1) Training Run", NeurIPS) needs m auditing examples, each included in training
 * independently with probability ½.
 */
import { ConfidantError } from '../../shared/confidantError.js';
import { shuffled, type AuditRandom } from '../auditRandom.js';
import type { OneRunDesign } from './auditDesign.js';

export interface HoldoutSplit<T> {
  readonly train: T[];
  readonly holdout: T[];
  /** Indices of the held-out records in the input, ascending. */
  readonly holdoutIndices: number[];
}

/** Sets aside `count` records chosen uniformly at random as the audit's non-members. */
export function splitAuditHoldout<T>(
  records: readonly T[],
  count: number,
  random: AuditRandom,
): HoldoutSplit<T> {
  if (!Number.isInteger(count) || count < 1 || count >= records.length) {
    throw new ConfidantError(
      'audit.holdout-size',
      `cannot hold out ${count} of ${records.length} records for the audit`,
      { hint: 'hold out at least one record and leave some for training' },
    );
  }
  const chosen = shuffled(
    records.map((_, i) => i),
    random,
  )
    .slice(0, count)
    .sort((a, b) => a - b);
  const held = new Set(chosen);
  return {
    train: records.filter((_, i) => !held.has(i)),
    holdout: chosen.map((i) => records[i]!),
    holdoutIndices: chosen,
  };
}

/** Each auditing example is included with probability ½ (independently). */
export function designOneRun(examples: readonly string[], random: AuditRandom): OneRunDesign {
  const included: string[] = [];
  const excluded: string[] = [];
  for (const e of examples) (random.nextInt(2) === 1 ? included : excluded).push(e);
  return { included, excluded };
}
