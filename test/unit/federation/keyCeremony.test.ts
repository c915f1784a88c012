import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFederation } from '../../../src-main/federation/keyCeremony';

const root = mkdtempSync(join(tmpdir(), 'confidant-fed-init-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const base = { outDir: join(root, 'new'), passphrase: 'long enough passphrase' };

describe('fed init refuses bad input before making any key', () => {
  it.each([
    [{ siteIds: ['a', 'Bad Name'] }, 'fed.invalid-site-id'],
    [{ siteIds: ['a', 'coordinator'] }, 'fed.invalid-site-id'],
    [{ siteIds: ['a', 'a'] }, 'fed.invalid-site-id'],
    [{ siteIds: ['a'] }, 'fed.invalid-site-id'],
    [{ siteIds: ['a', 'b'], passphrase: 'short' }, 'fed.weak-passphrase'],
  ])('%j → %s', async (options, code) => {
    await expect(createFederation({ ...base, ...options })).rejects.toMatchObject({ code });
  });

  it('never writes into a non-empty folder', async () => {
    writeFileSync(join(root, 'file'), 'x');
    await expect(createFederation({ ...base, outDir: root, siteIds: ['a', 'b'] })).rejects.toMatchObject({
      code: 'fed.out-not-empty',
    });
  });
});
