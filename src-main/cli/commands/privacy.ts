/**
 * `confidant privacy epsilon|sigma`: the privacy accountants from the command line.
 *
 *   confidant privacy epsilon --q Q --sigma S --steps T --delta D [--accountant rdp|prv] [--json]
 *     → {"epsilon": number, "accountant": "rdp"|"prv"}
 *   confidant privacy sigma --target-epsilon E --q Q --steps T --delta D [--accountant rdp|prv] [--json]
 *     → {"sigma": number, "accountant": "rdp"|"prv"}
 *
 * Every bad flag is a ConfidantError naming the flag (exit code 2).
 */
import type { Command } from 'commander';
import {
  type Mechanism,
  type RdpConversion,
  createAccountant,
  isMechanism,
} from '../../accountants/index.js';
import { ConfidantError, isConfidantError } from '../../shared/confidantError.js';

interface CommonFlags {
  q?: string;
  steps?: string;
  delta?: string;
  accountant: string;
  conversion: string;
  json?: boolean;
}

function flagError(flag: string, message: string, hint: string): ConfidantError {
  return new ConfidantError('cli.invalid-flag', message, { where: { field: flag }, hint });
}

function requireFlag(flag: string, raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') {
    throw new ConfidantError('cli.missing-flag', `the flag ${flag} is required`, {
      where: { field: flag },
      hint: `add ${flag} <value> (see confidant privacy --help)`,
    });
  }
  return raw.trim();
}

function parseNumber(flag: string, raw: string | undefined): number {
  const text = requireFlag(flag, raw);
  const value = Number(text);
  if (!Number.isFinite(value))
    throw flagError(flag, `${flag} must be a number, got "${text}"`, 'e.g. 0.01 or 1e-5');
  return value;
}

export function parseSampleRate(raw: string | undefined): number {
  const q = parseNumber('--q', raw);
  if (!(q > 0 && q <= 1)) {
    throw flagError(
      '--q',
      `the sampling rate --q must be in (0, 1], got ${q}`,
      'use expected batch size / dataset size',
    );
  }
  return q;
}

export function parseSigma(raw: string | undefined): number {
  const sigma = parseNumber('--sigma', raw);
  if (!(sigma > 0))
    throw flagError('--sigma', `the noise multiplier --sigma must be > 0, got ${sigma}`, 'e.g. 1.0');
  return sigma;
}

export function parseSteps(raw: string | undefined): number {
  const steps = parseNumber('--steps', raw);
  if (!(Number.isSafeInteger(steps) && steps > 0)) {
    throw flagError('--steps', `--steps must be a positive integer, got ${raw?.trim()}`, 'e.g. 1000');
  }
  return steps;
}

export function parseDelta(raw: string | undefined): number {
  const delta = parseNumber('--delta', raw);
  if (!(delta > 0 && delta < 1)) {
    throw flagError(
      '--delta',
      `--delta must be in (0, 1), got ${delta}`,
      'use a value below 1/(number of records)',
    );
  }
  return delta;
}

export function parseTargetEpsilon(raw: string | undefined): number {
  const eps = parseNumber('--target-epsilon', raw);
  if (!(eps > 0)) throw flagError('--target-epsilon', `--target-epsilon must be > 0, got ${eps}`, 'e.g. 8');
  return eps;
}

function parseAccountant(raw: string): Mechanism {
  if (!isMechanism(raw))
    throw flagError('--accountant', `--accountant must be rdp or prv, got "${raw}"`, 'use rdp or prv');
  return raw;
}

function parseConversion(raw: string): RdpConversion {
  if (raw !== 'tight' && raw !== 'classic') {
    throw flagError(
      '--conversion',
      `--conversion must be tight or classic, got "${raw}"`,
      'use tight (default)',
    );
  }
  return raw;
}

/** Engine errors name engine fields (q, delta, targetEpsilon…): name the flag instead. */
function withFlagNames<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (isConfidantError(error)) {
      const field = error.options.where?.field;
      const flag = field === 'targetEpsilon' ? '--target-epsilon' : field ? `--${field}` : undefined;
      throw new ConfidantError(error.code, error.message, {
        where: flag ? { field: flag } : {},
        ...(error.options.hint ? { hint: error.options.hint } : {}),
        cause: error,
      });
    }
    throw error;
  }
}

function accountantFor(mechanism: Mechanism, conversion: RdpConversion) {
  return createAccountant(mechanism, { rdp: { conversion } });
}

function describeAccountant(mechanism: Mechanism, conversion: RdpConversion): string {
  return mechanism === 'rdp' ? `RDP accountant (${conversion} conversion)` : 'PRV accountant (upper bound)';
}

