// Hash-chained audit log (Schneier & Kelsey 1999): every edit, deletion, insertion or reordering
// of entries must be found by verify(), and SQL triggers must refuse UPDATE and DELETE.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { DATABASE_FILE, type Store } from '../../../src-main/store/index';
import { openEncryptedDatabase, type SqliteDatabase } from '../../../src-main/store/encryptedDatabase';
import { readHeader } from '../../../src-main/store/storeHeader';
import { unlockKdf } from '../../../src-main/store/storeKeys';
import { openTestStore, temporaryDirectory } from './testStore';

const PASS = 'audit log passphrase';

describe('audit log', () => {
  let dir: { path: string; remove: () => void };
  let store: Store;
  beforeEach(() => {
    dir = temporaryDirectory();
    store = openTestStore(dir.path, PASS);
    for (const action of ['import', 'scan', 'redact', 'train', 'audit', 'export', 'unlearn'] as const) {
      store.auditLog.append(action, `dataset:${action}`, { records: 10, note: action });
    }
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  function raw(fn: (db: SqliteDatabase) => void): void {
    const key = unlockKdf(PASS, readHeader(dir.path)!.kdf)!;
    const db = openEncryptedDatabase(join(dir.path, DATABASE_FILE), key)!;
    db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
    fn(db);
    db.close();
  }

  it('verifies an untouched log of 8 entries', () => {
    expect(store.auditLog.verify()).toEqual({ ok: true, entries: 8 });
    expect(store.auditLog.list().map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('refuses UPDATE and DELETE through SQL triggers', () => {
    const key = unlockKdf(PASS, readHeader(dir.path)!.kdf)!;
    const db = openEncryptedDatabase(join(dir.path, DATABASE_FILE), key)!;
    expect(() => db.prepare(`UPDATE audit_log SET subject = 'x' WHERE seq = 2`).run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 2').run()).toThrow(/append-only/);
    db.close();
  });

  it('detects an edited entry', () => {
    raw((db) => db.prepare(`UPDATE audit_log SET details_json = '{"records":11}' WHERE seq = 3`).run());
    expect(store.auditLog.verify()).toMatchObject({ ok: false, problem: { seq: 3, reason: /changed/ } });
  });

  it('detects a deleted entry in the middle', () => {
    raw((db) => db.prepare('DELETE FROM audit_log WHERE seq = 4').run());
    expect(store.auditLog.verify()).toMatchObject({ ok: false, problem: { seq: 5 } });
  });

  it('detects entries cut off the end', () => {
    raw((db) => db.prepare('DELETE FROM audit_log WHERE seq >= 7').run());
    expect(store.auditLog.verify()).toMatchObject({ ok: false, problem: { reason: /end of the log/ } });
  });

  it('detects reordering even when the seq numbers are swapped back into order', () => {
    raw((db) => {
      // Swap the contents of entries 5 and 6 (keeping their seq numbers).
      const rows = db.prepare('SELECT * FROM audit_log WHERE seq IN (5, 6) ORDER BY seq').all() as Array<
        Record<string, unknown>
      >;
      const update = db.prepare(
        'UPDATE audit_log SET at = ?, action = ?, subject = ?, details_json = ?, prev_hash = ?, hash = ? WHERE seq = ?',
      );
      const [a, b] = rows as [Record<string, unknown>, Record<string, unknown>];
      update.run(b.at, b.action, b.subject, b.details_json, b.prev_hash, b.hash, 5);
      update.run(a.at, a.action, a.subject, a.details_json, a.prev_hash, a.hash, 6);
    });
    expect(store.auditLog.verify()).toMatchObject({ ok: false, problem: { seq: 5 } });
  });

  it('detects a forged entry whose hash was recomputed without the store key', () => {
    raw((db) => {
      const row = db.prepare('SELECT * FROM audit_log WHERE seq = 8').get() as { prev_hash: string };
      const fake = createHash('sha256').update(row.prev_hash).digest('hex');
      db.prepare(`UPDATE audit_log SET action = 'export', hash = ? WHERE seq = 8`).run(fake);
    });
    expect(store.auditLog.verify()).toMatchObject({ ok: false, problem: { seq: 8 } });
  });
});
