/**
 * Finds out which tfjs backends work on this machine, without assuming any optional
 * package is installed. Each probe really initialises its backend (a GPU adapter must be
 * granted, the wasm module must instantiate, the native addon must load), so "available"
 * means "a tensor op ran".
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ORDER, type BackendName } from './backendNames.js';
import { registerNativeBackend } from './nativeBackend.js';
import { registerWasmMissingKernels } from './wasmMissingKernels.js';
import { registerThreadedWasm } from './wasmThreads.js';
import { registerWebgpuBackend } from './webgpuBackend.js';

// tfjs greets Node users on the first tensor with a console banner; Confidant picks its
// backend deliberately, so the banner is noise (and would corrupt `--json` output).
tf.env().set('PROD', true);

const resolveFromHere = createRequire(import.meta.url);

export interface BackendStatus {
  name: BackendName;
  available: boolean;
  /** Why it is unavailable, or what it runs on, in words a user can act on. */
  detail: string;
  /**
   * Whether the automatic choice may pick it. False for a software GPU adapter (Mesa's
   * llvmpipe through OpenGL ES): it works, but slower than the CPU backends.
   */
  automatic?: boolean;
}

interface Prepared {
  detail: string;
  automatic: boolean;
}

async function prepareTensorflow(): Promise<Prepared> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(/* @vite-ignore */ pkg); // registers the 'tensorflow' tfjs backend
      return { detail: `${pkg} (libtensorflow)`, automatic: true };
    } catch (error) {
      if (!isModuleNotFound(error)) throw error;
    }
  }
  throw new Error('not installed (optional: `npm install @tensorflow/tfjs-node` on a machine with internet)');
}

async function prepareWebgpu(): Promise<Prepared> {
  const adapter = await registerWebgpuBackend();
  return {
    detail: adapter.software
      ? `${adapter.description}; a software renderer, slower than the CPU backends, so only used when chosen with --backend webgpu`
      : adapter.description,
    automatic: !adapter.software,
  };
}

async function prepareNative(): Promise<Prepared> {
  const addon = registerNativeBackend();
  const threads = addon.getThreads();
  return {
    detail: `${addon.blasInfo()}${threads > 0 ? `, ${threads} thread(s)` : ''}`,
    automatic: true,
  };
}

let wasmSetup: Promise<string> | undefined;

/** Once: the wasm file paths, the threaded build where there are cores for it, the added kernels. */
function setUpWasm(): Promise<string> {
  wasmSetup ??= (async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const distDir = dirname(resolveFromHere.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    wasm.setWasmPaths(`${join(distDir, 'dist')}/`);
    let note = '';
    const cores = availableParallelism();
    if (cores > 1 && process.env.CONFIDANT_WASM_THREADS !== '1') {
      try {
        await registerThreadedWasm(cores);
      } catch (error) {
        note = ` (the multi-threaded build did not start: ${messageOf(error)})`;
      }
    }
    registerWasmMissingKernels();
    return note;
  })();
  return wasmSetup;
}

async function prepareWasm(): Promise<Prepared> {
  const note = await setUpWasm();
  return { detail: `XNNPACK${note}`, automatic: true };
}

async function prepareCpu(): Promise<Prepared> {
  return { detail: 'pure JavaScript', automatic: true };
}

const PREPARE: Record<BackendName, () => Promise<Prepared>> = {
  tensorflow: prepareTensorflow,
  webgpu: prepareWebgpu,
  native: prepareNative,
  wasm: prepareWasm,
  cpu: prepareCpu,
};

/**
 * Registers `name`, makes it the active tfjs backend and runs one op on it. Returns what
 * it runs on; throws, with the reason, when it does not work here.
 */
export async function activateBackend(name: BackendName): Promise<BackendStatus> {
  const prepared = await PREPARE[name]();
  if (!(await tf.setBackend(name))) throw new Error(`the tfjs ${name} backend did not initialise`);
  const sum = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)));
  const value = (await sum.data())[0];
  sum.dispose();
  if (value !== 2) throw new Error(`the ${name} backend computed 1 + 1 = ${value}`);
  let detail = prepared.detail;
  if (name === 'wasm') {
    const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
    detail = detail.replace('XNNPACK', `XNNPACK, ${getThreadsCount()} thread(s)`);
  }
  return { name, available: true, detail, automatic: prepared.automatic };
}

/** Probes every backend, in BACKEND_ORDER; never throws. Leaves the last one that worked active. */
export async function probeBackends(): Promise<BackendStatus[]> {
  const statuses: BackendStatus[] = [];
  for (const name of BACKEND_ORDER) {
    try {
      statuses.push(await activateBackend(name));
    } catch (error) {
      statuses.push({ name, available: false, detail: messageOf(error) });
    }
  }
  return statuses;
}

/** The backend Confidant would choose: the fastest available one the automatic choice may pick. */
export function preferredBackend(statuses: readonly BackendStatus[]): BackendName {
  return statuses.find((s) => s.available && s.automatic !== false)?.name ?? 'cpu';
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
