/**
 * `confidant adapter export --run N --out DIR [--merged]`: a run's adapter as a Hugging Face
 * PEFT folder with its model card (or, with --merged, the base model with the adapter merged,
 * as a Hugging Face model folder). Export writes plaintext outside the encrypted store: on a
 * terminal it asks first (--yes skips the question), and it is recorded in the audit log.
 *
 * `confidant adapter import --model DIR --adapter DIR [--dataset ID|NAME] [--name NAME]`:
 * brings a PEFT LoRA adapter trained elsewhere into the store as a run of that dataset, so
 * the audit suite can attack it (a hospital auditing a vendor's adapter).
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { ConfidantError } from '../../shared/confidantError.js';
import { withStore, type StoreFlags } from './store.js';

interface ExportFlags extends StoreFlags {
  run?: string;
  out?: string;
  merged?: boolean;
  yes?: boolean;
  json?: boolean;
}

interface ImportFlags extends StoreFlags {
  model?: string;
  adapter?: string;
  dataset?: string;
  name?: string;
  json?: boolean;
}

const storeOption = [
  '--store <dir>',
  'store folder (default: CONFIDANT_HOME or the platform folder)',
] as const;

function required(value: string | undefined, flag: string, what: string): string {
  if (!value) {
    throw new ConfidantError('CLI_BAD_OPTION', `${flag} <${what}> is required.`, { where: { field: flag } });
  }
  return value;
}

async function confirmOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export function registerAdapter(program: Command): void {
  const adapter = program
    .command('adapter')
    .description('take a trained adapter out of the store, or bring one trained elsewhere in');

  adapter
    .command('export')
    .description('write a run’s adapter as a Hugging Face PEFT folder with a model card')
    .option('--run <run>', 'the run whose adapter to export')
    .option('--out <dir>', 'a new or empty folder')
    .option('--merged', 'write the base model with the adapter merged (a Hugging Face model folder)')
    .option('--yes', 'do not ask before writing plaintext outside the store')
    .option(...storeOption)
    .option('--json', 'print the result as JSON')
    .action(async (flags: ExportFlags) => {
      const run = required(flags.run, '--run', 'run number');
      if (!/^\d+$/.test(run)) {
        throw new ConfidantError('CLI_BAD_OPTION', `--run takes a run number, not "${run}".`, {
          where: { field: '--run' },
        });
      }
      const out = required(flags.out, '--out', 'folder');
      const what = flags.merged
        ? 'the base model merged with run ' + run + '’s adapter'
        : `run ${run}’s adapter`;
      if (!flags.yes && process.stdin.isTTY) {
        const ok = await confirmOnTerminal(
          `This writes ${what} UNENCRYPTED to ${out}. A model can reveal its training data. Continue?`,
        );
        if (!ok) {
          throw new ConfidantError('CANCELLED', 'Export cancelled; nothing was written.');
        }
      }
      await withStore(flags, async (store) => {
        const { exportRunAdapter } = await import('../../report/runAdapterExport.js');
        const result = await exportRunAdapter(store, {
          runId: Number(run),
          outDir: out,
          merged: flags.merged === true,
        });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result)}\n`);
          return;
        }
        process.stdout.write(
          [
            `Exported ${what} to ${result.outDir} (${result.files.join(', ')}).`,
            `Guarantee: ${result.guarantee}.`,
            `Weights SHA-256 ${result.weightsSha256}; recorded in the audit log (entry ${result.auditLogSeq}).`,
          ].join('\n') + '\n',
        );
      });
    });

  adapter
    .command('import')
    .description('bring a PEFT LoRA adapter trained elsewhere into the store, to audit it')
    .option('--model <dir>', 'the base model folder the adapter was trained on (or "bundled")')
    .option('--adapter <dir>', 'the adapter folder (adapter_config.json, adapter_model.safetensors)')
    .option('--dataset <dataset>', 'the dataset to audit it against (id or name; default: the only one)')
    .option('--name <name>', 'a name for the imported run (default: the adapter folder’s name)')
    .option(...storeOption)
    .option('--json', 'print the result as JSON')
    .action(async (flags: ImportFlags) => {
      const model = required(flags.model, '--model', 'folder');
      const adapterDir = required(flags.adapter, '--adapter', 'folder');
      await withStore(flags, async (store) => {
        const { importExternalAdapter } = await import('../../train/importedAdapter.js');
        const result = await importExternalAdapter(store, {
          model,
          adapterDir,
          ...(flags.dataset !== undefined ? { dataset: flags.dataset } : {}),
          ...(flags.name !== undefined ? { name: flags.name } : {}),
        });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result)}\n`);
          return;
        }
        process.stdout.write(
          [
            `Imported the adapter as run ${result.runId} (${result.runName}) of dataset ${result.datasetName}.`,
            `Evaluation loss ${result.baseEvalLoss.toFixed(4)} → ${result.finalEvalLoss.toFixed(4)} nats/token with the adapter; no privacy guarantee is assumed.`,
            `Attack it with \`confidant audit --run ${result.runId}\`.`,
          ].join('\n') + '\n',
        );
      });
    });
}
