// `npm run app`: build, fetch the Electron binary when it is missing (Electron ≥ 45 has no
// postinstall; `install-electron` downloads it and needs internet once), then launch.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args) =>
  spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' }).status ?? 1;

if (run('node', ['scripts/ensure-built.mjs']) !== 0) process.exit(1);

const electronDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
const pathFile = join(electronDir, 'path.txt');
const binaryPresent = () =>
  existsSync(pathFile) && existsSync(join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()));

if (!binaryPresent()) {
  console.log(
    'confidant: the Electron binary is missing; fetching it with `npx install-electron` (needs internet)…',
  );
  if (run('npx', ['--no-install', 'install-electron', '--no']) !== 0 || !binaryPresent()) {
    console.error(
      'confidant: could not download Electron. This machine may be offline.\n' +
        'What to do: run `npm run app` once on a machine with internet, or install the packaged app ' +
        '(AppImage/deb, dmg, or the Windows installer). The CLI (`npx confidant`) works without Electron.',
    );
    process.exit(1);
  }
}
process.exit(run('npx', ['--no-install', 'electron-vite', 'preview', '--skipBuild']));
