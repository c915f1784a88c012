/**
 * A dataset source as the API receives it (a path on this machine, a file's text, or a file's
 * bytes from the browser) turned into a file the importer reads, and the importer's errors
 * said in the words of the Data screen (its fields and column picker, not the CLI's flags).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { ImportSource } from '../../shared/apiSchemas.js';
import { ConfidantError, isConfidantError } from '../../shared/confidantError.js';
import type { EngineSession } from '../engineSession.js';

/** A private scratch folder inside the data directory for files sent through the API. */
export function withScratchFile<T>(
  session: EngineSession,
  fileName: string,
  content: string | Uint8Array,
  use: (file: string) => Promise<T>,
): Promise<T> {
  const dir = join(session.dataDirectory.path, '.scratch', randomUUID());
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, fileName);
  writeFileSync(file, content, { mode: 0o600 });
  return use(file).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** Runs `use` on a file holding the source; bytes are written as sent (never decoded here). */
export function withSourceFile<T>(
  session: EngineSession,
  source: ImportSource,
  use: (file: string) => Promise<T>,
): Promise<T> {
  const shown = sourceName(source);
  const run = (file: string) => use(file).catch((error: unknown) => Promise.reject(inUiWords(error, shown)));
  if (source.kind === 'path') return run(resolve(source.path));
  const content = source.kind === 'bytes' ? Buffer.from(source.base64, 'base64') : source.content;
  return withScratchFile(session, source.fileName, content, run);
}

export function sourceName(source: ImportSource): string {
  return source.kind === 'path' ? resolve(source.path) : source.fileName;
}

const HINTS: Record<string, string> = {
  IMPORT_NAME_TAKEN: 'Type another name in “Dataset name”, or rename the existing dataset.',
  IMPORT_UNKNOWN_FORMAT: 'Save the file as .csv, .jsonl or .txt and choose it again.',
  IMPORT_BAD_MAPPING:
    'In “Columns”, pick the column that holds the note text, or a prompt and a response column.',
  IMPORT_EMPTY:
    'Check that you chose the right file and, for CSV or JSONL, the right columns under “Columns”.',
};

/** Rewrites a CLI-worded import error for the Data screen; the file is named as the user knows it. */
export function inUiWords(error: unknown, fileName: string): unknown {
  if (!isConfidantError(error) || !error.code.startsWith('IMPORT_')) return error;
  const hint = HINTS[error.code] ?? error.options.hint;
  const where = error.options.where;
  const message =
    error.code === 'IMPORT_BAD_MAPPING'
      ? 'The columns chosen do not make records: a dataset needs a text column, or both a prompt and a response column.'
      : error.message;
  return new ConfidantError(error.code, message, {
    ...(where
      ? {
          where: {
            ...where,
            ...(where.file ? { file: basename(fileName) } : {}),
            ...(where.field === '--map' ? { field: 'Columns' } : {}),
          },
        }
      : {}),
    ...(hint ? { hint } : {}),
    cause: error,
  });
}
