/**
 * What the API handler holds between calls: the data directory, the open store (or none
 * while locked) with its passphrase (kept in memory so job workers can open their own
 * connection), the job runner, and the app settings. Never imports Electron: the
 * passphrase vault (safeStorage) is handed in by the Electron main process.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { JobRunner } from './jobs/jobRunner.js';
import type { ApiEvent } from '../shared/api.js';
import { BackendChoiceSchema, type BackendChoice, type StoreStatus } from '../shared/apiSchemas.js';
import { ConfidantError } from '../shared/confidantError.js';
import {
  assertNewPassphrase,
  resolveDataDirectory,
  Store,
  type DataDirectory,
  type KdfCost,
} from '../store/index.js';

/** Remembers the store passphrase with the OS keychain (Electron safeStorage). */
export interface PassphraseVault {
  available(): boolean;
  load(): string | null;
  save(passphrase: string): void;
  clear(): void;
}

export interface SessionOptions {
  version: string;
  dataDirectory?: DataDirectory;
  door?: 'electron' | 'web-bridge';
  passphraseVault?: PassphraseVault;
  /** scrypt cost of a new store (tests use a cheap one). */
  kdfCost?: KdfCost;
}

const SettingsFileSchema = z.object({ backend: BackendChoiceSchema.default('auto') });
const SETTINGS_FILE = 'app-settings.json';

export class EngineSession {
  readonly dataDirectory: DataDirectory;
  readonly jobs: JobRunner;
  private store: Store | null = null;
  private passphrase: string | null = null;
  private readonly listeners = new Set<(event: ApiEvent) => void>();
  backend: BackendChoice = 'auto';

  constructor(readonly options: SessionOptions) {
    this.dataDirectory = options.dataDirectory ?? resolveDataDirectory();
    this.jobs = new JobRunner({
      emit: (event) => this.emit(event),
      onCancelled: (job) => {
        if (job.kind === 'train' && job.runId !== null && this.store) {
          const run = this.store.runs.get(job.runId);
          if (run && run.status === 'running') this.store.runs.setStatus(run.id, 'cancelled');
        }
      },
    });
    this.backend = this.readSettings().backend;
    // Older versions wrote uploads as plaintext here before importing them; a crash left them.
    rmSync(join(this.dataDirectory.path, '.scratch'), { recursive: true, force: true });
  }

  subscribe(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ApiEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  status(): StoreStatus {
    const vault = this.options.passphraseVault;
    return {
      directory: this.dataDirectory.path,
      source: this.dataDirectory.source,
      exists: Store.exists(this.dataDirectory.path),
      unlocked: this.store !== null,
      canRemember: vault?.available() ?? false,
      remembered: vault?.available() ? vault.load() !== null : false,
    };
  }

  unlock(request: { passphrase?: string | undefined; create: boolean; remember: boolean }): StoreStatus {
    const vault = this.options.passphraseVault;
    const passphrase = request.passphrase ?? (vault?.available() ? vault.load() : null);
    if (!passphrase) {
      throw new ConfidantError('store.no-passphrase', 'Type the store passphrase.', {
        hint: 'No passphrase is remembered on this computer.',
      });
    }
    if (request.create && !Store.exists(this.dataDirectory.path)) assertNewPassphrase(passphrase);
    // Open first: a wrong passphrase throws here and leaves an already open store open.
    const opened = Store.open({
      directory: this.dataDirectory.path,
      passphrase,
      create: request.create,
      ...(this.options.kdfCost ? { kdfCost: this.options.kdfCost } : {}),
    });
    this.store?.close();
    this.store = opened;
    this.passphrase = passphrase;
    if (request.remember && vault?.available()) vault.save(passphrase);
    return this.status();
  }

  async lock(): Promise<StoreStatus> {
    await this.jobs.stopAll();
    this.store?.close();
    this.store = null;
    this.passphrase = null;
    return this.status();
  }

  forget(): StoreStatus {
    this.options.passphraseVault?.clear();
    return this.status();
  }

  /** The open store; a clear error while it is locked. */
  requireStore(): Store {
    if (!this.store) {
      throw new ConfidantError('store.locked', 'The store is locked.', {
        hint: 'Unlock it with your passphrase first.',
      });
    }
    return this.store;
  }

  /** What a job worker needs to open its own connection. */
  storeAccess(): { directory: string; passphrase: string } {
    this.requireStore();
    return { directory: this.dataDirectory.path, passphrase: this.passphrase! };
  }

  setBackend(backend: BackendChoice): void {
    this.backend = backend;
    if (existsSync(this.dataDirectory.path)) {
      writeFileSync(join(this.dataDirectory.path, SETTINGS_FILE), `${JSON.stringify({ backend })}\n`);
    }
  }

  async dispose(): Promise<void> {
    await this.lock();
    this.listeners.clear();
  }

  private readSettings(): z.infer<typeof SettingsFileSchema> {
    try {
      return SettingsFileSchema.parse(
        JSON.parse(readFileSync(join(this.dataDirectory.path, SETTINGS_FILE), 'utf8')),
      );
    } catch {
      return { backend: 'auto' };
    }
  }
}
