/**
 * The encrypted store: one SQLCipher database, its plaintext header (store.json) and a folder
 * of encrypted blobs, opened with the user's passphrase. A wrong passphrase is detected from
 * the header's key check value before the database file is opened, and changes nothing.
 * Everything else reaches the data through the typed repositories exposed here.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfidantError } from '../shared/confidantError.js';
import {
  assertOpened,
  integrityCheck,
  openEncryptedDatabase,
  rekeyDatabase,
  type SqliteDatabase,
} from './encryptedDatabase.js';
import { migrate } from './migrations/index.js';
import { AuditLogRepository } from './repositories/auditLogRepository.js';
import { AuditsRepository } from './repositories/auditsRepository.js';
import { BlobsRepository } from './repositories/blobsRepository.js';
import { CheckpointsRepository } from './repositories/checkpointsRepository.js';
import { DatasetsRepository } from './repositories/datasetsRepository.js';
import { PrivacyRepository } from './repositories/privacyRepository.js';
import { ProjectsRepository } from './repositories/projectsRepository.js';
import { RecordsRepository } from './repositories/recordsRepository.js';
import { RunsRepository } from './repositories/runsRepository.js';
import { SecretsRepository } from './repositories/secretsRepository.js';
import { fileAnchorVault, LedgerAnchor, type AnchorState, type AnchorVault } from './ledgerAnchor.js';
import { addTrustedReportKey, readTrustedReportKeys } from './reportKeyTrust.js';
import { BLOB_FOLDER, DATABASE_FILE, readHeader, writeHeader, type StoreHeader } from './storeHeader.js';
import { DEFAULT_KDF_COST, newKdf, subkey, unlockKdf, type KdfCost } from './storeKeys.js';

export interface OpenStoreOptions {
  directory: string;
  passphrase: string;
  /** Create a new store when the directory has none (default false). */
  create?: boolean;
  /** scrypt cost for a new store or a new passphrase (tests use a cheaper one). */
  kdfCost?: KdfCost;
  /** Where the audit-log / privacy-ledger checkpoint is kept (default: a per-user folder). */
  anchorVault?: AnchorVault;
  /**
   * Open a store whose database is behind its checkpoint (restored from an older copy, or
   * entries cut off the log): the fact is written to the audit log and the checkpoint reset.
   */
  acceptRollback?: boolean;
}

const MASTER_KEY = 'master-key';
const SIGNING_KEY = 'report-signing-key';

function wrongPassphrase(directory: string, detail = ''): ConfidantError {
  return new ConfidantError('DB_WRONG_PASSPHRASE', `Wrong passphrase for the store.${detail}`, {
    where: { file: directory },
    hint: 'Type the passphrase again (it is case-sensitive). Nothing in the store was changed.',
  });
}

export class Store {
  readonly projects: ProjectsRepository;
  readonly datasets: DatasetsRepository;
  readonly records: RecordsRepository;
  readonly secrets: SecretsRepository;
  readonly blobs: BlobsRepository;
  readonly runs: RunsRepository;
  readonly checkpoints: CheckpointsRepository;
  readonly privacy: PrivacyRepository;
  readonly audits: AuditsRepository;
  readonly auditLog: AuditLogRepository;
  /** Ids of imports found interrupted (process killed) when the store was opened. */
  readonly recoveredImports: number[];
  private readonly masterKey: Buffer;
  private readonly anchor: LedgerAnchor;

  private constructor(
    readonly directory: string,
    private readonly db: SqliteDatabase,
    private header: StoreHeader,
    anchorVault: AnchorVault,
  ) {
    this.secrets = new SecretsRepository(db);
    this.masterKey = this.secrets.ensure(MASTER_KEY);
    const storeId = this.secrets.ensure('store-id', () => randomBytes(16)).toString('hex');
    this.anchor = new LedgerAnchor(anchorVault, storeId, directory, this.deriveKey('ledger-anchor'));
    this.projects = new ProjectsRepository(db);
    this.datasets = new DatasetsRepository(db);
    this.records = new RecordsRepository(db);
    this.blobs = new BlobsRepository(db, join(directory, BLOB_FOLDER), this.deriveKey('blob'));
    this.runs = new RunsRepository(db);
    this.checkpoints = new CheckpointsRepository(db);
    this.privacy = new PrivacyRepository(db);
    this.audits = new AuditsRepository(db);
    this.auditLog = new AuditLogRepository(
      db,
      this.secrets,
      this.deriveKey('audit-log'),
      () => this.advanceAnchor(),
      () => {
        const stored = this.anchor.read();
        return stored.kind === 'ok' ? stored.anchor : null;
      },
    );
    this.recoveredImports = this.datasets.recoverInterrupted();
    const signingKey = this.secrets.get(SIGNING_KEY);
    if (signingKey) this.trustOwnKey(signingKey);
  }

