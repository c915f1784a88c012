// `fed` commands read the invitation secret from a file descriptor (--passphrase-fd), so it
// never appears in the process list the way --passphrase does (issue #19).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFederation } from '../../../src-main/federation/keyCeremony';
import { runCli } from '../../helpers/runCli';
import { CHEAP_SCRYPT } from './federationFixture';

const root = mkdtempSync(join(tmpdir(), 'confidant-fed-fd-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('invitation secret input', () => {
  it('reads the secret from --passphrase-fd 0 (standard input), and warns about --passphrase', async () => {
    const created = await createFederation({
      siteIds: ['a', 'b', 'c'],
      outDir: join(root, 'fed'),
      scryptCost: CHEAP_SCRYPT,
    });
    const args = (n: number) => [
      'fed',
      'export-update',
      created.invitations.get('a')!,
      '--round',
      '1',
      '--out',
      join(root, `a${n}.update`),
      '--state',
      join(root, `state${n}`),
    ];
    const secret = created.siteSecrets.get('a')!;
    const viaFd = await runCli([...args(1), '--passphrase-fd', '0'], {
      input: `${secret}\n`,
      env: { CONFIDANT_FED_PASSPHRASE: '' },
    });
    expect(viaFd.code, viaFd.stderr).toBe(0);
    expect(viaFd.stderr).not.toContain('visible to other users');
    const viaFlag = await runCli([...args(2), '--passphrase', secret], {
      env: { CONFIDANT_FED_PASSPHRASE: '' },
    });
    expect(viaFlag.code, viaFlag.stderr).toBe(0);
    expect(viaFlag.stderr).toContain('--passphrase is visible to other users of this computer (ps)');
  });
});
