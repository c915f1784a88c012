// `npm install` runs this (the `prepare` script):
//  1. builds the native CPU kernels (native/, OpenBLAS or Accelerate) with node-gyp; if that
//     fails Confidant still runs on the wasm backend, and `confidant doctor` says why;
//  2. builds the app and the CLI so that `npx confidant` works right away. Skipped quietly
//     where the build tools are absent (an install with --omit=dev, with a prebuilt out/).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const shell = process.platform === 'win32';

const gyp = spawnSync('node-gyp', ['rebuild', '-C', 'native', '--loglevel=warn'], {
  stdio: 'inherit',
  shell,
});
if (gyp.status !== 0) {
  console.warn(
    'confidant: the native CPU kernels did not build (' +
      (gyp.error ? gyp.error.message : `node-gyp exited with ${gyp.status}`) +
      '). Confidant will use the wasm backend.\n' +
      '  To fix: install a C++ toolchain and OpenBLAS (Debian/Ubuntu: apt-get install g++ make python3 libopenblas-dev),\n' +
      '  then run `npm run native:build`. `npx confidant doctor` shows the backend in use.',
  );
}

if (!existsSync(new URL('../node_modules/electron-vite/package.json', import.meta.url))) {
  console.log('confidant: build tools not installed; skipping the build.');
  process.exit(0);
}
const result = spawnSync('npx', ['--no-install', 'electron-vite', 'build', '--logLevel', 'warn'], {
  stdio: 'inherit',
  shell,
});
process.exit(result.status ?? 1);
