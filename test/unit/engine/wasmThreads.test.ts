// wasmThreads: the threaded wasm build's worker script is never executed from a shared,
// predictable temp path (issue #19, High). A file planted where older builds looked for it
// must not run; the script Confidant runs lives in a fresh private 0700 folder.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { registerThreadedWasm, writePrivateWorkerScript } from '../../../src-main/engine/wasmThreads';

const requireHere = createRequire(import.meta.url);
const root = dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
const { wasmWorkerContents } = requireHere(
  join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js'),
) as { wasmWorkerContents: string };
const workerScript = wasmWorkerContents.replace(/\n/g, '\\n');
// The path Confidant ≤ 0.x used: the same on every install, in the shared temp folder.
const hash = createHash('sha256').update(workerScript).digest('hex').slice(0, 16);
const plantedPath = join(tmpdir(), `confidant-tfjs-wasm-worker-${hash}.cjs`);
const marker = join(tmpdir(), `confidant-planted-ran-${process.pid}`);

afterAll(() => {
  rmSync(plantedPath, { force: true });
  rmSync(marker, { force: true });
});

describe('threaded wasm worker script', () => {
  it('does not run a worker script planted at the old shared temp path', async () => {
    rmSync(marker, { force: true });
    // The planted script proves it ran (as another user's code would), then behaves like the
    // real worker so the backend still starts on code that does run it.
    writeFileSync(
      plantedPath,
      `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n${workerScript}`,
    );
    await registerThreadedWasm(2);
    await tf.setBackend('wasm');
    const product = tf.matMul(tf.ones([64, 64]), tf.ones([64, 64]));
    expect((await product.data())[0]).toBe(64);
    product.dispose();
    // Workers start with the backend; give any planted code every chance to have run.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(existsSync(marker)).toBe(false);
  });

  it('writes the script into a fresh private folder (0700) as a new 0600 file', () => {
    const first = writePrivateWorkerScript('// one');
    const second = writePrivateWorkerScript('// two');
    expect(dirname(first)).not.toBe(dirname(second));
    for (const [file, text] of [
      [first, '// one'],
      [second, '// two'],
    ] as const) {
      expect(readFileSync(file, 'utf8')).toBe(text);
      expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(dirname(file).startsWith(join(tmpdir(), 'confidant-wasm-'))).toBe(true);
    }
  });
});
