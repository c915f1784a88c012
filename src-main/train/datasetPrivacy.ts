/**
 * What a dataset has spent: the privacy ledgers charged by its runs (write-ahead, so they
 * include steps lost in a crash), composed at the budget's δ, and whether any non-private
 * run used it (then its ε is unbounded). One place for the trainer's budget check, the
 * `privacy budget` command and the app's ε gauge.
 */
import type { LedgerSegment } from '../dp/privacyLedger.js';
import { privacySpent } from '../dp/privacySpent.js';
import type { RunRow, Store } from '../store/index.js';

/** The ledger charged to a run, as the accountants take it. */
export function chargedSegments(store: Store, runId: number): LedgerSegment[] {
  return store.privacy.ledger(runId).map((r) => ({
    samplingRate: r.sampleRate,
    noiseMultiplier: r.noiseMultiplier,
    clipNorm: r.clipNorm,
    unitCount: r.unitCount,
    steps: r.steps,
  }));
}

/** Runs of the dataset, other than `excludeRunId`, that trained without privacy. */
export function nonPrivateRuns(store: Store, datasetId: number, excludeRunId?: number): RunRow[] {
  return store.runs.listForDataset(datasetId).filter((r) => {
    if (r.id === excludeRunId || r.status === 'created' || r.status === 'cancelled') return false;
    return (JSON.parse(r.configJson) as { privacy?: { mode?: string } }).privacy?.mode === 'none';
  });
}

/** The charged ledgers of the dataset's runs (other than `excludeRunId`) that spent anything. */
export function pastCharges(store: Store, datasetId: number, excludeRunId?: number): LedgerSegment[][] {
  return store.runs
    .listForDataset(datasetId)
    .filter((r) => r.id !== excludeRunId)
    .map((r) => chargedSegments(store, r.id))
    .filter((s) => s.length > 0);
}

export interface DatasetBudgetStatus {
  datasetId: number;
  budget: { epsilon: number; delta: number } | null;
  /** ε spent by all runs composed at the budget's δ; null without a budget or when unbounded. */
  spentEpsilon: number | null;
  nonPrivateRuns: number;
  runs: number;
}

export function datasetBudgetStatus(store: Store, datasetId: number): DatasetBudgetStatus {
  const budget = store.privacy.budget(datasetId);
  const nonPrivate = nonPrivateRuns(store, datasetId).length;
  const spent = budget ? privacySpent(pastCharges(store, datasetId).flat(), budget.delta).epsilon : null;
  return {
    datasetId,
    budget: budget ? { epsilon: budget.epsilon, delta: budget.delta } : null,
    spentEpsilon: nonPrivate > 0 ? null : spent,
    nonPrivateRuns: nonPrivate,
    runs: store.runs.listForDataset(datasetId).length,
  };
}
