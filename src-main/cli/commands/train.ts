/**
 * `confidant train --config run.json|run.yaml [--resume [run]] [--raise-budget ε] [--json]`:
 * LoRA fine-tuning, non-private or with DP-SGD, with a progress bar on stderr. The engine
 * (tfjs) is loaded inside the action, so `confidant --help` stays fast.
 */
import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { ConfidantError } from '../../shared/confidantError.js';
import { ProgressBar } from '../progressBar.js';
import { withStore, type StoreFlags } from './store.js';

interface TrainFlags extends StoreFlags {
  config?: string;
  resume?: string | boolean;
  raiseBudget?: string;
  json?: boolean;
}

function parseRaise(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = z.coerce.number().gt(0).safeParse(value);
  if (!parsed.success) {
    throw new ConfidantError('CLI_BAD_OPTION', `--raise-budget must be a positive ε, not "${value}".`, {
      where: { field: '--raise-budget' },
    });
  }
  return parsed.data;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('fine-tune a LoRA adapter on a dataset of the store, non-private or with DP-SGD')
    .option('--config <file>', 'run configuration (JSON or YAML; see docs/run-config.md)')
    .option(
      '--resume [run]',
      'continue a run from its latest checkpoint (default: the latest unfinished run of this config)',
    )
    .option(
      '--raise-budget <epsilon>',
      "raise the dataset's privacy budget to ε first (recorded in the audit log)",
    )
    .option('--store <dir>', 'store folder (default: CONFIDANT_HOME or the platform folder)')
    .option('--json', 'print the training summary as JSON on stdout')
    .action(async (flags: TrainFlags) => {
      if (!flags.config) {
        throw new ConfidantError('CLI_MISSING_OPTION', '--config <file> is required.', {
          where: { field: '--config' },
          hint: 'Write a run configuration; docs/run-config.md has an example.',
        });
      }
      const { loadRunConfig } = await import('../../train/runConfig.js');
      const config = loadRunConfig(flags.config);
      const runName = basename(flags.config, extname(flags.config));
      const { train } = await import('../../train/trainer.js');
      await withStore(flags, async (store) => {
        let resumeRunId: number | undefined;
        if (flags.resume !== undefined && flags.resume !== false) {
          if (typeof flags.resume === 'string') {
            if (!/^\d+$/.test(flags.resume)) {
              throw new ConfidantError(
                'CLI_BAD_OPTION',
                `--resume takes a run number, not "${flags.resume}".`,
                {
                  where: { field: '--resume' },
                },
              );
            }
            resumeRunId = Number(flags.resume);
          } else {
            const same = JSON.stringify(config);
            const candidate = store.runs
              .list()
              .filter((r) => r.status !== 'completed' && r.status !== 'cancelled' && r.configJson === same)
              .at(-1);
            if (!candidate) {
              throw new ConfidantError(
                'train.nothing-to-resume',
                'No unfinished run with this configuration.',
                {
                  where: { file: flags.config },
                  hint: 'Start it without --resume.',
                },
              );
            }
            resumeRunId = candidate.id;
          }
        }
        const bar = new ProgressBar('training');
        const raise = parseRaise(flags.raiseBudget);
        const result = await train({
          store,
          config,
          runName,
          ...(resumeRunId !== undefined ? { resumeRunId } : {}),
          ...(raise !== undefined ? { raiseBudgetTo: raise } : {}),
          onEvent: (e) => {
            if (e.type === 'train.started') {
              process.stderr.write(
                `run ${e.runId}: ${e.totalSteps} steps from step ${e.startStep} on ${e.trainUnits} units ` +
                  `(expected batch ${e.expectedBatchSize.toFixed(1)}), backend ${e.backend}` +
                  (e.noiseMultiplier !== null
                    ? `, DP-SGD σ = ${e.noiseMultiplier.toFixed(4)}, δ = ${e.delta}`
                    : ', non-private') +
                  '\n',
              );
              for (const w of e.warnings) process.stderr.write(`warning: ${w}\n`);
            } else if (e.type === 'train.step') {
              const parts = [
                e.loss !== null ? `loss ${e.loss.toFixed(3)}` : '',
                e.epsilon !== null ? `ε ${e.epsilon.toFixed(2)}` : '',
                e.tokensPerSecond !== null ? `${e.tokensPerSecond.toFixed(0)} tok/s` : '',
                e.etaSeconds !== null ? `ETA ${Math.round(e.etaSeconds)} s` : '',
              ].filter(Boolean);
              bar.update(e.step, e.totalSteps, parts.join(' · '));
            } else if (e.type === 'train.checkpoint') {
              bar.done();
              process.stderr.write(
                `checkpoint at step ${e.step}${e.epsilon !== null ? ` (ε so far ${e.epsilon.toFixed(3)})` : ''}\n`,
              );
            } else if (e.type === 'train.eval') {
              bar.done();
              process.stderr.write(
                `step ${e.step}: eval loss ${e.loss.toFixed(4)}, perplexity ${e.perplexity.toFixed(2)}\n`,
              );
            }
          },
        });
        bar.done();
        const s = result.summary;
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(s)}\n`);
          return;
        }
        const lines = [
          `Run ${s.runId} (${s.runName}) ${s.status}: ${s.privacy.steps} steps` +
            (s.seconds !== null && s.tokensPerSecond !== null
              ? ` in ${s.seconds.toFixed(1)} s, ${s.tokensPerSecond.toFixed(0)} tokens/s.`
              : ' (time and throughput withheld: they depend on the secret DP batches).'),
          `Eval perplexity ${Math.exp(s.baseEvalLoss).toFixed(2)} (base) → ${s.finalPerplexity.toFixed(2)}.`,
          s.privacy.epsilon !== null
            ? `Privacy: (ε = ${s.privacy.epsilon.toFixed(3)}, δ = ${s.privacy.delta}) per ${s.privacy.privacyUnit}; RDP ${s.privacy.rdpEpsilon?.toFixed(3)}, PRV ${s.privacy.prvEpsilon?.toFixed(3) ?? 'n/a'}.`
            : 'Privacy: none (non-private run).',
          ...(s.privacy.budget
            ? [
                `Dataset budget: ε ${s.privacy.budget.spent.toFixed(3)} of ${s.privacy.budget.epsilon} spent, ${s.privacy.budget.remaining.toFixed(3)} left.`,
              ]
            : []),
          ...s.sanity.map((c) => `  ${c.passed ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
        if (s.sanity.some((c) => !c.passed)) process.exitCode = 3;
      });
    });
}
