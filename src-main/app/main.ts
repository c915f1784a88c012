/**
 * Electron main process: one window with secure defaults, the renderer served from the
 * app's own protocol, every other network request cancelled, navigation and new windows
 * blocked (no link is ever handed to the OS browser: the app links to nothing outside it),
 * permission requests denied, DevTools only in development builds, and a single-instance lock.
 * The packaged binary's fuses (electron-builder.yml) turn off ELECTRON_RUN_AS_NODE,
 * NODE_OPTIONS and --inspect, and turn on cookie encryption and ASAR integrity checks.
 */
import { app, BrowserWindow, ipcMain, net, protocol, safeStorage, session } from 'electron';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { API_CHANNEL, API_EVENT_CHANNEL } from '../shared/apiChannel.js';
import { createApiHandler } from './apiHandler.js';
import { safeStorageVault } from './safeStorageVault.js';
import {
  APP_ORIGIN,
  APP_SCHEME,
  CONTENT_SECURITY_POLICY,
  SECURE_WEB_PREFERENCES,
  isAllowedRequestUrl,
} from './security.js';

const rendererDir = join(import.meta.dirname, '../renderer');

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

function serveRenderer(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const { pathname } = new URL(request.url);
    const file = normalize(
      join(rendererDir, decodeURIComponent(pathname === '/' ? '/index.html' : pathname)),
    );
    if (!file.startsWith(rendererDir + sep)) return new Response('Not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).href);
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}

function lockDownSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedRequestUrl(details.url) });
  });
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 640,
    title: 'Confidant',
    show: false,
    webPreferences: {
      ...SECURE_WEB_PREFERENCES,
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      devTools: !app.isPackaged,
    },
  });
  // No new windows, and no URL is handed to the OS browser or a file handler: a compromised
  // page could otherwise open any URL outside the sandbox.
  window.webContents.setWindowOpenHandler(() => {
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
    });
  });
  void app.whenReady().then(() => {
    serveRenderer();
    lockDownSession();
    const handleCall = createApiHandler({
      version: app.getVersion(),
      door: 'electron',
      passphraseVault: safeStorageVault(safeStorage, app.getPath('userData')),
    });
    ipcMain.handle(API_CHANNEL, (event, name: unknown, request: unknown) => {
      // only our own page may call the engine
      if (!event.senderFrame?.url.startsWith(`${APP_ORIGIN}/`)) {
        return {
          ok: false,
          error: { code: 'api.forbidden', message: 'Calls are accepted from the app only.' },
        };
      }
      return handleCall(name, request);
    });
    handleCall.subscribe((payload) => {
      for (const window of BrowserWindow.getAllWindows()) window.webContents.send(API_EVENT_CHANNEL, payload);
    });
    let disposed = false;
    app.on('before-quit', (event) => {
      if (disposed) return;
      // stop the job workers (training resumes from its last checkpoint) and close the store
      event.preventDefault();
      disposed = true;
      void handleCall.dispose().finally(() => app.quit());
    });
    mainWindow = createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
