// The built UI served by the web bridge (as `confidant serve` does) reaches the engine
// through the typed API: with the session token it asks for the store passphrase, the
// token leaves the address bar, and nothing is logged to the console; without the token
// the page says it is not connected.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createApiHandler } from '../../src-main/app/apiHandler';
import { startWebBridge, type WebBridge } from '../../src-main/app/webBridge';
import { launchChromium } from '../helpers/browser';

let browser: Browser;
let bridge: WebBridge;
let directory: string;
let handler: ReturnType<typeof createApiHandler>;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'confidant-e2e-bridge-'));
  handler = createApiHandler({
    version: '0.0.0-e2e',
    dataDirectory: { path: join(directory, 'store'), source: 'flag' },
  });
  bridge = await startWebBridge({ rendererDir: resolve('out/renderer'), handler });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  await handler?.dispose();
  rmSync(directory, { recursive: true, force: true });
});

describe('UI over the web bridge', () => {
  it('connects with the session token and asks for the store passphrase', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));

    await page.goto(bridge.url);
    await page.getByRole('heading', { name: 'Create your encrypted store' }).waitFor();
    await page.getByText(join(directory, 'store')).waitFor();
    expect(page.url()).not.toContain('token=');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('without the token the UI says it is not connected', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${bridge.port}/`);
    await page.getByTestId('connection').getByText('not connected').waitFor();
    await page.close();
  });

  it('enforces the CSP in the page: no inline script, no remote request, no eval allowed', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') violations.push(msg.text());
    });
    const response = await page.goto(bridge.url);
    expect(response?.headers()['content-security-policy']).toMatch(/default-src 'none'.*script-src 'self'/);
    await page.getByRole('heading', { name: 'Create your encrypted store' }).waitFor();
    // runs in the page (a string: the Node project has no DOM types)
    const outcome = await page.evaluate<{ inline: boolean; remote: string }>(`(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.__inline = true';
      document.head.append(script);
      const remote = await fetch('https://example.org/').then(() => 'fetched', () => 'blocked');
      return { inline: window.__inline === true, remote };
    })()`);
    expect(outcome).toEqual({ inline: false, remote: 'blocked' });
    // eval is tested through the header: DevTools evaluation (used here) is exempt from the CSP
    expect(response?.headers()['content-security-policy']).not.toContain('unsafe-eval');
    expect(violations.some((v) => v.includes('Content Security Policy'))).toBe(true);
    await page.close();
  });
});
