/**
 * The one entry point the rest of Confidant calls before using tensors: picks the tfjs
 * backend, initialises it and makes it active.
 *
 * Choice, first match wins: the `preferred` argument (the CLI's `--backend`), then the
 * CONFIDANT_BACKEND environment variable, then the fastest available backend in
 * BACKEND_ORDER that the automatic choice may pick (tensorflow → webgpu → native → wasm →
 * cpu). An explicit choice that cannot run here is an error that says why and lists the
 * backends that can; it never silently falls back to another backend.
 */
import { ConfidantError } from '../shared/confidantError.js';
import { BACKEND_ORDER, isBackendName, type BackendName } from './backendNames.js';
import { activateBackend, messageOf, probeBackends } from './backendProbe.js';

export const BACKEND_ENV = 'CONFIDANT_BACKEND';

export interface ActiveBackend {
  name: BackendName;
  /** What it runs on, e.g. "OpenBLAS 0.3.21 … Zen, 2 thread(s)". */
  detail: string;
}

export async function initBackend(preferred?: BackendName): Promise<ActiveBackend> {
  const fromEnv = process.env[BACKEND_ENV]?.trim();
  if (preferred === undefined && fromEnv) {
    if (!isBackendName(fromEnv)) {
      throw new ConfidantError('backend.unknown', `Unknown backend "${fromEnv}".`, {
        where: { field: BACKEND_ENV },
        hint: `Set ${BACKEND_ENV} to one of ${BACKEND_ORDER.join(', ')}, or unset it to pick the fastest automatically.`,
      });
    }
  }
  const explicit = preferred ?? (fromEnv as BackendName | undefined) ?? undefined;
  if (explicit) return activateExplicit(explicit, preferred === undefined ? BACKEND_ENV : '--backend');

  for (const name of BACKEND_ORDER) {
    try {
      const status = await activateBackend(name);
      if (status.automatic === false) continue;
      return { name, detail: status.detail };
    } catch {
      // not available here: try the next, slower one
    }
  }
  // Unreachable in practice: the cpu backend ships with @tensorflow/tfjs.
  throw new ConfidantError(
    'backend.none',
    'No tensor backend could be initialised, not even the JavaScript one.',
    {
      hint: 'Reinstall Confidant (`npm install` in its folder) and run `confidant doctor`.',
    },
  );
}

async function activateExplicit(name: BackendName, source: string): Promise<ActiveBackend> {
  try {
    const status = await activateBackend(name);
    return { name, detail: status.detail };
  } catch (error) {
    const reason = messageOf(error);
    const available = (await probeBackends()).filter((s) => s.available).map((s) => s.name);
    throw new ConfidantError('backend.unavailable', `The ${name} backend is not available here: ${reason}.`, {
      where: { field: source },
      hint:
        `Choose one of the available backends (${available.join(', ')}), or leave ${source} out ` +
        'to pick the fastest automatically. `confidant doctor` shows every backend and why.',
      cause: error,
    });
  }
}
