import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { resolveDataDirectory } from '../../../src-main/store/dataDirectory';

describe('resolveDataDirectory', () => {
  it('prefers the flag, then CONFIDANT_HOME, then the platform folder', () => {
    const env = { HOME: '/home/ana', CONFIDANT_HOME: '/srv/confidant' };
    expect(resolveDataDirectory('rel/dir', env, 'linux')).toEqual({
      path: resolve('rel/dir'),
      source: 'flag',
    });
    expect(resolveDataDirectory(undefined, env, 'linux')).toEqual({
      path: '/srv/confidant',
      source: 'CONFIDANT_HOME',
    });
  });

  it('uses each platform’s per-user application-data folder', () => {
    expect(resolveDataDirectory(undefined, { HOME: '/home/ana' }, 'linux').path).toBe(
      '/home/ana/.local/share/confidant',
    );
    expect(resolveDataDirectory(undefined, { HOME: '/home/ana', XDG_DATA_HOME: '/x' }, 'linux').path).toBe(
      '/x/confidant',
    );
    expect(resolveDataDirectory(undefined, { HOME: '/Users/ana' }, 'darwin').path).toBe(
      '/Users/ana/Library/Application Support/Confidant',
    );
    expect(
      resolveDataDirectory(
        undefined,
        { USERPROFILE: 'C:/Users/ana', APPDATA: 'C:/Users/ana/AppData/Roaming' },
        'win32',
      ).path,
    ).toContain('Confidant');
  });
});
