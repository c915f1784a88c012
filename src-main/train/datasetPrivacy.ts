/**
 * What a dataset has spent: the privacy ledgers charged by its runs (write-ahead, so they
 * include steps lost in a crash), composed at the budget's δ, and whether any non-private
 * run used it (then its ε is unbounded). One place for the trainer's budget check, the
 * `privacy budget` command and the app's ε gauge.
 *
 * Runs compose sequentially, except the shards of a sharded (SISA) run: shards of one
 * partition train on disjoint units, so a unit pays only for the runs of its own shard
 * (parallel composition, McSherry 2009, "Privacy Integrated Queries", Thm. 4). The ε spent
 * is that of the worst-off unit: every non-shard run, plus, for each partition, the runs
 * of the one shard that unit is in; the maximum is taken over all such combinations.
 *
 * Budgets follow the people, not the copy (issue 18): a redacted or pseudonymised dataset
 * derived from another holds the same patients, and redaction does not remove what a model
 * can learn about them. So a dataset's runs are those of its whole family (the root dataset
 * and every dataset derived from it, at any depth), and its budget is the family's: held by
 * the root (or, when only a derived copy was given one, the nearest one up the chain).
 */
import { budgetCheckOf, type BudgetCheck, type DatasetBudget } from '../dp/privacyBudget.js';
import type { LedgerSegment } from '../dp/privacyLedger.js';
import { privacySpent, type PrivacySpent } from '../dp/privacySpent.js';
import type { RunRow, Store } from '../store/index.js';
import { partitionKey } from './sharding/shardAssignment.js';

/** One run's charged ledger, and the shard it trained when it is a shard of a SISA run. */
export interface RunCharge {
  readonly segments: readonly LedgerSegment[];
  readonly shard?: { readonly partition: string; readonly index: number };
}

/** More shard combinations than this are composed sequentially (an upper bound). */
const MAX_COMBINATIONS = 256;

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

/** The root of a dataset's family: follow parentDatasetId up (cycles cannot occur; guarded anyway). */
export function familyRootId(store: Store, datasetId: number): number {
  let id = datasetId;
  const seen = new Set<number>();
  for (;;) {
    seen.add(id);
    const parent = store.datasets.get(id)?.parentDatasetId ?? null;
    if (parent === null || seen.has(parent)) return id;
    id = parent;
  }
}

/** Every dataset of the family (the root and all datasets derived from it), root first. */
export function familyDatasetIds(store: Store, datasetId: number): number[] {
  const root = familyRootId(store, datasetId);
  const all = store.datasets.list({ includeIncomplete: true });
  return [root, ...all.filter((d) => d.id !== root && familyRootId(store, d.id) === root).map((d) => d.id)];
}

/** The dataset that holds the family's budget: the root, else the nearest ancestor-or-self with one. */
export function budgetHolderId(store: Store, datasetId: number): number {
  const root = familyRootId(store, datasetId);
  if (store.privacy.budget(root)) return root;
  let id: number | null = datasetId;
  while (id !== null && id !== root) {
    if (store.privacy.budget(id)) return id;
    id = store.datasets.get(id)?.parentDatasetId ?? null;
  }
  return root;
}

/** The family's budget (see budgetHolderId). */
export function familyBudget(store: Store, datasetId: number) {
  return store.privacy.budget(budgetHolderId(store, datasetId));
}

/** Runs of the dataset's family (see above). */
function familyRuns(store: Store, datasetId: number): RunRow[] {
  return familyDatasetIds(store, datasetId).flatMap((id) => store.runs.listForDataset(id));
}

/** Runs of the dataset's family, other than `excludeRunId`, that trained without privacy. */
export function nonPrivateRuns(store: Store, datasetId: number, excludeRunId?: number): RunRow[] {
  return familyRuns(store, datasetId).filter((r) => {
    if (r.id === excludeRunId || r.status === 'created' || r.status === 'cancelled') return false;
    return (JSON.parse(r.configJson) as { privacy?: { mode?: string } }).privacy?.mode === 'none';
  });
}

/** The shard a run trained, from its configuration (undefined for an unsharded run). */
export function runShard(run: RunRow): RunCharge['shard'] {
  const config = JSON.parse(run.configJson) as {
    shards?: number;
    shardIndex?: number;
    seed?: number;
    privacyUnit?: string;
  };
  if (config.shardIndex === undefined || !config.shards || config.shards < 2) return undefined;
  return {
    partition: partitionKey(run.datasetId, config.shards, config.seed ?? 0, config.privacyUnit ?? 'record'),
    index: config.shardIndex,
  };
}

/** The charged ledgers of the dataset's runs (other than `excludeRunId`) that spent anything. */
export function pastCharges(store: Store, datasetId: number, excludeRunId?: number): RunCharge[] {
  return familyRuns(store, datasetId)
    .filter((r) => r.id !== excludeRunId)
    .map((r): RunCharge => {
      const shard = runShard(r);
      return { segments: chargedSegments(store, r.id), ...(shard ? { shard } : {}) };
    })
    .filter((c) => c.segments.length > 0);
}

/**
 * The ledgers of the units that could be worst off: the sequential runs, plus one shard's
 * runs from each partition, for every combination of shards. Always at least one ledger.
 */
export function unitLedgers(charges: readonly RunCharge[]): LedgerSegment[][] {
  const sequential: LedgerSegment[] = [];
  const partitions = new Map<string, Map<number, LedgerSegment[]>>();
  for (const charge of charges) {
    if (!charge.shard) {
      sequential.push(...charge.segments);
      continue;
    }
    const shards = partitions.get(charge.shard.partition) ?? new Map<number, LedgerSegment[]>();
    partitions.set(charge.shard.partition, shards);
    shards.set(charge.shard.index, [...(shards.get(charge.shard.index) ?? []), ...charge.segments]);
  }
  const choices = [...partitions.values()].map((shards) => [...shards.values()]);
  const combinations = choices.reduce((n, c) => n * c.length, 1);
  if (combinations > MAX_COMBINATIONS) return [charges.flatMap((c) => c.segments)];
  let ledgers: LedgerSegment[][] = [sequential];
  for (const options of choices) {
    ledgers = ledgers.flatMap((ledger) => options.map((shard) => [...ledger, ...shard]));
  }
  return ledgers;
}

/** The ε spent by the worst-off unit, at δ. */
export function worstUnitSpent(charges: readonly RunCharge[], delta: number): PrivacySpent {
  let worst: PrivacySpent | null = null;
  for (const ledger of unitLedgers(charges)) {
    const spent = privacySpent(ledger, delta);
    if (!worst || spent.epsilon > worst.epsilon) worst = spent;
  }
  return worst!;
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
  const budget = familyBudget(store, datasetId);
  const nonPrivate = nonPrivateRuns(store, datasetId).length;
  const spent = budget ? worstUnitSpent(pastCharges(store, datasetId), budget.delta).epsilon : null;
  return {
    datasetId,
    budget: budget ? { epsilon: budget.epsilon, delta: budget.delta } : null,
    spentEpsilon: nonPrivate > 0 ? null : spent,
    nonPrivateRuns: nonPrivate,
    runs: familyRuns(store, datasetId).length,
  };
}

/** Whether a run (its charges so far plus the planned steps) fits the dataset's budget. */
export function checkDatasetBudget(
  budget: DatasetBudget,
  past: readonly RunCharge[],
  planned: RunCharge,
): BudgetCheck {
  return budgetCheckOf(
    budget,
    worstUnitSpent(past, budget.delta),
    worstUnitSpent([...past, planned], budget.delta),
  );
}
