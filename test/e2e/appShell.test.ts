// Smoke test of the built renderer (out/renderer, from `npm run build`) in Chromium: the
// app shell renders, every workflow screen is reachable from the keyboard, and the page
// logs no console errors. Screenshots go to test-results/e2e/.
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { serveFolder } from '../helpers/staticServer';

const rendererDir = resolve('out/renderer');
const shots = resolve('test-results/e2e');

let browser: Browser;
let server: Awaited<ReturnType<typeof serveFolder>>;

beforeAll(async () => {
  if (!existsSync(resolve(rendererDir, 'index.html'))) {
    throw new Error('out/renderer is missing: run `npm run build` first (`npm run test:e2e` does).');
  }
  mkdirSync(shots, { recursive: true });
  server = await serveFolder(rendererDir);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('app shell', () => {
  it('renders the workflow navigation with no console errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));

    await page.goto(server.url);
    await expect(page.title()).resolves.toBe('Confidant');
    const nav = page.getByRole('navigation', { name: 'Workflow' });
    await nav.waitFor();
    const items = await nav.getByRole('button').allTextContents();
    expect(items.map((t) => t.trim())).toEqual([
      'Projects',
      'Data',
      'Model',
      'Train',
      'Federation',
      'Audit',
      'Unlearning',
      'Reports',
      'Playground',
      'Settings',
    ]);
    await expect(page.getByTestId('screen-title').textContent()).resolves.toBe('Projects');
    // Without an engine (static preview) the shell says so instead of failing.
    await expect(page.getByTestId('connection').textContent()).resolves.toContain('not connected');

    // Keyboard: tab to "Audit" and press Enter.
    await page.getByRole('button', { name: 'Audit' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('screen-title').textContent()).resolves.toBe('Audit');
    await page.screenshot({ path: resolve(shots, 'app-shell.png') });

    expect(problems).toEqual([]);
    await page.close();
  });
});
