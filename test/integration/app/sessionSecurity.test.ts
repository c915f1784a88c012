// Issue #19 through the app's API: an upload goes from memory into the encrypted store with
// no plaintext file on disk (older versions wrote <data>/.scratch, which a crash left behind;
// leftovers are wiped at start), and a wrong passphrase does not lock a store that is open.
import { watch, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../src-main/app/apiHandler';
import type { ApiCallName, ApiRequest, ApiResponse } from '../../../src-main/shared/api';

let directory: string;
let dataDir: string;
let handler: ReturnType<typeof createApiHandler>;
const PASS = 'a long test passphrase';

async function call<K extends ApiCallName>(name: K, request: ApiRequest<K>): Promise<ApiResponse<K>> {
  const result = await handler(name, request);
  if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
  return result.value as ApiResponse<K>;
}

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'confidant-app-sec-'));
  dataDir = join(directory, 'store');
  // A plaintext upload left by a crash of an older version.
  mkdirSync(join(dataDir, '.scratch', 'left-over'), { recursive: true });
  writeFileSync(join(dataDir, '.scratch', 'left-over', 'notes.jsonl'), '{"text": "Patient Jane Doe"}\n');
  handler = createApiHandler({
    version: '0.0.0-test',
    dataDirectory: { path: dataDir, source: 'flag' },
    kdfCost: { N: 2 ** 12, r: 8, p: 1 },
  });
});

afterAll(async () => {
  await handler?.dispose();
  rmSync(directory, { recursive: true, force: true });
});

describe('app session security', () => {
  it('wipes plaintext upload leftovers at start', () => {
    expect(existsSync(join(dataDir, '.scratch'))).toBe(false);
  });

  it('refuses a weak passphrase for a new store', async () => {
    const other = createApiHandler({
      version: '0.0.0-test',
      dataDirectory: { path: join(directory, 'weak'), source: 'flag' },
      kdfCost: { N: 2 ** 12, r: 8, p: 1 },
    });
    try {
      const weak = await other('store.unlock', { passphrase: 'letmein', create: true });
      expect(weak).toMatchObject({ ok: false, error: { code: 'STORE_WEAK_PASSPHRASE' } });
      expect(existsSync(join(directory, 'weak', 'store.json'))).toBe(false);
    } finally {
      await other.dispose();
    }
  });

  it('a wrong passphrase leaves an open store open', async () => {
    await call('store.unlock', { passphrase: PASS, create: true });
    const wrong = await handler('store.unlock', { passphrase: 'not it' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'DB_WRONG_PASSPHRASE' } });
    expect(await call('store.status', {})).toMatchObject({ unlocked: true });
    expect(await call('projects.list', {})).toEqual([]);
  });

  it('imports an upload without writing any plaintext file under the data folder', async () => {
    const project = await call('projects.create', { name: 'Ward 9' });
    const created: string[] = [];
    const watcher = watch(dataDir, { recursive: true }, (_event, name) => {
      if (name) created.push(String(name));
    });
    const lines = Array.from({ length: 400 }, (_, i) => JSON.stringify({ text: `Note ${i}: seen today.` }));
    try {
      const outcome = await call('datasets.import', {
        projectId: project.id,
        source: { kind: 'content', fileName: 'upload.jsonl', content: `${lines.join('\n')}\n` },
      });
      expect(outcome.imported).toBe(400);
      await new Promise((resolve) => setTimeout(resolve, 300)); // let the watcher's events arrive
    } finally {
      watcher.close();
    }
    // Only the store's own files change: the encrypted database (and its WAL), no upload copy.
    expect(created.filter((name) => !/^confidant\.db(-wal|-shm|-journal)?$/.test(name))).toEqual([]);
    expect(readdirSync(dataDir)).not.toContain('.scratch');
  });

  it('reads no file by path unless the user picked it (or it is one of the engine’s report exports)', async () => {
    const outside = join(directory, 'secret.jsonl');
    writeFileSync(outside, '{"text": "someone else\'s notes"}\n');
    const [project] = await call('projects.list', {});
    const imported = await handler('datasets.import', {
      projectId: project!.id,
      source: { kind: 'path', path: outside },
    });
    expect(imported).toMatchObject({ ok: false, error: { code: 'api.path-not-picked' } });
    const verified = await handler('report.verify', { kind: 'path', path: outside });
    expect(verified).toMatchObject({ ok: false, error: { code: 'api.path-not-picked' } });
  });
});
