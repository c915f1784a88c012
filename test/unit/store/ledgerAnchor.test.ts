// The checkpoint kept outside the database (issue #19): someone with the passphrase who cuts
// entries off the audit log and rewrites its head, or who restores an older copy of the
// database (rolling back privacy budget already spent), is caught at unlock and by verify.
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEncryptedDatabase } from '../../../src-main/store/encryptedDatabase';
import { DATABASE_FILE, Store } from '../../../src-main/store/index';
import { fileAnchorVault, type AnchorVault } from '../../../src-main/store/ledgerAnchor';
import { readHeader } from '../../../src-main/store/storeHeader';
import { unlockKdf } from '../../../src-main/store/storeKeys';
import { ConfidantError } from '../../../src-main/shared/confidantError';
import { TEST_KDF_COST, temporaryDirectory } from './testStore';

const PASS = 'anchor test passphrase';
const segment = {
  firstStep: 1,
  steps: 100,
  sampleRate: 0.01,
  noiseMultiplier: 1.1,
  clipNorm: 1,
  unitCount: 1000,
  privacyUnit: 'record' as const,
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof ConfidantError ? error.code : String(error);
  }
  return undefined;
}

describe('audit-log and privacy-ledger checkpoint outside the database', () => {
  let dir: { path: string; remove: () => void };
  let anchors: { path: string; remove: () => void };
  let vault: AnchorVault;
  const open = (extra: { acceptRollback?: boolean } = {}) =>
    Store.open({
      directory: dir.path,
      passphrase: PASS,
      create: true,
      kdfCost: TEST_KDF_COST,
      anchorVault: vault,
      ...extra,
    });

  beforeEach(() => {
    dir = temporaryDirectory();
    anchors = temporaryDirectory('confidant-anchors-');
    vault = fileAnchorVault(anchors.path);
    const store = open();
    const project = store.projects.ensure('p');
    const dataset = store.datasets.begin({ projectId: project.id, name: 'd', kind: 'text' });
    store.datasets.complete(dataset.id);
    const run = store.runs.create({ projectId: project.id, datasetId: dataset.id, name: 'r1', config: {} });
    store.privacy.appendLedger(run.id, segment);
    for (const action of ['import', 'scan', 'train'] as const) store.auditLog.append(action, 'dataset:1');
    store.close();
  });
  afterEach(() => {
    dir.remove();
    anchors.remove();
  });

  it('keeps the checkpoint outside the store folder, as a 0600 file', () => {
    const files = readdirSync(anchors.path);
    expect(files).toHaveLength(1);
    expect(readdirSync(dir.path).some((f) => f.includes('anchor'))).toBe(false);
    const text = readFileSync(join(anchors.path, files[0]!), 'utf8');
    expect(JSON.parse(text)).toMatchObject({ state: { seq: 4, ledgerRows: 1 } });
  });

  it('catches entries cut off the log with the head inside the database rewritten', () => {
    // What someone with the passphrase can do: drop the triggers, delete the last two
    // entries, and point the head (kept in the secrets table) at the new last entry.
    const key = unlockKdf(PASS, readHeader(dir.path)!.kdf)!;
    const db = openEncryptedDatabase(join(dir.path, DATABASE_FILE), key)!;
    db.exec('DROP TRIGGER audit_log_no_delete;');
    db.prepare('DELETE FROM audit_log WHERE seq >= 3').run();
    const last = db.prepare('SELECT seq, hash FROM audit_log WHERE seq = 2').get() as {
      seq: number;
      hash: string;
    };
    db.prepare(`UPDATE secrets SET value = ? WHERE name = 'audit-log-head'`).run(
      Buffer.from(JSON.stringify({ seq: last.seq, hash: last.hash })),
    );
    db.close();

    expect(codeOf(() => open())).toBe('STORE_ROLLED_BACK');
    // Accepting the rollback opens it, says so in the log, and verify then agrees again.
    const accepted = open({ acceptRollback: true });
    const entries = accepted.auditLog.list();
    expect(entries.at(-1)).toMatchObject({ action: 'store.rollback' });
    expect(String(entries.at(-1)!.details.detail)).toContain('the audit log ends at entry 2');
    expect(accepted.auditLog.verify()).toMatchObject({ ok: true });
    accepted.close();
    open().close();
  });

  it('verify-log reports a log cut while the store is open', () => {
    const store = open();
    const key = unlockKdf(PASS, readHeader(dir.path)!.kdf)!;
    const db = openEncryptedDatabase(join(dir.path, DATABASE_FILE), key)!;
    db.exec('DROP TRIGGER audit_log_no_delete;');
    db.prepare('DELETE FROM audit_log WHERE seq >= 4').run();
    const last = db.prepare('SELECT seq, hash FROM audit_log WHERE seq = 3').get() as {
      seq: number;
      hash: string;
    };
    db.prepare(`UPDATE secrets SET value = ? WHERE name = 'audit-log-head'`).run(
      Buffer.from(JSON.stringify({ seq: last.seq, hash: last.hash })),
    );
    db.close();
    expect(store.auditLog.verify()).toMatchObject({ ok: false, problem: { seq: 4, reason: /checkpoint/ } });
    store.close();
  });

  it('catches an older copy of the database restored in place (privacy ledger rolled back)', () => {
    const backupDir = temporaryDirectory('confidant-backup-');
    const backup = join(backupDir.path, DATABASE_FILE);
    copyFileSync(join(dir.path, DATABASE_FILE), backup);
    const store = open();
    const run = store.runs.list()[0]!;
    store.privacy.appendLedger(run.id, { ...segment, firstStep: 101 });
    store.close(); // no audit entry: the close moves the checkpoint forward on its own
    copyFileSync(backup, join(dir.path, DATABASE_FILE));
    backupDir.remove();

    const error = (() => {
      try {
        open();
      } catch (e) {
        return e as ConfidantError;
      }
      throw new Error('expected the rollback to be refused');
    })();
    expect(error.code).toBe('STORE_ROLLED_BACK');
    expect(error.message).toContain('the privacy ledger has 1 segment(s), but 2 were recorded');
  });

  it('refuses a checkpoint edited by hand (its authentication code no longer matches)', () => {
    const file = join(anchors.path, readdirSync(anchors.path)[0]!);
    const anchor = JSON.parse(readFileSync(file, 'utf8')) as { state: { seq: number } };
    anchor.state.seq = 1;
    writeFileSync(file, JSON.stringify(anchor));
    expect(codeOf(() => open())).toBe('STORE_CHECKPOINT_INVALID');
  });

  it('gives a copy of the store in another folder its own checkpoint', () => {
    const copy = temporaryDirectory();
    for (const f of readdirSync(dir.path)) {
      if (f.endsWith('.db') || f.endsWith('.json')) copyFileSync(join(dir.path, f), join(copy.path, f));
    }
    const other = Store.open({ directory: copy.path, passphrase: PASS, anchorVault: vault });
    other.auditLog.append('export', 'x');
    other.close();
    open().close(); // the original is not "behind" its copy
    expect(readdirSync(anchors.path)).toHaveLength(2);
    copy.remove();
  });
});
