/**
 * Where Confidant keeps its encrypted store: `--store <dir>` wins, then the CONFIDANT_HOME
 * environment variable, then the platform's per-user application-data folder.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface DataDirectory {
  path: string;
  source: 'flag' | 'CONFIDANT_HOME' | 'platform default';
}

export function resolveDataDirectory(
  flag?: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): DataDirectory {
  if (flag) return { path: resolve(flag), source: 'flag' };
  if (env.CONFIDANT_HOME) return { path: resolve(env.CONFIDANT_HOME), source: 'CONFIDANT_HOME' };
  return { path: platformDefault(env, platform), source: 'platform default' };
}

function platformDefault(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  switch (platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Confidant');
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Confidant');
    default:
      return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'confidant');
  }
}
