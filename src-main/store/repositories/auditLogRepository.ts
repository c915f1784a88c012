/**
 * The append-only audit log of every action on patient data. Each entry's hash is an
 * HMAC-SHA256 (keyed by a subkey of the store master key) over the previous entry's hash
 * and the entry's canonical JSON, i.e. a hash chain as in Haber & Stornetta (1991) and
 * Schneier & Kelsey (1999, "Secure audit logs"). SQL triggers forbid UPDATE and DELETE; the
 * head (last seq and hash) is mirrored in the secrets table, so cutting entries off the end
 * is detected too. `verify` finds edits, deletions, insertions and reordering. Because the
 * head inside the database can be rewritten by anyone with the passphrase, the store also
 * keeps a checkpoint outside it (ledgerAnchor.ts); `verify` compares with it when given one.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SqliteDatabase } from '../encryptedDatabase.js';
import type { SecretsRepository } from './secretsRepository.js';

export type AuditAction =
  | 'store.create'
  | 'store.rekey'
  | 'store.rollback'
  | 'import'
  | 'scan'
  | 'redact'
  | 'pseudonymise'
  | 'train'
  | 'audit'
  | 'export'
  | 'unlearn'
  | 'report'
  | 'budget'
  | 'rename';

export type AuditDetails = Record<string, string | number | boolean | null>;

export interface AuditLogEntry {
  seq: number;
  at: string;
  action: string;
  subject: string;
  details: AuditDetails;
  prevHash: string;
  hash: string;
}

export interface AuditLogVerification {
  ok: boolean;
  entries: number;
  /** The first inconsistent entry's seq and what is wrong with it. */
  problem?: { seq: number; reason: string };
}

const GENESIS = '0'.repeat(64);
const HEAD_SECRET = 'audit-log-head';

function canonical(
  entry: Omit<AuditLogEntry, 'hash' | 'prevHash' | 'details'> & { detailsJson: string },
): string {
  return JSON.stringify([entry.seq, entry.at, entry.action, entry.subject, entry.detailsJson]);
}

function sortedJson(details: AuditDetails): string {
  return JSON.stringify(Object.fromEntries(Object.entries(details).sort(([a], [b]) => (a < b ? -1 : 1))));
}

function same(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export class AuditLogRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly secrets: SecretsRepository,
    private readonly key: Buffer,
    /** Called after an append that committed on its own (not inside a caller's transaction). */
    private readonly onCommitted: () => void = () => {},
    /** The checkpoint kept outside the database, if any: its last seq and hash. */
    private readonly checkpoint: () => { seq: number; hash: string } | null = () => null,
  ) {}

  /** The last entry's seq and hash (0 and zeros when the log is empty). */
  head(): { seq: number; hash: string } {
    const last = this.db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as
      { seq: number; hash: string } | undefined;
    return last ?? { seq: 0, hash: GENESIS };
  }

  /** The hash of entry `seq`, if there is one. */
  hashAt(seq: number): string | undefined {
    const row = this.db.prepare('SELECT hash FROM audit_log WHERE seq = ?').get(seq) as
      { hash: string } | undefined;
    return row?.hash;
  }

  private chainHash(prevHash: string, payload: string): string {
    return createHmac('sha256', this.key).update(prevHash).update('\n').update(payload).digest('hex');
  }

  /** Appends an entry (inside the caller's transaction if there is one). */
  append(action: AuditAction, subject: string, details: AuditDetails = {}): AuditLogEntry {
    const write = () => {
      const last = this.db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as
        { seq: number; hash: string } | undefined;
      const seq = (last?.seq ?? 0) + 1;
      const prevHash = last?.hash ?? GENESIS;
      const at = new Date().toISOString();
      const detailsJson = sortedJson(details);
      const hash = this.chainHash(prevHash, canonical({ seq, at, action, subject, detailsJson }));
      this.db
        .prepare(
          'INSERT INTO audit_log (seq, at, action, subject, details_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(seq, at, action, subject, detailsJson, prevHash, hash);
      this.secrets.set(HEAD_SECRET, Buffer.from(JSON.stringify({ seq, hash })));
      return { seq, at, action, subject, details, prevHash, hash };
    };
    if (this.db.inTransaction) return write();
    const entry = this.db.transaction(write).immediate();
    this.onCommitted();
    return entry;
  }

  list(options: { limit?: number } = {}): AuditLogEntry[] {
    const rows = this.db
      .prepare(
        `SELECT seq, at, action, subject, details_json AS detailsJson, prev_hash AS prevHash, hash
         FROM audit_log ORDER BY seq DESC LIMIT ?`,
      )
      .all(options.limit ?? -1) as Array<Omit<AuditLogEntry, 'details'> & { detailsJson: string }>;
    return rows
      .reverse()
      .map(({ detailsJson, ...row }) => ({ ...row, details: JSON.parse(detailsJson) as AuditDetails }));
  }

  verify(): AuditLogVerification {
    const statement = this.db.prepare(
      `SELECT seq, at, action, subject, details_json AS detailsJson, prev_hash AS prevHash, hash
       FROM audit_log ORDER BY rowid`,
    );
    let expectedSeq = 1;
    let prevHash = GENESIS;
    let entries = 0;
    for (const raw of statement.iterate()) {
      const row = raw as Omit<AuditLogEntry, 'details'> & { detailsJson: string };
      entries += 1;
      if (row.seq !== expectedSeq) {
        return {
          ok: false,
          entries,
          problem: {
            seq: row.seq,
            reason: `expected entry ${expectedSeq} here (entries deleted, inserted or reordered)`,
          },
        };
      }
      if (!same(row.prevHash, prevHash)) {
        return {
          ok: false,
          entries,
          problem: { seq: row.seq, reason: 'does not link to the previous entry' },
        };
      }
      if (!same(row.hash, this.chainHash(prevHash, canonical(row)))) {
        return { ok: false, entries, problem: { seq: row.seq, reason: 'its content was changed' } };
      }
      prevHash = row.hash;
      expectedSeq += 1;
    }
    const headRaw = this.secrets.get(HEAD_SECRET);
    const head = headRaw
      ? (JSON.parse(headRaw.toString()) as { seq: number; hash: string })
      : { seq: 0, hash: GENESIS };
    if (head.seq !== entries || !same(head.hash, prevHash)) {
      return {
        ok: false,
        entries,
        problem: { seq: head.seq, reason: 'entries at the end of the log were removed' },
      };
    }
    const outside = this.checkpoint();
    if (
      outside &&
      (outside.seq > entries || (outside.seq > 0 && this.hashAt(outside.seq) !== outside.hash))
    ) {
      return {
        ok: false,
        entries,
        problem: {
          seq: outside.seq,
          reason:
            'the log does not reach the checkpoint kept outside the database: entries at the end were removed or the database was restored from an older copy',
        },
      };
    }
    return { ok: true, entries };
  }
}
