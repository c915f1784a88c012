/**
 * The privacy budget of a dataset: every run on it spends from one total (ε_total, δ).
 * Runs compose: their ledgers are concatenated and accounted together at the budget's δ
 * (RDP and PRV both compose heterogeneous histories exactly as they compose steps), so the
 * spent ε is that of everything ever released from the dataset, not a sum of rounded
 * per-run numbers. A run whose planned steps would exceed the budget is refused before it
 * starts, unless the user raises the budget explicitly (which the audit log records).
 */
import { ConfidantError } from '../shared/confidantError.js';
import type { LedgerSegment } from './privacyLedger.js';
import { privacySpent, type PrivacySpent } from './privacySpent.js';

export interface DatasetBudget {
  epsilon: number;
  delta: number;
}

export interface BudgetCheck {
  budget: DatasetBudget;
  /** What earlier runs (and federation rounds) already spent. */
  spent: PrivacySpent;
  /** What would be spent after the planned run. */
  afterRun: PrivacySpent;
  remainingAfterRun: number;
  allowed: boolean;
}

export function checkBudget(
  budget: DatasetBudget,
  pastRuns: readonly (readonly LedgerSegment[])[],
  planned: readonly LedgerSegment[],
): BudgetCheck {
  const past = pastRuns.flat();
  return budgetCheckOf(
    budget,
    privacySpent(past, budget.delta),
    privacySpent([...past, ...planned], budget.delta),
  );
}

/** The check for a planned run, given what was spent before it and what would be after. */
export function budgetCheckOf(
  budget: DatasetBudget,
  spent: PrivacySpent,
  afterRun: PrivacySpent,
): BudgetCheck {
  return {
    budget,
    spent,
    afterRun,
    remainingAfterRun: budget.epsilon - afterRun.epsilon,
    allowed: afterRun.epsilon <= budget.epsilon,
  };
}

/** Throws a clear refusal when the planned run does not fit the dataset's budget. */
export function assertWithinBudget(check: BudgetCheck, datasetName: string): void {
  if (check.allowed) return;
  throw new ConfidantError(
    'privacy.budget-exceeded',
    `This run would bring the privacy spent on dataset "${datasetName}" to ε = ${check.afterRun.epsilon.toFixed(2)}, ` +
      `over its budget of ε = ${check.budget.epsilon} (δ = ${check.budget.delta}); ` +
      `earlier runs already spent ε = ${check.spent.epsilon.toFixed(2)}.`,
    {
      hint:
        'Train for fewer steps, add more noise (a smaller target ε), or raise the dataset budget explicitly ' +
        '(the change is recorded in the audit log).',
    },
  );
}
