/**
 * Helpers for whoever assembles a report model (the `report --run` command, the demo): the
 * comparison notes of the verdict page and the reproducibility record, both derived from
 * the runs so that they cannot disagree with the numbers printed elsewhere.
 */
import { formatPercent } from './reportFormat.js';
import { isPrivateRun, NEVER_RECORDED, type ReportRun, type Reproducibility } from './reportModel.js';

const strongestAuc = (run: ReportRun) =>
  Math.max(...(run.audit?.membership.attacks.map((a) => a.auc) ?? [NaN]));

/**
 * Plain-language notes comparing the first non-private audited run with the first private
 * one (empty when there is no such pair): membership AUC, canary exposure, verbatim copies
 * and the utility cost.
 */
export function comparisonNotes(runs: readonly ReportRun[]): string[] {
  const open = runs.find((r) => r.audit && !isPrivateRun(r));
  const priv = runs.find((r) => r.audit && isPrivateRun(r));
  if (!open?.audit || !priv?.audit) return [];
  const notes: string[] = [];
  const [a, b] = [strongestAuc(open), strongestAuc(priv)];
  if (Number.isFinite(a) && Number.isFinite(b)) {
    notes.push(
      `Differential privacy ${b < a ? 'lowered' : 'did not lower'} the strongest membership-inference AUC: ` +
        `${a.toFixed(2)} without DP, ${b.toFixed(2)} with DP (0.50 is guessing).`,
    );
  }
  const openCanaries = open.audit.canaries?.perRepetition ?? [];
  const privCanaries = priv.audit.canaries?.perRepetition ?? [];
  const common = openCanaries
    .filter((row) => privCanaries.some((other) => other.repetitions === row.repetitions))
    .sort((x, y) => y.repetitions - x.repetitions)[0];
  const privRow = common && privCanaries.find((row) => row.repetitions === common.repetitions);
  if (common && privRow) {
    notes.push(
      `Canaries repeated ${common.repetitions} times reached a mean exposure of ${common.meanExposure.toFixed(1)} bits ` +
        `without DP and ${privRow.meanExposure.toFixed(1)} bits with DP.`,
    );
  }
  notes.push(
    `Verbatim copies of training text: ${formatPercent(open.audit.extraction.exactMatchRate)} without DP, ` +
      `${formatPercent(priv.audit.extraction.exactMatchRate)} with DP.`,
  );
  const [pp, op] = [priv.training.finalPerplexity, open.training.finalPerplexity];
  notes.push(
    `Held-out perplexity ${pp.toFixed(2)} with DP against ${op.toFixed(2)} without (lower is better)` +
      (pp > op
        ? ': the cost of the guarantee.'
        : ': here the guarantee cost no accuracy (the baseline overfitted).'),
  );
  return notes;
}

/**
 * The reproducibility record: the dataset, base-model and adapter fingerprints taken from
 * the runs, plus the versions, seeds and commands given. Run seeds and configurations are
 * printed from the runs themselves. The DP noise and the Poisson sampling are always listed
 * as never recorded.
 */
export function buildReproducibility(input: {
  runs: readonly ReportRun[];
  versions: Record<string, string>;
  seeds?: Record<string, number>;
  commands?: string[];
}): Reproducibility {
  const hashes: Record<string, string> = {};
  for (const run of input.runs) {
    const t = run.training;
    hashes[`dataset ${t.dataset.name}`] = t.dataset.sha256;
    hashes[`base model ${t.model.path}`] = t.model.sha256;
    hashes[`adapter ${t.runName}`] = t.adapter.sha256;
  }
  return {
    versions: { ...input.versions },
    seeds: { ...(input.seeds ?? {}) },
    hashes,
    commands: [...(input.commands ?? [])],
    neverRecorded: [...NEVER_RECORDED],
  };
}
