/**
 * Build of the whole app with electron-vite:
 * - main:     the Electron main process (src-main/app/main.ts), the `confidant` CLI
 *             (src-main/cli/main.ts) and worker entries; all npm dependencies stay external
 *             and are loaded from node_modules at run time (native addons, wasm files).
 * - preload:  the contextBridge script that exposes the typed API to the renderer.
 * - renderer: the Svelte 5 UI (src-renderer), which only talks to that API.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      sourcemap: true,
      rollupOptions: {
        input: {
          index: resolve(root, 'src-main/app/main.ts'),
          cli: resolve(root, 'src-main/cli/main.ts'),
          // long jobs (training, audits, reports) run in a worker thread of this entry
          jobWorker: resolve(root, 'src-main/app/jobs/jobWorker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(root, 'src-main/app/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    base: './',
    plugins: [svelte({ configFile: resolve(root, 'svelte.config.js') })],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rollupOptions: { input: { index: resolve(root, 'src-renderer/index.html') } },
    },
  },
});
