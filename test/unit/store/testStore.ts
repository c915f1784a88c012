// A throwaway store in a temporary folder, with a cheap scrypt cost so tests stay fast.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../../src-main/store/index';

export const TEST_KDF_COST = { N: 2 ** 12, r: 8, p: 1 };

export function temporaryDirectory(prefix = 'confidant-store-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function openTestStore(directory: string, passphrase = 'correct horse battery staple'): Store {
  return Store.open({ directory, passphrase, create: true, kdfCost: TEST_KDF_COST });
}
