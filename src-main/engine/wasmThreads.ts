/**
 * The multi-threaded (pthreads + SIMD) build of tfjs-backend-wasm, under Node.
 *
 * tfjs 4.22 never uses it in Node: its WASM_HAS_MULTITHREAD_SUPPORT flag returns false when
 * IS_NODE (tensorflow/tfjs#3830), and forcing the flag fails because the Emscripten pthread
 * workers are started from blob: URLs, which worker_threads rejects (ERR_WORKER_PATH). Once
 * started, the C++ side still caps the pool at emscripten_num_logical_cores() / 2 (it
 * assumes two hyper-threads per core), which is 1 on a 2-vCPU machine.
 *
 * So this module instantiates the threaded build itself: the worker script (shipped in the
 * package as a string) is written, fresh for each process, into a private folder that
 * mkdtemp creates (mode 0700, a name no other user can predict or pre-create) and given to
 * Emscripten as a file path, the main script is the package's own file, and the wasm import that reports the
 * core count answers 2 × the cores this process may use, so the pool gets one thread per
 * core. Then the 'wasm' tfjs backend is re-registered on that module. Any failure leaves the
 * stock single-threaded backend in place.
 *
 * Security: never execute a file found at a shared, predictable temp path. Another local
 * user could plant it and run code inside Confidant, whose environment may hold the store
 * passphrase (issue #19). The private folder is removed when the process exits.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

const requireHere = createRequire(import.meta.url);

interface EmscriptenModule {
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number;
  PThread?: { runningWorkers: Array<{ unref(): void }>; unusedWorkers: Array<{ unref(): void }> };
}

type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

/** The WebAssembly global (Node has it; this project's TypeScript lib settings do not declare it). */
const webAssembly = (
  globalThis as unknown as {
    WebAssembly: {
      instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: unknown; module: unknown }>;
    };
  }
).WebAssembly;

/**
 * Writes the worker script into a new private folder (mkdtemp: mode 0700, unpredictable
 * name) with exclusive create ('wx', mode 0600), so the file Emscripten runs is the one
 * written here and nothing another user placed. The folder is removed at exit.
 */
export function writePrivateWorkerScript(contents: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'confidant-wasm-'));
  const workerFile = join(folder, 'tfjs-wasm-worker.cjs');
  writeFileSync(workerFile, contents, { flag: 'wx', mode: 0o600 });
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  return workerFile;
}

/** Registers the threaded 'wasm' backend with `threads` threads; throws why not. */
export async function registerThreadedWasm(threads: number): Promise<void> {
  const root = dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const mainScript = join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const wasmFile = join(root, 'dist', 'tfjs-backend-wasm-threaded-simd.wasm');
  const loaded = requireHere(mainScript) as Factory | { default: Factory };
  const factory = typeof loaded === 'function' ? loaded : loaded.default;
  const { wasmWorkerContents } = requireHere(
    join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js'),
  ) as {
    wasmWorkerContents: string;
  };
  // The string escapes its newlines for a Blob (tfjs does the same replace before using it).
  const workerScript = wasmWorkerContents.replace(/\n/g, '\\n');
  const workerFile = writePrivateWorkerScript(workerScript);

  const module = await factory({
    locateFile: (path: string, prefix: string) =>
      path.endsWith('.worker.js') ? workerFile : path.endsWith('.wasm') ? wasmFile : prefix + path,
    mainScriptUrlOrBlob: mainScript,
    instantiateWasm: (
      info: { env: Record<string, unknown> },
      receive: (instance: unknown, module: unknown) => void,
    ) => {
      for (const [name, value] of Object.entries(info.env)) {
        if (typeof value === 'function' && value.toString().includes('hardwareConcurrency')) {
          info.env[name] = () => 2 * threads; // the C++ side halves it
        }
      }
      void webAssembly
        .instantiate(readFileSync(wasmFile), info)
        .then((result) => receive(result.instance, result.module));
      return {};
    },
  });
  const tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  Object.assign(module, { tfjs });

  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setThreadsCount(threads);
  if (tf.findBackendFactory('wasm')) tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    () => {
      const backend = new wasm.BackendWasm(module as never);
      // The thread pool's workers run for the life of the process; unreferenced, they no
      // longer keep Node from exiting when the program is done.
      for (const worker of [
        ...(module.PThread?.runningWorkers ?? []),
        ...(module.PThread?.unusedWorkers ?? []),
      ]) {
        worker.unref();
      }
      return backend;
    },
    2,
  );
}
