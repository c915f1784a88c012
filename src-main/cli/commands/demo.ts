/**
 * `confidant demo` (`npm run demo`): the main job end to end on the bundled model and
 * synthetic data. The work is in ../demo/demoPipeline.ts; this only parses flags.
 */
import type { Command } from 'commander';
import { ConfidantError } from '../../shared/confidantError.js';

function positiveInteger(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) {
      throw new ConfidantError('demo.bad-flag', `${flag} must be a positive integer, got "${value}".`, {
        where: { field: flag },
      });
    }
    return n;
  };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the main job end to end on the bundled model and synthetic data')
    .option('--out <dir>', 'output folder (recreated on each run)', 'confidant-demo')
    .option('--records <n>', 'synthetic records to generate', positiveInteger('--records'), 240)
    .option(
      '--epochs <n>',
      'training passes over the data, for each of the two runs',
      positiveInteger('--epochs'),
      3,
    )
    .option(
      '--audit-records <n>',
      'members and non-members scored by the membership attacks',
      positiveInteger('--audit-records'),
      100,
    )
    .option('--seed <n>', 'seed of the synthetic data', positiveInteger('--seed'), 7)
    .option('--json', 'print the summary as JSON at the end')
    .action(
      async (opts: {
        out: string;
        records: number;
        seed: number;
        epochs: number;
        auditRecords: number;
        json?: boolean;
      }) => {
        const { runDemo } = await import('../demo/demoPipeline.js');
        const log = (line = '') => process.stderr.write(`${line}\n`);
        const passphrase = process.env.CONFIDANT_PASSPHRASE ?? 'confidant-demo';
        if (!process.env.CONFIDANT_PASSPHRASE) {
          log('Confidant demo (synthetic data only; the demo store passphrase is "confidant-demo")');
        }
        const summary = await runDemo({ ...opts, passphrase, log });
        if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      },
    );
}
