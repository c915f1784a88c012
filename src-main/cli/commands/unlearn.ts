/**
 * `confidant unlearn --run <run> (--subjects <ids> | --records <ids>) [--method retrain|shard|gradient-ascent] [--json]`:
 * removes patients' or records' influence from a trained adapter and prints the
 * unlearning certificate (attacks before and after, utility, verdict).
 */
import type { Command } from 'commander';
import { ConfidantError } from '../../shared/confidantError.js';
import { ProgressBar } from '../progressBar.js';
import { withStore, type StoreFlags } from './store.js';

interface UnlearnFlags extends StoreFlags {
  run?: string;
  subjects?: string;
  records?: string;
  method: string;
  maxSteps?: string;
  json?: boolean;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function registerUnlearn(program: Command): void {
  program
    .command('unlearn')
    .description("remove patients' or records' influence from a trained adapter, with evidence")
    .option('--run <run>', 'the run whose adapter must forget')
    .option('--subjects <ids>', 'comma-separated patient (subject) ids')
    .option('--records <ids>', 'comma-separated record ids')
    .option(
      '--method <method>',
      'retrain (exact), shard (exact, retrains only the affected shards of a run trained with "shards") or gradient-ascent (approximate)',
      'retrain',
    )
    .option('--max-steps <n>', 'gradient ascent: most steps (default 50)')
    .option('--store <dir>', 'store folder (default: CONFIDANT_HOME or the platform folder)')
    .option('--json', 'print the certificate as JSON')
    .action(async (flags: UnlearnFlags) => {
      if (!flags.run || !/^\d+$/.test(flags.run)) {
        throw new ConfidantError('CLI_BAD_OPTION', '--run <run number> is required.', {
          where: { field: '--run' },
        });
      }
      const { UNLEARNING_METHODS, unlearn } = await import('../../train/unlearning/unlearn.js');
      const method = UNLEARNING_METHODS.find((m) => m === flags.method);
      if (!method) {
        throw new ConfidantError(
          'CLI_BAD_OPTION',
          `--method must be ${UNLEARNING_METHODS.join(', ')}, not "${flags.method}".`,
          {
            where: { field: '--method' },
          },
        );
      }
      const records = list(flags.records).map((r) => {
        if (!/^\d+$/.test(r)) {
          throw new ConfidantError('CLI_BAD_OPTION', `--records takes record numbers, not "${r}".`, {
            where: { field: '--records' },
          });
        }
        return Number(r);
      });
      const maxSteps = flags.maxSteps === undefined ? undefined : Number(flags.maxSteps);
      if (maxSteps !== undefined && !(Number.isInteger(maxSteps) && maxSteps > 0)) {
        throw new ConfidantError('CLI_BAD_OPTION', `--max-steps must be a positive whole number.`, {
          where: { field: '--max-steps' },
        });
      }
      await withStore(flags, async (store) => {
        const bar = new ProgressBar('retraining');
        const certificate = await unlearn({
          store,
          runId: Number(flags.run),
          subjects: list(flags.subjects),
          records,
          method,
          ...(maxSteps !== undefined ? { maxSteps } : {}),
          onProgress: (line) => process.stderr.write(`${line}\n`),
          onEvent: (e) => {
            if (e.type === 'train.step') bar.update(e.step, e.totalSteps);
          },
        });
        bar.done();
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(certificate)}\n`);
          return;
        }
        const c = certificate;
        process.stdout.write(
          [
            `Unlearning certificate (${c.method}) for run ${c.runId}: ${c.verdict.toUpperCase()}`,
            `Forgot ${c.forgottenRecords} record(s) of ${c.forgottenSubjects} patient(s)${c.newRunId !== null ? `; the new adapter is run ${c.newRunId}` : ''}.`,
            ...(c.shards
              ? [
                  `Retrained ${c.shards.retrained.length} of ${c.shards.total} shards: ${c.shards.retrained.map((r) => `shard ${r.index + 1} (run ${r.fromRunId} → ${r.runId})`).join(', ')}.`,
                ]
              : []),
            ...c.checks.map((k) => `  ${k.passed ? 'ok  ' : 'FAIL'} ${k.name}: ${k.detail}`),
            c.explanation,
          ].join('\n') + '\n',
        );
        if (c.verdict === 'fail') process.exitCode = 3;
      });
    });
}