function addCommonFlags(command: Command): Command {
  return command
    .option('--q <rate>', 'Poisson sampling rate q in (0, 1] (expected batch size / dataset size)')
    .option('--steps <count>', 'number of DP-SGD steps (positive integer)')
    .option('--delta <delta>', 'target delta in (0, 1)')
    .option('--accountant <name>', 'rdp or prv', 'rdp')
    .option('--conversion <kind>', 'RDP to (ε, δ) conversion: tight (Balle et al. 2020) or classic', 'tight')
    .option('--json', 'print JSON');
}

export function registerPrivacy(program: Command): void {
  const privacy = program
    .command('privacy')
    .description('privacy accounting for DP-SGD: ε for a schedule, σ for a target ε');

  addCommonFlags(
    privacy
      .command('epsilon')
      .description('ε spent by DP-SGD with Poisson sampling rate q, noise multiplier σ, for T steps')
      .option('--sigma <sigma>', 'noise multiplier σ > 0'),
  ).action((opts: CommonFlags & { sigma?: string }) => {
    const q = parseSampleRate(opts.q);
    const sigma = parseSigma(opts.sigma);
    const steps = parseSteps(opts.steps);
    const delta = parseDelta(opts.delta);
    const mechanism = parseAccountant(opts.accountant);
    const conversion = parseConversion(opts.conversion);
    // PRV never errors for a large ε (issue 18): when even a coarser mesh cannot evaluate it,
    // the RDP value (also a valid upper bound) is returned, labelled as such
    let used: Mechanism = mechanism;
    let fallback: string | undefined;
    const epsilon = withFlagNames(() => {
      try {
        return accountantFor(mechanism, conversion).epsilon(q, sigma, steps, delta);
      } catch (error) {
        if (!(isConfidantError(error) && error.code === 'accountant.prv-too-large')) throw error;
        used = 'rdp';
        fallback = `PRV could not evaluate this history (${error.message}); this is the RDP accountant's upper bound`;
        return accountantFor('rdp', conversion).epsilon(q, sigma, steps, delta);
      }
    });
    process.stdout.write(
      opts.json
        ? `${JSON.stringify({ epsilon, accountant: used, ...(fallback ? { fallback } : {}) })}\n`
        : `ε = ${epsilon.toFixed(4)} at δ = ${delta} after ${steps} steps with sampling rate q = ${q} and ` +
            `noise multiplier σ = ${sigma} (${describeAccountant(used, conversion)}).` +
            (fallback ? ` Note: ${fallback}.` : '') +
            '\n',
    );
  });

  addCommonFlags(
    privacy
      .command('sigma')
      .description('the noise multiplier σ that keeps ε at or just below a target (within 1%)')
      .option('--target-epsilon <epsilon>', 'target ε > 0'),
  ).action((opts: CommonFlags & { targetEpsilon?: string }) => {
    const targetEpsilon = parseTargetEpsilon(opts.targetEpsilon);
    const q = parseSampleRate(opts.q);
    const steps = parseSteps(opts.steps);
    const delta = parseDelta(opts.delta);
    const mechanism = parseAccountant(opts.accountant);
    const conversion = parseConversion(opts.conversion);
    const sigma = withFlagNames(() =>
      accountantFor(mechanism, conversion).sigmaForTargetEpsilon(targetEpsilon, delta, q, steps),
    );
    process.stdout.write(
      opts.json
        ? `${JSON.stringify({ sigma, accountant: mechanism })}\n`
        : `Noise multiplier σ = ${sigma} keeps ε below ${targetEpsilon} (within 1%) at δ = ${delta} over ` +
            `${steps} steps with sampling rate q = ${q} (${describeAccountant(mechanism, conversion)}).\n`,
    );
  });

  registerPrivacyBudget(privacy);
}

interface BudgetFlags {
  dataset?: string;
  remove?: boolean;
  epsilon?: string;
  delta?: string;
  store?: string;
  json?: boolean;
}

/**
 * `confidant privacy budget --dataset D [--epsilon E --delta δ | --remove] [--json]`: shows a
 * dataset's privacy budget and what its runs spent (composed across runs), sets it or
 * removes it. The budget is the dataset family's (a redacted or pseudonymised copy shares
 * its parent's: train/datasetPrivacy.ts). Every change is recorded in the audit log; setting
 * a budget on data already used without privacy says at once that its ε is unbounded.
 */
