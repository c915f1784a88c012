/**
 * `confidant store verify-log | accept-rollback | passwd | info`, and how every command opens the store: the
 * folder from --store or CONFIDANT_HOME, the passphrase from CONFIDANT_PASSPHRASE or a hidden
 * prompt on a terminal (asked twice when a new store is created).
 */
import type { Command } from 'commander';
import { ConfidantError } from '../../shared/confidantError.js';
import {
  assertNewPassphrase,
  resolveDataDirectory,
  Store,
  LATEST_SCHEMA_VERSION,
} from '../../store/index.js';

export interface StoreFlags {
  store?: string;
}

/** Reads a line from the terminal without echoing it. */
export function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    process.stderr.write(question);
    let value = '';
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          cleanup();
          process.stderr.write('\n');
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          cleanup();
          reject(new ConfidantError('CANCELLED', 'Cancelled.'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const cleanup = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
    };
    input.on('data', onData);
  });
}

async function readPassphrase(creating: boolean, label = 'Store passphrase'): Promise<string> {
  const fromEnv = process.env.CONFIDANT_PASSPHRASE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) {
    throw new ConfidantError(
      'STORE_PASSPHRASE_REQUIRED',
      'The store passphrase is needed and there is no terminal to ask on.',
      {
        hint: 'Set CONFIDANT_PASSPHRASE, or run the command in a terminal.',
      },
    );
  }
  const first = await promptHidden(`${label}: `);
  if (creating) {
    const second = await promptHidden(`${label} again: `);
    if (first !== second) {
      throw new ConfidantError('STORE_PASSPHRASE_MISMATCH', 'The two passphrases differ.', {
        hint: 'Run the command again.',
      });
    }
  }
  return first;
}

/** Opens (or, with `create`, creates) the store the flags and environment point to. */
export async function openStoreFromCli(
  flags: StoreFlags,
  options: { create?: boolean; acceptRollback?: boolean } = {},
): Promise<Store> {
  const directory = resolveDataDirectory(flags.store).path;
  const exists = Store.exists(directory);
  if (!exists && !options.create) {
    throw new ConfidantError('STORE_NOT_FOUND', 'There is no Confidant store here yet.', {
      where: { file: directory },
      hint: 'Import data first (`confidant data import`), or point --store / CONFIDANT_HOME at your store.',
    });
  }
  if (!exists) process.stderr.write(`Creating a new encrypted store in ${directory}\n`);
  const passphrase = await readPassphrase(!exists);
  if (!exists) assertNewPassphrase(passphrase, 'CONFIDANT_PASSPHRASE');
  return Store.open({
    directory,
    passphrase,
    create: options.create === true,
    ...(options.acceptRollback ? { acceptRollback: true } : {}),
  });
}

export async function withStore<T>(
  flags: StoreFlags,
  fn: (store: Store) => T | Promise<T>,
  options: { create?: boolean } = {},
): Promise<T> {
  const store = await openStoreFromCli(flags, options);
  try {
    for (const id of store.recoveredImports) {
      process.stderr.write(
        `note: import of dataset ${id} was interrupted earlier; its partial records were removed.\n`,
      );
    }
    return await fn(store);
  } finally {
    store.close();
  }
}

const storeOption = [
  '--store <dir>',
  'store folder (default: CONFIDANT_HOME or the platform folder)',
] as const;

export function registerStore(program: Command): void {
  const store = program.command('store').description('the encrypted local store');

  store
    .command('verify-log')
    .description('check the hash chain of the audit log (edits, deletions, reordering)')
    .option(...storeOption)
    .option('--json', 'print the result as JSON')
    .action(async (opts: StoreFlags & { json?: boolean }) => {
      await withStore(opts, (s) => {
        const result = s.auditLog.verify();
        if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else if (result.ok)
          process.stdout.write(`Audit log intact: ${result.entries} entries, hash chain verified.\n`);
        else
          process.stdout.write(
            `AUDIT LOG TAMPERED: entry ${result.problem?.seq}: ${result.problem?.reason}.\n`,
          );
        if (!result.ok) process.exitCode = 3;
      });
    });

  store
    .command('accept-rollback')
    .description(
      'open a store whose database is older than its audit checkpoint (restored from a backup); recorded in the audit log',
    )
    .option(...storeOption)
    .action(async (opts: StoreFlags) => {
      const s = await openStoreFromCli(opts, { acceptRollback: true });
      try {
        process.stdout.write(
          'The store is open again; the rollback (if there was one) is recorded in its audit log and the checkpoint was reset.\n' +
            'Privacy budget spent after that copy was made is no longer counted: check `confidant privacy` before training.\n',
        );
      } finally {
        s.close();
      }
    });

  store
    .command('passwd')
    .description('change the store passphrase (re-keys the database)')
    .option(...storeOption)
    .action(async (opts: StoreFlags) => {
      await withStore(opts, async (s) => {
        const next = process.env.CONFIDANT_NEW_PASSPHRASE ?? (await readPassphrase(true, 'New passphrase'));
        assertNewPassphrase(next, 'CONFIDANT_NEW_PASSPHRASE');
        s.changePassphrase(next);
        process.stdout.write(
          'Passphrase changed; the database was re-keyed.\n' +
            'The master key (blob and pseudonym keys) and the report-signing key are unchanged: whoever had the old passphrase and a copy of the store before this change can still read that copy.\n',
        );
      });
    });

  store
    .command('info')
    .description('where the store is, its schema and its integrity')
    .option(...storeOption)
    .option('--json', 'print as JSON')
    .action(async (opts: StoreFlags & { json?: boolean }) => {
      await withStore(opts, (s) => {
        const info = {
          directory: s.directory,
          schemaVersion: LATEST_SCHEMA_VERSION,
          integrity: s.integrityCheck().join('; '),
          projects: s.projects.list().length,
          datasets: s.datasets.list().length,
          auditLogEntries: s.auditLog.verify().entries,
        };
        process.stdout.write(
          opts.json
            ? `${JSON.stringify(info)}\n`
            : `${Object.entries(info)
                .map(([k, v]) => `${k}: ${v}`)
                .join('\n')}\n`,
        );
      });
    });
}
