// `npm install` runs this (the `prepare` script): build the app and the CLI so that
// `npx confidant` works right away. Skipped quietly where the build tools are absent
// (an install with --omit=dev), since then a prebuilt out/ is expected.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (!existsSync(new URL('../node_modules/electron-vite/package.json', import.meta.url))) {
  console.log('confidant: build tools not installed; skipping the build.');
  process.exit(0);
}
const result = spawnSync('npx', ['--no-install', 'electron-vite', 'build', '--logLevel', 'warn'], {
  stdio: 'inherit',
  shell: process.platform === 'win32',
});
process.exit(result.status ?? 1);
