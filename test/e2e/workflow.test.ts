// The main flow in Debian's Chromium against the built UI served by the web bridge (as
// `confidant serve` does), with a real engine: create the encrypted store, a project,
// import a small synthetic dataset (and see a broken upload's errors), scan it, look at
// the bundled model, train it for 3 DP steps, audit the run, export the signed report and
// verify it, generate text, and look at the settings. Every page is screenshotted to
// test-results/screenshots/ and checked with axe-core (no serious or critical violations);
// the page must log no console errors.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createApiHandler } from '../../src-main/app/apiHandler';
import { startWebBridge, type WebBridge } from '../../src-main/app/webBridge';
import { seriousViolations } from '../helpers/axeCheck';
import { launchChromium } from '../helpers/browser';

const shots = resolve('test-results/screenshots');

let browser: Browser;
let bridge: WebBridge;
let handler: ReturnType<typeof createApiHandler>;
let page: Page;
let directory: string;
const problems: string[] = [];
const a11y: Record<string, unknown[]> = {};

async function checkPage(name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const violations = await seriousViolations(page);
  if (violations.length > 0) a11y[name] = violations;
}

async function goTo(screen: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Workflow' })
    .getByRole('button', { name: screen, exact: true })
    .click();
  await expect(page.getByTestId('screen-title').textContent()).resolves.toBe(screen);
}

beforeAll(async () => {
  if (!existsSync(resolve('out/renderer/index.html'))) {
    throw new Error('out/renderer is missing: run `npm run build` first (`npm run test:e2e` does).');
  }
  mkdirSync(shots, { recursive: true });
  directory = mkdtempSync(join(tmpdir(), 'confidant-e2e-'));
  handler = createApiHandler({
    version: '0.0.0-e2e',
    dataDirectory: { path: join(directory, 'store'), source: 'flag' },
    kdfCost: { N: 2 ** 12, r: 8, p: 1 },
  });
  bridge = await startWebBridge({ rendererDir: resolve('out/renderer'), handler });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(20_000);
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
});

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  await handler?.dispose();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') {
    await page.screenshot({
      path: join(shots, `failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}.png`),
      fullPage: true,
    });
  }
});

describe('main workflow in the browser', () => {
  it('creates the encrypted store', async () => {
    await page.goto(bridge.url);
    await page.getByRole('heading', { name: 'Create your encrypted store' }).waitFor();
    expect(page.url()).not.toContain('token=');
    await checkPage('01-unlock');
    await page.getByLabel('Passphrase', { exact: true }).fill('correct horse battery staple');
    await page.getByLabel('Type it again').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Create store' }).click();
    await page.getByRole('heading', { name: 'New project' }).waitFor();
  });

  it('creates a project', async () => {
    await page.getByLabel('Name', { exact: true }).fill('Ward 7');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('cell', { name: 'Ward 7' }).waitFor();
    await checkPage('02-projects');
  });

  it('shows an upload’s validation errors with their lines, imports synthetic notes, highlights PII and scans', async () => {
    await goTo('Data');
    await page.getByLabel('Choose a file').setInputFiles({
      name: 'broken.jsonl',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from('{"text": "Seen by Dr. Ana Ruiz on 03/02/2021."}\n{"text": \n'),
    });
    await page.getByTestId('column-picker').getByRole('button', { name: 'Import' }).click();
    const issues = page.getByTestId('import-issues');
    await issues.waitFor();
    await expect(issues.getByRole('row').nth(1).getByRole('cell').first().textContent()).resolves.toBe('2');
    await page.getByLabel('Records', { exact: true }).fill('40');
    await page.getByRole('button', { name: 'Generate and import' }).click();
    await page.getByTestId('import-outcome').getByText('Imported 40 records').waitFor();
    await page.locator('mark').first().waitFor();
    expect(await page.locator('mark').count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Scan for PII' }).click();
    await page.getByTestId('scan-result').waitFor();
    await expect(page.getByTestId('scan-result').locator('caption').textContent()).resolves.toMatch(
      /of 40 records/,
    );
    await checkPage('03-data');
  });

  it('shows the bundled model', async () => {
    await goTo('Model');
    await page.getByTestId('model-info').getByText('gpt2').first().waitFor();
    await checkPage('04-model');
  });

  it('trains the bundled model for 3 DP steps, showing ε against the dataset budget', async () => {
    await goTo('Train');
    await page.getByLabel('Dataset budget ε').fill('10');
    await page.getByLabel('δ', { exact: true }).fill('0.0001');
    await page.getByRole('button', { name: 'Set budget' }).click();
    await page.getByTestId('epsilon-gauge').getByText('of 10 spent').waitFor();
    await page.getByText('Balanced (ε = 3)').click();
    await page.getByText('Training settings').click();
    await page.getByLabel('Steps').fill('3');
    await page.getByLabel('Batch size (expected)').fill('4');
    await page.getByLabel('Max tokens per note').fill('32');
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.locator('[data-testid="job-train"][data-status="succeeded"]').waitFor({ timeout: 90_000 });
    await expect(page.getByTestId('metric-step').textContent()).resolves.toBe('3 / 3');
    const epsilon = Number(await page.getByTestId('metric-epsilon').textContent());
    expect(epsilon).toBeGreaterThan(0);
    expect(epsilon).toBeLessThanOrEqual(3);
    await page.getByTestId('epsilon-gauge').locator('meter').waitFor();
    await checkPage('05-train');
  });

  it('audits the run', async () => {
    await goTo('Audit');
    await page.getByRole('button', { name: 'Run the audit' }).click();
    const job = page.locator('[data-testid="job-audit"]:not([data-status="running"])');
    await job.waitFor({ timeout: 100_000 });
    await expect(job.getAttribute('data-status')).resolves.toBe('succeeded');
    const result = page.getByTestId('audit-result');
    await result.waitFor();
    await expect(result.getByRole('heading', { level: 2 }).textContent()).resolves.toMatch(
      /Verdict: (Pass|Warning|Fail)/,
    );
    await page.getByRole('img', { name: /membership attack/ }).waitFor();
    await page.getByRole('img', { name: /Evaluation loss/ }).waitFor();
    await checkPage('06-audit');
  });

  it('exports the signed report and verifies it', async () => {
    await goTo('Reports');
    await page.getByRole('button', { name: 'Export report' }).click();
    await page.getByTestId('report-path').waitFor({ timeout: 60_000 });
    await page
      .getByRole('button', { name: /^Verify report \d+$/ })
      .first()
      .click();
    await page.getByTestId('verification').getByText('Intact and signed').waitFor();
    await checkPage('07-reports');
  });

  it('generates text with the trained adapter', async () => {
    await goTo('Playground');
    await page.getByLabel('Fine-tuned adapter').selectOption({ index: 1 });
    await page.getByLabel('Max new tokens').fill('8');
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.locator('[data-testid="job-generate"][data-status="succeeded"]').waitFor({ timeout: 60_000 });
    expect((await page.getByTestId('generated').textContent())!.length).toBeGreaterThan(
      'Discharge summary:'.length,
    );
    await checkPage('08-playground');
  });

  it('shows the settings and the federation pointer', async () => {
    await goTo('Settings');
    await page.getByTestId('network-policy').waitFor();
    await checkPage('09-settings');
    await goTo('Federation');
    await checkPage('10-federation');
  });

  it('logged no console errors and axe found no serious violations on any page', () => {
    expect(problems).toEqual([]);
    expect(a11y).toEqual({});
  });
});
