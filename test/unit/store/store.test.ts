import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { sign, verify } from 'node:crypto';
import { join, resolve } from 'node:path';
import { importDataset } from '../../../src-main/data/index';
import { Store, DATABASE_FILE, HEADER_FILE, LATEST_SCHEMA_VERSION } from '../../../src-main/store/index';
import { openEncryptedDatabase } from '../../../src-main/store/encryptedDatabase';
import { migrate, type Migration } from '../../../src-main/store/migrations/index';
import { readHeader } from '../../../src-main/store/storeHeader';
import { unlockKdf } from '../../../src-main/store/storeKeys';
import { isConfidantError } from '../../../src-main/shared/confidantError';
import { openTestStore, temporaryDirectory, TEST_KDF_COST } from './testStore';

const SECRET = 'Mrs. Evangeline Quartermaine, MRN 88124471, seen for chest pain';

function filesOf(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesOf(path));
    else out.push(path);
  }
  return out;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return isConfidantError(error) ? error.code : `not a ConfidantError: ${String(error)}`;
  }
  return 'no error';
}

describe('Store', () => {
  let dir: { path: string; remove: () => void };
  beforeEach(() => (dir = temporaryDirectory()));
  afterEach(() => dir.remove());

  it('keeps records, WAL and blobs encrypted at rest', () => {
    const store = openTestStore(dir.path);
    const project = store.projects.create('cardiology');
    const dataset = store.datasets.begin({ projectId: project.id, name: 'notes', kind: 'text' });
    store.records.insertBatch(
      dataset.id,
      Array.from({ length: 200 }, (_, i) => ({ sourceLine: i + 1, text: `${SECRET} #${i}` })),
    );
    store.datasets.complete(dataset.id);
    store.blobs.put('checkpoint', Buffer.from(SECRET.repeat(50)));
    // Inspect the files while the database is still open, so the WAL file exists.
    const files = filesOf(dir.path);
    expect(files.some((f) => f.endsWith('-wal'))).toBe(true);
    expect(files.some((f) => f.endsWith('.blob'))).toBe(true);
    for (const file of files) {
      const bytes = readFileSync(file);
      expect(bytes.includes(Buffer.from('Quartermaine')), file).toBe(false);
      expect(bytes.includes(Buffer.from('88124471')), file).toBe(false);
      expect(bytes.includes(Buffer.from('SQLite format 3')), file).toBe(false);
    }
    store.close();
    for (const file of filesOf(dir.path))
      expect(readFileSync(file).includes(Buffer.from('Quartermaine'))).toBe(false);
  });

  it('reopens with the passphrase and reads back what was written', () => {
    const store = openTestStore(dir.path, 'pass one');
    const project = store.projects.create('p');
    const blob = store.blobs.put('adapter', Buffer.from([1, 2, 3, 4]));
    store.close();
    const again = Store.open({ directory: dir.path, passphrase: 'pass one' });
    expect(again.projects.getByName('p')?.id).toBe(project.id);
    expect([...again.blobs.read(blob.id)]).toEqual([1, 2, 3, 4]);
    expect(again.integrityCheck()).toEqual(['ok']);
    again.close();
  });

  it('keeps one Ed25519 report-signing key inside the store, across reopening and re-keying', () => {
    const store = openTestStore(dir.path, 'sign');
    const first = store.signingKeyPair();
    const signature = sign(null, Buffer.from('report'), first.privateKey);
    store.changePassphrase('sign2', TEST_KDF_COST);
    store.close();
    const again = Store.open({ directory: dir.path, passphrase: 'sign2' });
    const second = again.signingKeyPair();
    expect(verify(null, Buffer.from('report'), second.publicKey, signature)).toBe(true);
    expect(second.publicKey.export({ format: 'der', type: 'spki' })).toEqual(
      first.publicKey.export({ format: 'der', type: 'spki' }),
    );
    again.close();
  });

  it('keeps text imported from a file out of every file on disk', async () => {
    const store = openTestStore(dir.path);
    const result = await importDataset(store, resolve(import.meta.dirname, '../../fixtures/data/notes.csv'), {
      project: 'p',
    });
    expect(result.dataset?.recordCount).toBe(3);
    for (const file of filesOf(dir.path)) {
      const bytes = readFileSync(file);
      for (const needle of ['afebrile', 'cardiology', 'Discharge summary'])
        expect(bytes.includes(Buffer.from(needle)), file).toBe(false);
    }
    store.close();
  });

  it('rejects a wrong passphrase with DB_WRONG_PASSPHRASE and changes no file', () => {
    openTestStore(dir.path, 'right').close();
    const before = filesOf(dir.path).map((f) => [f, readFileSync(f).toString('base64'), statSync(f).mtimeMs]);
    expect(codeOf(() => Store.open({ directory: dir.path, passphrase: 'wrong' }))).toBe(
      'DB_WRONG_PASSPHRASE',
    );
    const after = filesOf(dir.path).map((f) => [f, readFileSync(f).toString('base64'), statSync(f).mtimeMs]);
    expect(after).toEqual(before);
  });

  it('says clearly when there is no store, or when its header is missing', () => {
    expect(codeOf(() => Store.open({ directory: dir.path, passphrase: 'x' }))).toBe('STORE_NOT_FOUND');
    openTestStore(dir.path, 'x').close();
    expect(statSync(join(dir.path, DATABASE_FILE)).mode & 0o777).toBe(0o600);
    rmSync(join(dir.path, HEADER_FILE));
    expect(codeOf(() => Store.open({ directory: dir.path, passphrase: 'x', create: true }))).toBe(
      'STORE_HEADER_MISSING',
    );
  });

  it('re-keys: the new passphrase opens it, the old one and the old raw key do not; blobs survive', () => {
    const store = openTestStore(dir.path, 'old passphrase');
    const oldKey = unlockKdf('old passphrase', readHeader(dir.path)!.kdf)!;
    const blob = store.blobs.put('adapter', Buffer.from('weights'));
    store.projects.create('kept');
    store.changePassphrase('new passphrase', TEST_KDF_COST);
    store.close();
    expect(codeOf(() => Store.open({ directory: dir.path, passphrase: 'old passphrase' }))).toBe(
      'DB_WRONG_PASSPHRASE',
    );
    expect(openEncryptedDatabase(join(dir.path, DATABASE_FILE), oldKey)).toBeNull();
    const again = Store.open({ directory: dir.path, passphrase: 'new passphrase' });
    expect(again.projects.getByName('kept')).toBeDefined();
    expect(again.blobs.read(blob.id).toString()).toBe('weights');
    expect(again.auditLog.list().map((e) => e.action)).toEqual(['store.create', 'store.rekey']);
    expect(again.auditLog.verify().ok).toBe(true);
    again.close();
  });

  it('finishes a re-key interrupted after the database was re-keyed but before the header was final', () => {
    const store = openTestStore(dir.path, 'old');
    const header = readHeader(dir.path)!;
    store.changePassphrase('new', TEST_KDF_COST);
    const rekeyed = readHeader(dir.path)!;
    store.close();
    // Simulate the crash: header still has the old kdf, with the new one pending.
    writeFileSync(join(dir.path, HEADER_FILE), JSON.stringify({ ...header, pending: rekeyed.kdf }));
    expect(codeOf(() => Store.open({ directory: dir.path, passphrase: 'old' }))).toBe('DB_WRONG_PASSPHRASE');
    Store.open({ directory: dir.path, passphrase: 'new' }).close();
    expect(readHeader(dir.path)!.pending).toBeUndefined();
    expect(readHeader(dir.path)!.kdf).toEqual(rekeyed.kdf);
  });

  it('detects a blob file that was altered', () => {
    const store = openTestStore(dir.path);
    const blob = store.blobs.put('checkpoint', Buffer.alloc(1000, 7));
    const file = join(dir.path, 'blobs', blob.fileName);
    const bytes = readFileSync(file);
    bytes[100] = bytes[100]! ^ 1;
    writeFileSync(file, bytes);
    expect(codeOf(() => store.blobs.read(blob.id))).toBe('BLOB_DAMAGED');
    expect(blob.sha256).toMatch(/^[0-9a-f]{64}$/);
    store.close();
  });

  it('applies numbered migrations in order and refuses a database from the future', () => {
    const store = openTestStore(dir.path);
    store.close();
    const key = unlockKdf('correct horse battery staple', readHeader(dir.path)!.kdf)!;
    const db = openEncryptedDatabase(join(dir.path, DATABASE_FILE), key)!;
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    const tables = db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table'`).all() as Array<{
      sql: string;
    }>;
    for (const t of tables) expect(t.sql).toMatch(/STRICT$/);
    const extra: Migration[] = [
      { version: LATEST_SCHEMA_VERSION, name: 'existing', up: () => {} },
      {
        version: LATEST_SCHEMA_VERSION + 10,
        name: 'add-notes',
        up: (d) => d.exec('CREATE TABLE notes (v TEXT) STRICT'),
      },
      {
        version: LATEST_SCHEMA_VERSION + 20,
        name: 'broken',
        up: (d) => d.exec('CREATE TABLE notes (v TEXT) STRICT'),
      },
    ];
    expect(() => migrate(db, extra)).toThrow(/already exists/);
    // The first new migration committed; the failing one rolled back with its version bump.
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION + 10);
    db.close();
    expect(
      codeOf(() => Store.open({ directory: dir.path, passphrase: 'correct horse battery staple' })),
    ).toBe('DB_FROM_FUTURE');
  });

  it('keeps runs, checkpoints, adapters, metrics, the privacy ledger, budgets, audits and reports', () => {
    const store = openTestStore(dir.path);
    const project = store.projects.ensure('p');
    const dataset = store.datasets.begin({ projectId: project.id, name: 'd', kind: 'text' });
    store.datasets.complete(dataset.id);
    const run = store.runs.create({
      projectId: project.id,
      datasetId: dataset.id,
      name: 'r1',
      config: { lr: 1e-4 },
    });
    store.runs.recordMetrics(run.id, 1, { loss: 2.5, epsilon: 0.1 });
    store.runs.recordMetrics(run.id, 2, { loss: 2.1 });
    expect(store.runs.metrics(run.id, 'loss').map((m) => m.value)).toEqual([2.5, 2.1]);
    const blob = store.blobs.put('checkpoint', Buffer.from('ckpt'));
    const ckpt = store.checkpoints.create({ runId: run.id, step: 100, blobId: blob.id, state: { seen: 3 } });
    const segment = {
      firstStep: 1,
      steps: 100,
      sampleRate: 0.01,
      noiseMultiplier: 1.1,
      clipNorm: 1,
      unitCount: 1000,
      privacyUnit: 'record' as const,
    };
    store.privacy.appendLedger(run.id, segment, ckpt.id);
    store.privacy.appendLedger(run.id, { ...segment, firstStep: 101 });
    expect(store.privacy.ledger(run.id, ckpt.id)).toHaveLength(1);
    expect(store.privacy.ledger(run.id)).toHaveLength(2);
    expect(() => store.privacy.appendLedger(run.id, { ...segment, sampleRate: 1.5 })).toThrow(/CHECK/);
    store.privacy.setBudget(dataset.id, 8, 1e-5);
    expect(store.privacy.setBudget(dataset.id, 4, 1e-6)).toMatchObject({ epsilon: 4, delta: 1e-6 });
    const adapter = store.checkpoints.createAdapter({
      runId: run.id,
      checkpointId: ckpt.id,
      name: 'a',
      blobId: blob.id,
      config: { r: 8 },
    });
    expect(store.checkpoints.adapters(run.id)).toEqual([adapter]);
    expect(store.checkpoints.latest(run.id)?.step).toBe(100);
    store.audits.create({ runId: run.id, kind: 'membership-inference', result: { auc: 0.51 } });
    store.audits.createReport({ runId: run.id, title: 'Report', blobId: blob.id });
    expect(store.audits.list(run.id)).toHaveLength(1);
    expect(store.audits.reports(run.id)).toHaveLength(1);
    expect(store.runs.setStatus(run.id, 'completed').finishedAt).not.toBeNull();
    store.close();
  });
});
