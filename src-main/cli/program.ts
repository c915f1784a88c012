/**
 * The `confidant` command. Thin by design: it parses flags and calls the engine modules;
 * every user-facing failure is a ConfidantError printed without a stack trace.
 */
import { Command, CommanderError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { isConfidantError } from '../shared/confidantError.js';
import { registerDoctor } from './commands/doctor.js';
import { registerDemo } from './commands/demo.js';
import { registerPrivacy } from './commands/privacy.js';
import { registerData } from './commands/data.js';
import { registerStore } from './commands/store.js';
import { registerModel } from './commands/model.js';
import { registerServe } from './commands/serve.js';
import { registerAudit } from './commands/audit.js';
import { registerFed } from './commands/fed.js';
import { registerTrain } from './commands/train.js';
import { registerUnlearn } from './commands/unlearn.js';
import { registerReport } from './commands/report.js';
import { registerAdapter } from './commands/adapter.js';

export function buildProgram(): Command {
  const program = new Command('confidant')
    .description(
      'Confidant: private fine-tuning of language models on sensitive clinical text, fully offline',
    )
    .version(pkg.version, '-V, --version', 'print the version')
    .showHelpAfterError('(run `confidant --help` for usage)')
    // `audit --run 3 --json` and `audit roc --json`: options after a subcommand are its own
    .enablePositionalOptions()
    .exitOverride();
  registerDoctor(program);
  registerDemo(program);
  registerPrivacy(program);
  registerData(program);
  registerStore(program);
  registerModel(program);
  registerServe(program);
  registerAudit(program);
  registerFed(program);
  registerTrain(program);
  registerUnlearn(program);
  registerReport(program);
  registerAdapter(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // commander printed it
    if (isConfidantError(error)) {
      process.stderr.write(`error: ${error.describe()}\n`);
      return 2;
    }
    process.stderr.write(
      `internal error (a bug; please report it with this text):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}
