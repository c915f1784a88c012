/**
 * The store passphrase remembered with Electron's safeStorage (the OS keychain: Keychain on
 * macOS, DPAPI on Windows, libsecret/kwallet on Linux), written encrypted to the app's
 * user-data folder. Offered only when the OS provides real encryption (not Linux's
 * 'basic_text' fallback, which would keep the passphrase in a file readable as plain text).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PassphraseVault } from './engineSession.js';

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  getSelectedStorageBackend?(): string;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export function safeStorageVault(safeStorage: SafeStorageLike, userDataDir: string): PassphraseVault {
  const file = join(userDataDir, 'store-passphrase.bin');
  const available = () =>
    safeStorage.isEncryptionAvailable() &&
    (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend?.() !== 'basic_text');
  return {
    available,
    load() {
      if (!available() || !existsSync(file)) return null;
      try {
        return safeStorage.decryptString(readFileSync(file));
      } catch {
        return null;
      }
    },
    save(passphrase) {
      if (available()) writeFileSync(file, safeStorage.encryptString(passphrase), { mode: 0o600 });
    },
    clear() {
      rmSync(file, { force: true });
    },
  };
}
