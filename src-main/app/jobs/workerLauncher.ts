/**
 * Starts the job worker thread (./jobWorker) from wherever this code runs: the built app
 * (out/main/jobWorker.js, an electron-vite main entry) or the TypeScript sources (tests,
 * `tsx`), where the worker registers tsx's loader before importing the .ts entry.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ConfidantError } from '../../shared/confidantError.js';
import type { WorkerInit } from './jobProtocol.js';

const BUILT_ENTRY = 'jobWorker.js';

/** The worker script: the built entry next to the bundle, or null when running from sources. */
export function builtWorkerEntry(from: string = import.meta.url): string | null {
  if (from.endsWith('.ts')) return null;
  const dir = resolve(fileURLToPath(from), '..');
  const candidates = [resolve(dir, BUILT_ENTRY), resolve(dir, '..', BUILT_ENTRY)];
  return candidates.find((file) => existsSync(file)) ?? candidates[0]!;
}

export function startJobWorker(init: WorkerInit): Worker {
  const built = builtWorkerEntry();
  if (built) {
    if (!existsSync(built)) {
      throw new ConfidantError(
        'jobs.worker-missing',
        'This build of Confidant has no job worker (jobWorker.js).',
        {
          where: { file: built },
          hint: 'Rebuild with `npm run build`; the electron-vite config must list src-main/app/jobs/jobWorker.ts as a main entry.',
        },
      );
    }
    return new Worker(built, { workerData: init });
  }
  const source = pathToFileURL(resolve(fileURLToPath(import.meta.url), '..', 'jobWorker.ts')).href;
  const bootstrap =
    `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })` +
    `.catch((error) => { throw error; });`;
  return new Worker(bootstrap, { eval: true, workerData: init });
}
