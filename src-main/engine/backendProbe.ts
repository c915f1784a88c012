/**
 * Finds out which tfjs backends work on this machine, without assuming any optional
 * package is installed. Each probe really initialises its backend (a GPU adapter must be
 * granted, the wasm module must instantiate), so "available" means "a tensor op ran".
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ORDER, type BackendName } from './backendNames.js';

// tfjs greets Node users on the first tensor with a console banner; Confidant picks its
// backend deliberately, so the banner is noise (and would corrupt `--json` output).
tf.env().set('PROD', true);

const resolveFromHere = createRequire(import.meta.url);

export interface BackendStatus {
  name: BackendName;
  available: boolean;
  /** Why it is unavailable, or what it runs on, in words a user can act on. */
  detail: string;
}

type Probe = () => Promise<string>;

async function probeTensorflow(): Promise<string> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(/* @vite-ignore */ pkg);
      return `${pkg} (libtensorflow)`;
    } catch (error) {
      if (!isModuleNotFound(error)) throw error;
    }
  }
  throw new Error('not installed (optional: `npm install @tensorflow/tfjs-node` on a machine with internet)');
}

async function probeWebgpu(): Promise<string> {
  const webgpu = await import('webgpu').catch((error: unknown) => {
    throw new Error(`the webgpu package (dawn.node) did not load: ${messageOf(error)}`, { cause: error });
  });
  Object.assign(globalThis, webgpu.globals);
  const gpu = webgpu.create([]);
  const adapter =
    (await gpu.requestAdapter()) ?? (await gpu.requestAdapter({ featureLevel: 'compatibility' }));
  if (!adapter) {
    throw new Error('no GPU adapter (install Vulkan drivers on Linux; Metal/D3D12 are built in)');
  }
  await import('@tensorflow/tfjs-backend-webgpu'); // registers the 'webgpu' tfjs backend
  if (!(await tf.setBackend('webgpu'))) throw new Error('the tfjs webgpu backend did not initialise');
  const info = adapter.info;
  return [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'GPU';
}

async function probeWasm(): Promise<string> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const distDir = dirname(resolveFromHere.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  wasm.setWasmPaths(`${join(distDir, 'dist')}/`);
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm module did not initialise');
  tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync());
  return `XNNPACK, ${wasm.getThreadsCount()} thread(s)`;
}

async function probeCpu(): Promise<string> {
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
  return 'pure JavaScript';
}

const PROBES: Record<BackendName, Probe> = {
  tensorflow: probeTensorflow,
  webgpu: probeWebgpu,
  wasm: probeWasm,
  cpu: probeCpu,
};

/** Probes every backend, in BACKEND_ORDER; never throws. */
export async function probeBackends(): Promise<BackendStatus[]> {
  const statuses: BackendStatus[] = [];
  for (const name of BACKEND_ORDER) {
    try {
      statuses.push({ name, available: true, detail: await PROBES[name]() });
    } catch (error) {
      statuses.push({ name, available: false, detail: messageOf(error) });
    }
  }
  return statuses;
}

/** The backend Confidant would use: the fastest available one. */
export function preferredBackend(statuses: readonly BackendStatus[]): BackendName {
  return statuses.find((s) => s.available)?.name ?? 'cpu';
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