export function registerPrivacyBudget(privacy: Command): void {
  privacy
    .command('budget')
    .description("show or set a dataset's total privacy budget (ε, δ); runs that would exceed it are refused")
    .option('--dataset <id|name>', 'the dataset')
    .option('--epsilon <epsilon>', 'set the total ε')
    .option('--delta <delta>', 'set δ (required with --epsilon when the dataset has no budget yet)')
    .option('--remove', 'remove the budget (runs are then not limited; recorded in the audit log)')
    .option('--store <dir>', 'store folder (default: CONFIDANT_HOME or the platform folder)')
    .option('--json', 'print JSON')
    .action(async (flags: BudgetFlags) => {
      if (!flags.dataset) {
        throw new ConfidantError('CLI_MISSING_OPTION', '--dataset <id|name> is required.', {
          where: { field: '--dataset' },
        });
      }
      const { withStore } = await import('./store.js');
      const { resolveDataset } = await import('../../train/trainingData.js');
      const { budgetHolderId, datasetBudgetStatus, pastCharges, worstUnitSpent } =
        await import('../../train/datasetPrivacy.js');
      await withStore(flags, (store) => {
        const dataset = resolveDataset(store, flags.dataset!);
        const holder = budgetHolderId(store, dataset.id);
        let budget = store.privacy.budget(holder);
        if (flags.remove && flags.epsilon !== undefined) {
          throw new ConfidantError('CLI_BAD_OPTION', '--remove and --epsilon cannot be used together.', {
            where: { field: '--remove' },
            hint: 'Remove the budget, or set a new one, in two commands.',
          });
        }
        if (flags.remove) {
          store.transaction(() => {
            if (store.privacy.removeBudget(holder)) {
              store.auditLog.append('budget', `dataset:${holder}`, {
                from: budget?.epsilon ?? null,
                to: null,
                delta: budget?.delta ?? null,
                reason: 'removed with confidant privacy budget --remove',
              });
            }
          });
          budget = undefined;
        }
        if (flags.epsilon !== undefined) {
          const epsilon = parseTargetEpsilon(flags.epsilon);
          const delta = flags.delta !== undefined ? parseDelta(flags.delta) : budget?.delta;
          if (delta === undefined) {
            throw new ConfidantError(
              'CLI_MISSING_OPTION',
              '--delta is required when a dataset gets its first budget.',
              {
                where: { field: '--delta' },
                hint: 'Use δ well below 1/N, e.g. 1e-5 for 10,000 patients.',
              },
            );
          }
          store.transaction(() => {
            store.privacy.setBudget(holder, epsilon, delta);
            store.auditLog.append('budget', `dataset:${holder}`, {
              from: budget?.epsilon ?? null,
              to: epsilon,
              delta,
              reason: 'set with confidant privacy budget',
            });
          });
          budget = store.privacy.budget(holder);
        }
        const status = datasetBudgetStatus(store, dataset.id);
        const spent = budget ? worstUnitSpent(pastCharges(store, dataset.id), budget.delta) : null;
        const nonPrivate = status.nonPrivateRuns;
        const unbounded = budget !== undefined && nonPrivate > 0;
        if (unbounded && flags.epsilon !== undefined) {
          // said at once: this budget can never be honoured
          process.stderr.write(
            `warning: ${nonPrivate} non-private run(s) already used this dataset's data, so its ε is unbounded ` +
              `and the budget of ε = ${budget?.epsilon} is already exceeded: every DP run on it will be refused. ` +
              `Remove it with \`confidant privacy budget --dataset ${holder} --remove\`.\n`,
          );
        }
        const result = {
          dataset: { id: dataset.id, name: dataset.name },
          /** The dataset holding the family's budget (this one, or the one it was derived from). */
          budgetDatasetId: holder,
          budget: status.budget,
          spentEpsilon: status.spentEpsilon,
          unbounded,
          nonPrivateRuns: nonPrivate,
          runs: status.runs,
        };
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result)}\n`);
          return;
        }
        const lines = [
          `Dataset ${dataset.id} (${dataset.name}): ${status.runs} run(s)` +
            (holder !== dataset.id
              ? ` in its family; the budget is held by dataset ${holder}, which it derives from.`
              : '.'),
        ];
        if (!budget)
          lines.push('No privacy budget set: runs are not limited. Set one with --epsilon and --delta.');
        else {
          lines.push(`Budget: ε = ${budget.epsilon}, δ = ${budget.delta}.`);
          lines.push(
            nonPrivate > 0
              ? `Spent: unbounded — ${nonPrivate} non-private run(s) used this dataset; remove the budget with --remove, raising it cannot help.`
              : `Spent: ε = ${spent!.epsilon.toFixed(3)} (RDP ${spent!.rdpEpsilon.toFixed(3)}, PRV ${spent!.prvEpsilon?.toFixed(3) ?? 'n/a'}); left: ${(budget.epsilon - spent!.epsilon).toFixed(3)}.`,
          );
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      });
    });
}
