/**
 * Whether the Electron binary is installed. Electron ≥ 45 has no postinstall: `npm install`
 * only brings the JavaScript package, and `npx install-electron` fetches the binary (needs
 * internet once). We read the package's path.txt instead of `require('electron')`, which
 * would start a download.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface ElectronBinaryStatus {
  installed: boolean;
  version: string | null;
  detail: string;
}

export function electronBinaryStatus(): ElectronBinaryStatus {
  let packageDir: string;
  let version: string | null;
  try {
    const resolveFromHere = createRequire(import.meta.url);
    const manifest = resolveFromHere.resolve('electron/package.json');
    packageDir = dirname(manifest);
    version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return {
      installed: false,
      version: null,
      detail: 'the electron package is not installed (it is a development dependency)',
    };
  }
  const pathFile = join(packageDir, 'path.txt');
  const binary = existsSync(pathFile)
    ? join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim())
    : null;
  if (binary && existsSync(binary)) {
    return { installed: true, version, detail: binary };
  }
  return {
    installed: false,
    version,
    detail:
      'the Electron binary is not downloaded: `npm run app` fetches it with `npx install-electron` ' +
      '(needs internet once); air-gapped sites install the packaged app instead',
  };
}
