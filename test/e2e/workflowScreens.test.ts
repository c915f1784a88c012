// The screens of issue #22 in Debian's Chromium against the built UI and a real engine
// (web bridge): forget a patient on the Unlearning screen (found by id, retrained, the
// certificate shown and the new run opened in Audit), export a run's adapter from Reports
// after the plaintext confirmation (a PEFT folder on disk, logged), create a federation as
// coordinator (key ceremony, invitation files) and write an air-gapped site's encrypted
// update for round 1 (DP-SGD on its notes, its ε shown), and run a simulated
// 3-site federation for one round from the Federation screen (DP-SGD at every site, the
// encrypted aggregate, each site's ε). Each state is screenshotted to
// test-results/screenshots/ and checked with axe-core (no serious or critical violations).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createApiHandler } from '../../src-main/app/apiHandler';
import { startWebBridge, type WebBridge } from '../../src-main/app/webBridge';
import type { ApiCallName, ApiRequest, ApiResponse } from '../../src-main/shared/api';
import type { Job } from '../../src-main/shared/apiSchemas';
import { seriousViolations } from '../helpers/axeCheck';
import { launchChromium } from '../helpers/browser';

const shots = resolve('test-results/screenshots');

let browser: Browser;
let bridge: WebBridge;
let handler: ReturnType<typeof createApiHandler>;
let page: Page;
let directory: string;
let runId = 0;
let subject = '';
const problems: string[] = [];
const a11y: Record<string, unknown[]> = {};

async function call<K extends ApiCallName>(name: K, request: ApiRequest<K>): Promise<ApiResponse<K>> {
  const result = await handler(name, request);
  if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
  return result.value as ApiResponse<K>;
}

async function finished(job: Job): Promise<Job> {
  for (;;) {
    const now = await call('jobs.get', { jobId: job.id });
    if (now.status !== 'running') return now;
    await new Promise((r) => setTimeout(r, 200));
  }
}

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
  directory = mkdtempSync(join(tmpdir(), 'confidant-e2e22-'));
  handler = createApiHandler({
    version: '0.0.0-e2e',
    dataDirectory: { path: join(directory, 'store'), source: 'flag' },
    kdfCost: { N: 2 ** 12, r: 8, p: 1 },
  });
  // the earlier steps (store, data, a finished DP run) through the API: other tests walk them in the UI
  await call('store.unlock', { passphrase: 'correct horse battery staple', create: true });
  const project = await call('projects.create', { name: 'Ward 7' });
  const imported = await call('datasets.synthesize', {
    projectId: project.id,
    name: 'notes',
    records: 40,
    seed: 3,
  });
  const preview = await call('datasets.preview', { datasetId: imported.dataset!.id, limit: 20 });
  subject = preview.records.find((r) => r.subjectId !== null)!.subjectId!;
  const trained = await finished(
    await call('train.start', {
      datasetId: imported.dataset!.id,
      model: 'bundled',
      privacy: '8',
      steps: 3,
      maxSequenceLength: 32,
      expectedBatchSize: 4,
      microBatchSize: 4,
    }),
  );
  if (trained.status !== 'succeeded') throw new Error(`training failed: ${trained.error?.message}`);
  runId = trained.runId!;
  bridge = await startWebBridge({ rendererDir: resolve('out/renderer'), handler });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(20_000);
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  await page.goto(bridge.url);
  await page.getByTestId('screen-title').waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  await handler?.dispose();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') {
    await page.screenshot({
      path: join(shots, `failed-22-${task.name.slice(0, 40).replace(/\W+/g, '-')}.png`),
      fullPage: true,
    });
  }
});

