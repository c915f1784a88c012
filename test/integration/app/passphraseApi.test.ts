// Issue #23, item 10: the engine refuses to create a store behind a weak passphrase ("abc"
// was accepted), with the same rule as the unlock screen's meter; unlocking is not judged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../src-main/app/apiHandler';

let directory: string;
let handler: ReturnType<typeof createApiHandler>;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'confidant-passphrase-'));
  handler = createApiHandler({
    version: '0.0.0-test',
    dataDirectory: { path: join(directory, 'store'), source: 'flag' },
    kdfCost: { N: 2 ** 12, r: 8, p: 1 },
  });
});

afterAll(async () => {
  await handler?.dispose();
  rmSync(directory, { recursive: true, force: true });
});

describe('store passphrase strength', () => {
  it('refuses "abc" and a well-known password, naming the field and what to do', async () => {
    for (const passphrase of ['abc', 'Password1234']) {
      const result = await handler('store.unlock', { passphrase, create: true });
      expect(result).toMatchObject({ ok: false, error: { code: 'STORE_WEAK_PASSPHRASE' } });
      if (!result.ok) {
        expect(result.error.message).toContain('Passphrase');
        expect(result.error.hint).toBeTruthy();
      }
    }
    expect(await handler('store.status', {})).toMatchObject({ ok: true, value: { exists: false } });
  });

  it('creates the store with a few unrelated words', async () => {
    const created = await handler('store.unlock', {
      passphrase: 'correct horse battery staple',
      create: true,
    });
    expect(created).toMatchObject({ ok: true, value: { unlocked: true, exists: true } });
  });
});
