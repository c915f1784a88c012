// The built UI served by the web bridge (as `confidant serve` does) reaches the engine
// through the typed API: the shell shows the engine's answer, the token leaves the
// address bar, and nothing is logged to the console.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createApiHandler } from '../../src-main/app/apiHandler';
import { startWebBridge, type WebBridge } from '../../src-main/app/webBridge';
import { launchChromium } from '../helpers/browser';

let browser: Browser;
let bridge: WebBridge;

beforeAll(async () => {
  bridge = await startWebBridge({
    rendererDir: resolve('out/renderer'),
    handler: createApiHandler({ version: '0.0.0-e2e' }),
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
});

describe('UI over the web bridge', () => {
  it('connects with the session token and shows what the engine says', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));

    await page.goto(bridge.url);
    await page.getByText('Offline — nothing leaves this machine').waitFor();
    await expect(page.getByText('Confidant 0.0.0-e2e').count()).resolves.toBe(1);
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
});
