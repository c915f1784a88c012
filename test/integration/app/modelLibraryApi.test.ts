// The model library over the API: the bundled model is listed first and is the default;
// importing a local Hugging Face folder validates it and names the file (and field) that is
// wrong; the library lives in the encrypted store (survives a lock and unlock); remove works.
import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../src-main/app/apiHandler';
import { bundledModelDir } from '../../../src-main/model/bundledModel';
import type { ApiCallName, ApiRequest, ApiResponse } from '../../../src-main/shared/api';

let directory: string;
let handler: ReturnType<typeof createApiHandler>;

async function call<K extends ApiCallName>(name: K, request: ApiRequest<K>): Promise<ApiResponse<K>> {
  const result = await handler(name, request);
  if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
  return result.value as ApiResponse<K>;
}

function copyOfBundled(name: string): string {
  const dir = join(directory, name);
  cpSync(bundledModelDir(), dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'confidant-library-'));
  handler = createApiHandler({
    version: '0.0.0-test',
    dataDirectory: { path: join(directory, 'store'), source: 'flag' },
    kdfCost: { N: 2 ** 12, r: 8, p: 1 },
  });
  await call('store.unlock', { passphrase: 'a long test passphrase', create: true });
});

afterAll(async () => {
  await handler?.dispose();
  rmSync(directory, { recursive: true, force: true });
});

describe('model library', () => {
  it('lists the bundled model as the default', async () => {
    const models = await call('models.list', {});
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({
      source: 'bundled',
      isDefault: true,
      architecture: 'gpt2',
      dtype: 'F32',
    });
    expect(models[0]!.parameters).toBeGreaterThan(0);
    expect(models[0]!.weightBytes).toBeGreaterThanOrEqual(models[0]!.parameters * 4);
  });

  it('imports a valid folder, keeps it across lock/unlock, and removes it', async () => {
    const dir = copyOfBundled('good');
    const models = await call('models.add', { path: dir });
    expect(models.map((m) => m.source)).toEqual(['bundled', { path: dir }]);
    expect(models[1]).toMatchObject({ isDefault: false, architecture: 'gpt2' });
    await call('models.add', { path: dir }); // twice is once
    await call('store.lock', {});
    await call('store.unlock', { passphrase: 'a long test passphrase' });
    expect((await call('models.list', {})).map((m) => m.source)).toEqual(['bundled', { path: dir }]);
    expect((await call('models.remove', { path: dir })).map((m) => m.source)).toEqual(['bundled']);
  });

  it('names the file and field that is wrong, and imports nothing', async () => {
    const noTokenizer = copyOfBundled('no-tokenizer');
    unlinkSync(join(noTokenizer, 'tokenizer.json'));
    const a = await handler('models.add', { path: noTokenizer });
    expect(a).toMatchObject({ ok: false, error: { code: 'TOKENIZER_MISSING' } });
    expect(!a.ok && a.error.message).toContain(noTokenizer);

    const badConfig = copyOfBundled('bad-config');
    const config = JSON.parse(readFileSync(join(badConfig, 'config.json'), 'utf8'));
    writeFileSync(join(badConfig, 'config.json'), JSON.stringify({ ...config, n_embd: 'wide' }));
    const b = await handler('models.add', { path: badConfig });
    expect(b.ok).toBe(false);
    expect(!b.ok && b.error.message).toContain('config.json');
    expect(!b.ok && b.error.message).toContain('n_embd');

    const noWeights = copyOfBundled('no-weights');
    unlinkSync(join(noWeights, 'model.safetensors'));
    const c = await handler('models.add', { path: noWeights });
    expect(c).toMatchObject({ ok: false, error: { code: 'MODEL_NO_WEIGHTS' } });

    expect(await call('models.list', {})).toHaveLength(1);
  });
});
