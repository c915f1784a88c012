// The Electron main process cannot be launched here (no Electron binary offline), so its
// source is checked for each security measure it must apply, next to the policy values
// tested in security.test.ts; and the passphrase vault refuses Linux's plain-text fallback.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { safeStorageVault, type SafeStorageLike } from '../../../src-main/app/safeStorageVault';

const main = readFileSync(resolve('src-main/app/main.ts'), 'utf8');

describe('Electron main process', () => {
  it('creates its window with the secure preferences and the preload only', () => {
    expect(main).toMatch(/webPreferences:\s*\{\s*\.\.\.SECURE_WEB_PREFERENCES,\s*preload:/);
    expect(main).not.toMatch(/nodeIntegration:\s*true|contextIsolation:\s*false|sandbox:\s*false/);
  });

  it('denies permissions, new windows, webviews and foreign navigation, and cancels foreign requests', () => {
    expect(main).toContain('setPermissionRequestHandler((_wc, _permission, callback) => callback(false))');
    expect(main).toContain('setPermissionCheckHandler(() => false)');
    expect(main).toMatch(/setWindowOpenHandler\([^]*?return \{ action: 'deny' \}/);
    expect(main).toContain("will-attach-webview', (event) => event.preventDefault()");
    expect(main).toMatch(
      /will-navigate[^]*?if \(!url\.startsWith\(`\$\{APP_ORIGIN\}\/`\)\) event\.preventDefault\(\)/,
    );
    expect(main).toContain('callback({ cancel: !isAllowedRequestUrl(details.url) })');
  });

  it('hands no URL to the OS (no shell.openExternal) and turns DevTools off in packaged builds', () => {
    expect(main).not.toContain('openExternal');
    expect(main).toMatch(/setWindowOpenHandler\(\(\) => \{\s*return \{ action: 'deny' \};\s*\}\)/);
    expect(main).toMatch(/devTools:\s*!app\.isPackaged/);
  });

  it('sets the Electron fuses in electron-builder.yml', () => {
    const builder = readFileSync(resolve('electron-builder.yml'), 'utf8');
    const fuses = /^electronFuses:\n((?: {2}.+\n)+)/m.exec(builder)?.[1] ?? '';
    for (const line of [
      'runAsNode: false',
      'enableCookieEncryption: true',
      'enableNodeOptionsEnvironmentVariable: false',
      'enableNodeCliInspectArguments: false',
      'enableEmbeddedAsarIntegrityValidation: true',
      'onlyLoadAppFromAsar: true',
    ])
      expect(fuses).toContain(`  ${line}\n`);
  });

  it('serves the renderer with the CSP, takes the single-instance lock and checks the IPC sender', () => {
    expect(main).toContain("headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY)");
    expect(main).toContain('app.requestSingleInstanceLock()');
    expect(main).toMatch(/senderFrame\?\.url\.startsWith\(`\$\{APP_ORIGIN\}\/`\)/);
  });
});

describe('remembered passphrase (safeStorage)', () => {
  const fake = (backend: string): SafeStorageLike => ({
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => backend,
    encryptString: (s) => Buffer.from([...Buffer.from(s)].map((b) => b ^ 0x5a)),
    decryptString: (b) => Buffer.from([...b].map((x) => x ^ 0x5a)).toString(),
  });

  it('stores it encrypted and reads it back, and forgets it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'confidant-vault-'));
    try {
      const vault = safeStorageVault(fake('gnome_libsecret'), dir);
      expect(vault.available()).toBe(true);
      vault.save('my passphrase');
      expect(readFileSync(join(dir, 'store-passphrase.bin')).toString()).not.toContain('passphrase');
      expect(vault.load()).toBe('my passphrase');
      vault.clear();
      expect(vault.load()).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(process.platform === 'linux')('is not offered with the plain-text fallback on Linux', () => {
    const vault = safeStorageVault(fake('basic_text'), tmpdir());
    expect(vault.available()).toBe(false);
    expect(vault.load()).toBeNull();
  });
});