describe('issue #22 screens in the browser', () => {
  it('forgets a patient found by id, shows the certificate and opens the new run in Audit', async () => {
    await goTo('Unlearning');
    await page.getByLabel('Training run').waitFor();
    await checkPage('22-01-unlearning');
    await page.getByLabel('Patient ID').fill('NOBODY-1');
    await page.getByRole('button', { name: 'Find patient' }).click();
    await page.getByTestId('unlearn-lookup').getByText('No note of this run’s dataset').waitFor();
    await checkPage('22-02-unlearning-unknown-patient');
    await page.getByLabel('Patient ID').fill(subject);
    await page.getByRole('button', { name: 'Find patient' }).click();
    await page
      .getByTestId('unlearn-lookup')
      .getByText(/has \d+ notes?/)
      .waitFor();
    // shard unlearning is offered only for a sharded run
    await expect(page.getByLabel(/Retrain only the patient’s shard/).isDisabled()).resolves.toBe(true);
    await checkPage('22-03-unlearning-method');
    await page.getByTestId('unlearn-start').click();
    await page.getByTestId('unlearn-certificate').waitFor({ timeout: 110_000 });
    const certificate = page.getByTestId('unlearn-certificate');
    await expect(certificate.textContent()).resolves.toMatch(/by retraining without the patient/);
    await expect(certificate.getByRole('row').count()).resolves.toBe(6);
    await checkPage('22-04-unlearning-certificate');
    const newRun = /run (\d+)/.exec(
      (await certificate.getByRole('button', { name: /^Audit run/ }).textContent())!,
    )![1];
    await certificate.getByRole('button', { name: /^Audit run/ }).click();
    await page.locator('[data-testid="screen-title"]', { hasText: /^Audit$/ }).waitFor();
    await expect(page.getByLabel('Training run').inputValue()).resolves.toBe(newRun);
    await checkPage('22-05-audit-of-unlearned-run');
  });

  it('exports the adapter from Reports only after the plaintext confirmation', async () => {
    await goTo('Reports');
    await page.getByLabel('Training run').selectOption(String(runId));
    const out = join(directory, 'exported-adapter');
    await page.getByLabel(/^Folder/).fill(out);
    await checkPage('22-06-export');
    await page.getByRole('button', { name: 'Export adapter…' }).click();
    await expect(page.getByRole('button', { name: 'Export now' }).isDisabled()).resolves.toBe(true);
    await checkPage('22-07-export-confirm');
    await page.getByLabel('I understand and want to write it unencrypted').check();
    await page.getByRole('button', { name: 'Export now' }).click();
    await page.getByTestId('export-done').waitFor({ timeout: 60_000 });
    await checkPage('22-08-export-done');
    expect(readdirSync(out).sort()).toEqual([
      'README.md',
      'adapter_config.json',
      'adapter_model.safetensors',
    ]);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toMatch(
      /\(ε = [\d.]+, δ = [\d.e-]+\)-differential privacy per record/,
    );
  });

  it('creates a federation as coordinator and writes an air-gapped site’s encrypted update', async () => {
    await goTo('Federation');
    await checkPage('22-09-federation');
    await page.getByLabel(/^Site IDs/).fill('st-marys, royal-free, leeds');
    await page.getByLabel(/^New or empty folder/).fill(join(directory, 'federation'));
    await page
      .getByLabel('Invitation passphrase (at least 8 characters)')
      .fill('a long invitation passphrase');
    await page.getByLabel('Passphrase again').fill('a long invitation passphrase');
    await page.getByRole('button', { name: 'Create the federation' }).click();
    const created = page.getByTestId('federation-created');
    await created.waitFor({ timeout: 60_000 });
    await expect(created.getByRole('row').count()).resolves.toBe(4); // header + 3 sites
    await checkPage('22-10-federation-created');
    const invitation = (await created
      .getByRole('row', { name: /st-marys/ })
      .locator('code')
      .textContent())!;
    expect(existsSync(invitation)).toBe(true);
    await page.getByLabel('Invitation file (from the coordinator)').fill(invitation);
    await page.getByLabel('Invitation passphrase', { exact: true }).fill('a long invitation passphrase');
    await page.getByLabel('Round', { exact: true }).fill('1');
    await page.getByLabel('DP-SGD steps').fill('2');
    await page.getByRole('button', { name: 'Train and write this round’s update' }).click();
    const done = page.getByTestId('site-update-done');
    await done.waitFor({ timeout: 110_000 });
    await expect(done.textContent()).resolves.toMatch(
      /Site st-marys: the update for round 1 is in .*ε spent by this site\s+so\s+far: \d+\.\d{3}/s,
    );
    await checkPage('22-11-federation-site-update');
  });

  it('runs a simulated 3-site federation for one round and shows each site’s ε', async () => {
    await page.getByLabel('Sites', { exact: true }).fill('3');
    await page.getByLabel('Rounds', { exact: true }).fill('1');
    await page.getByLabel(/DP-SGD on the bundled model/).check();
    await page.getByRole('button', { name: 'Run the simulation' }).click();
    await page.locator('[data-testid="job-federation"][data-status="running"]').waitFor();
    await checkPage('22-12-federation-running');
    await page.getByTestId('federation-result').waitFor({ timeout: 110_000 });
    const result = page.getByTestId('federation-result');
    await expect(result.getByRole('row').nth(1).textContent()).resolves.toMatch(/\(3 of 3\)/);
    const eps = page.getByTestId('federation-epsilon');
    await expect(eps.getByRole('row').count()).resolves.toBe(4); // header + 3 sites
    for (const cell of await eps.getByRole('cell').allTextContents()) expect(Number(cell)).toBeGreaterThan(0);
    await checkPage('22-13-federation-result');
  });

  it('logged no console errors and axe found no serious violations on any page', () => {
    expect(problems).toEqual([]);
    expect(a11y).toEqual({});
  });
});