  /** Keeps the store's own public key fingerprint in its trust list (report verify reads it). */
  private trustOwnKey(pkcs8: Buffer): void {
    const publicKey = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }));
    const fingerprint = createHash('sha256')
      .update(publicKey.export({ format: 'der', type: 'spki' }))
      .digest('hex');
    const listed = readTrustedReportKeys(this.directory).some((k) => k.fingerprint === fingerprint && k.own);
    if (!listed) addTrustedReportKey(this.directory, fingerprint, 'this store', true);
  }

  static exists(directory: string): boolean {
    return readHeader(directory) !== null;
  }

  static open(options: OpenStoreOptions): Store {
    const { directory, passphrase } = options;
    const header = readHeader(directory);
    const dbFile = join(directory, DATABASE_FILE);
    if (!header) {
      if (existsSync(dbFile)) {
        throw new ConfidantError(
          'STORE_HEADER_MISSING',
          'The store database exists but its store.json is missing.',
          {
            where: { file: directory },
            hint: 'Restore store.json from a backup; the key cannot be derived without it.',
          },
        );
      }
      if (!options.create) {
        throw new ConfidantError('STORE_NOT_FOUND', 'There is no Confidant store here.', {
          where: { file: directory },
          hint: 'Check --store or CONFIDANT_HOME, or create a store by importing data.',
        });
      }
      return Store.create(
        directory,
        passphrase,
        options.kdfCost ?? DEFAULT_KDF_COST,
        options.anchorVault ?? fileAnchorVault(),
      );
    }
    let key = unlockKdf(passphrase, header.kdf);
    let matched: 'current' | 'pending' = 'current';
    if (!key && header.pending) {
      key = unlockKdf(passphrase, header.pending);
      matched = 'pending';
    }
    if (!key) throw wrongPassphrase(directory);
    const db = openEncryptedDatabase(dbFile, key);
    if (!db) {
      if (header.pending) throw wrongPassphrase(directory, ' It was changed recently; use the new one.');
      assertOpened(db, dbFile);
      throw new Error('unreachable');
    }
    // Finish or roll back a passphrase change that a crash interrupted.
    let settled = header;
    if (header.pending) {
      settled = { ...header, kdf: matched === 'pending' ? header.pending : header.kdf, pending: undefined };
      delete settled.pending;
      writeHeader(directory, settled);
    }
    try {
      migrate(db, undefined, dbFile);
    } catch (error) {
      db.close();
      throw error;
    }
    const store = new Store(directory, db, settled, options.anchorVault ?? fileAnchorVault());
    try {
      store.checkAnchor(options.acceptRollback === true);
    } catch (error) {
      db.close();
      throw error;
    }
    return store;
  }

  /** The audit log's head and the privacy ledger's size, as the checkpoint records them. */
  private anchorState(): AnchorState {
    const { seq, hash } = this.auditLog.head();
    const ledger = this.db
      .prepare('SELECT COUNT(*) AS rows, COALESCE(MAX(id), 0) AS maxId FROM privacy_ledger')
      .get() as { rows: number; maxId: number };
    return { seq, hash, ledgerRows: ledger.rows, ledgerMaxId: ledger.maxId, at: new Date().toISOString() };
  }

  private advanceAnchor(): void {
    this.anchor.advance(this.anchorState());
  }

  /** At unlock: refuse a database that is behind its checkpoint (rolled back), unless accepted. */
  private checkAnchor(acceptRollback: boolean): void {
    const current = this.anchorState();
    const result = this.anchor.check(current, (seq) => this.auditLog.hashAt(seq));
    if (result.kind === 'none' || result.kind === 'ok') {
      this.anchor.advance(current);
      return;
    }
    const detail = result.detail;
    if (!acceptRollback) {
      throw new ConfidantError(
        result.kind === 'invalid' ? 'STORE_CHECKPOINT_INVALID' : 'STORE_ROLLED_BACK',
        result.kind === 'invalid'
          ? `The store's audit checkpoint cannot be trusted: ${detail}.`
          : `The store's database is older than its audit checkpoint: ${detail}. It was restored from an older copy, or entries were removed; privacy budget already spent may no longer be counted.`,
        {
          where: { file: this.directory },
          hint: 'Restore the newest copy of the store. If this older copy is what you mean to use, run `confidant store accept-rollback` (it is written to the audit log).',
        },
      );
    }
    this.auditLog.append('store.rollback', this.directory, {
      detail,
      checkpointSeq: result.kind === 'rolled-back' ? result.anchor.seq : null,
    });
    this.anchor.advance(this.anchorState(), true);
  }

  private static create(
    directory: string,
    passphrase: string,
    cost: KdfCost,
    anchorVault: AnchorVault,
  ): Store {
    if (passphrase.length === 0) {
      throw new ConfidantError('STORE_EMPTY_PASSPHRASE', 'A store passphrase cannot be empty.', {
        hint: 'Choose a long passphrase you can remember; it cannot be recovered.',
      });
    }
    mkdirSync(join(directory, BLOB_FOLDER), { recursive: true, mode: 0o700 });
    const { params, key } = newKdf(passphrase, cost);
    const header: StoreHeader = {
      format: 'confidant-store',
      version: 1,
      createdAt: new Date().toISOString(),
      cipher: 'sqlcipher',
      kdf: params,
    };
    const dbFile = join(directory, DATABASE_FILE);
    writeHeader(directory, header);
    const db = assertOpened(openEncryptedDatabase(dbFile, key), dbFile);
    chmodSync(dbFile, 0o600); // SQLite gives the -wal and -shm files the same mode
    migrate(db, undefined, dbFile);
    const store = new Store(directory, db, header, anchorVault);
    store.auditLog.append('store.create', directory, { kdf: 'scrypt', N: cost.N, r: cost.r, p: cost.p });
    return store;
  }

  /** A named 32-byte key derived from the store's master key (e.g. 'pseudonym'). */
  deriveKey(purpose: string): Buffer {
    return subkey(this.masterKey, purpose);
  }

  /**
   * The store's Ed25519 key pair for signing reports, created on first use and kept only
   * inside the encrypted database (PKCS#8 / SPKI DER). Its public fingerprint is kept in the
   * store's trust list, so `report verify` accepts this store's own reports.
   */
  signingKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
    const created = this.secrets.get(SIGNING_KEY) === undefined;
    const der = this.secrets.ensure(SIGNING_KEY, () =>
      generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }),
    );
    if (created) this.trustOwnKey(der);
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    return { privateKey, publicKey: createPublicKey(privateKey) };
  }

  /** Runs `fn` in one write transaction. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * Re-keys the database for a new passphrase (PRAGMA rekey). Blob keys derive from the
   * master key inside the database, so blobs stay valid without being rewritten.
   */
  changePassphrase(newPassphrase: string, cost: KdfCost = DEFAULT_KDF_COST): void {
    if (newPassphrase.length === 0) {
      throw new ConfidantError('STORE_EMPTY_PASSPHRASE', 'A store passphrase cannot be empty.');
    }
    const { params, key } = newKdf(newPassphrase, cost);
    writeHeader(this.directory, { ...this.header, pending: params });
    rekeyDatabase(this.db, key);
    this.header = { ...this.header, kdf: params };
    delete this.header.pending;
    writeHeader(this.directory, this.header);
    this.auditLog.append('store.rekey', this.directory, { kdf: 'scrypt', N: cost.N });
  }

  integrityCheck(): string[] {
    return integrityCheck(this.db);
  }

  close(): void {
    if (this.db.open) {
      try {
        this.advanceAnchor();
      } catch {
        // closing must not fail because the checkpoint folder is not writable
      }
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.close();
    }
  }
}
