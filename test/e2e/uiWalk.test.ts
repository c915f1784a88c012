// The walk of issue #23 in Debian's Chromium at 1024×700, against the built UI served by the
// web bridge: a hand-made CSV with a Latin-1 byte and a row with stray commas (reported with
// their lines, nothing silently mangled), the column picker for unusual column names, a file
// too large for the browser (said before any upload), and no sideways scrolling. Every state
// is screenshotted to test-results/screenshots/walk-*.png and checked with axe-core.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createApiHandler } from '../../src-main/app/apiHandler';
import { startWebBridge, type WebBridge } from '../../src-main/app/webBridge';
import { MAX_UPLOAD_BYTES } from '../../src-main/shared/apiSchemas';
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
  // the sidebar stays at the window's top while scrolling: screenshot from the top of the page
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(shots, `walk-${name}.png`), fullPage: true });
  const violations = await seriousViolations(page);
  if (violations.length > 0) a11y[name] = violations;
  // nothing may scroll sideways at 1024 px
  const overflow = await page.evaluate<number>(
    '(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)()',
  );
  expect(overflow, `${name} scrolls sideways`).toBeLessThanOrEqual(0);
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
  directory = mkdtempSync(join(tmpdir(), 'confidant-walk-'));
  handler = createApiHandler({
    version: '0.0.0-e2e',
    dataDirectory: { path: join(directory, 'store'), source: 'flag' },
    kdfCost: { N: 2 ** 12, r: 8, p: 1 },
  });
  bridge = await startWebBridge({ rendererDir: resolve('out/renderer'), handler });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1024, height: 700 } });
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
      path: join(shots, `walk-failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}.png`),
      fullPage: true,
    });
  }
});

const brokenCsv = Buffer.concat([
  Buffer.from('text,patient_id\n"Seen on 03/02/2021, stable.",p1\n"Mrs Ren'),
  Buffer.from([0xe9]), // Latin-1 é: not UTF-8
  Buffer.from('e Dubois, follow-up.",p2\nDischarged, home, today,p3\n"Reviewed bloods.",p4\n'),
]);

describe('the walk of issue #23 at 1024×700', () => {
  it('creates the store and a project', async () => {
    await page.goto(bridge.url);
    await page.getByRole('heading', { name: 'Create your encrypted store' }).waitFor();
    await page.getByLabel('Passphrase', { exact: true }).fill('abc');
    await page.getByLabel('Type it again').fill('abc');
    await page.getByTestId('passphrase-strength').getByText('Strength: too weak').waitFor();
    await page.getByRole('button', { name: 'Create store' }).click();
    await page
      .getByRole('alert')
      .getByText('This passphrase is too weak for a store of clinical notes.')
      .waitFor();
    await checkPage('00-weak-passphrase');
    await page.getByLabel('Passphrase', { exact: true }).fill('correct horse battery staple');
    await page.getByTestId('passphrase-strength').getByText('Strength: strong').waitFor();
    await page.getByLabel('Type it again').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Create store' }).click();
    await page.getByRole('heading', { name: 'New project' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Ward 7 — a project with a rather long name');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('cell', { name: /^Ward 7/ }).waitFor();
  });

  it('reports the broken CSV’s lines: the Latin-1 byte and the stray commas', async () => {
    await goTo('Data');
    await expect(page.getByText(/Up to 4\.5 MB from the browser/).count()).resolves.toBe(1);
    await page
      .getByLabel('Choose a file')
      .setInputFiles({ name: 'ward.csv', mimeType: 'text/csv', buffer: brokenCsv });
    const picker = page.getByTestId('column-picker');
    await picker.waitFor();
    await expect(picker.getByText('text, patient_id').count()).resolves.toBe(1);
    await expect(page.getByLabel('Note text', { exact: true }).inputValue()).resolves.toBe('text');
    await checkPage('01-column-picker');
    await picker.getByRole('button', { name: 'Import' }).click();
    const issues = page.getByTestId('import-issues');
    await issues.waitFor();
    const rows = await issues.getByRole('row').allTextContents();
    expect(rows.some((r) => r.startsWith('3') && /not valid UTF-8/.test(r))).toBe(true);
    expect(rows.some((r) => r.startsWith('4') && /header has 2 columns \(text, patient_id\)/.test(r))).toBe(
      true,
    );
    expect(rows.join(' ')).not.toMatch(/Invalid Record Length|--map/);
    await checkPage('02-broken-csv');
  });

  it('imports with columns picked by hand, then offers the PII scan', async () => {
    await page.getByLabel('Choose a file').setInputFiles({
      name: 'export.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('mrn,narrative\nA1,"Seen in clinic by Dr. Ana Ruiz."\nA2,"Reviewed bloods."\n'),
    });
    await page.getByTestId('column-picker').waitFor();
    await page
      .getByTestId('mapping-problem')
      .getByText(/columns found: mrn, narrative/)
      .waitFor();
    await page.getByLabel('Note text', { exact: true }).selectOption('narrative');
    await page.getByLabel(/^Patient id/).selectOption('mrn');
    await page.getByTestId('column-picker').getByRole('button', { name: 'Import' }).click();
    await page.getByTestId('import-outcome').getByText('Imported 2 records').waitFor();
    await expect(page.getByTestId('import-issues').count()).resolves.toBe(0);
    await page.getByText('patient A1').waitFor();
    await page.getByRole('button', { name: 'Scan it for PII' }).click();
    await page.getByTestId('scan-result').waitFor();
    await checkPage('03-imported');
  });

  it('says a file is too large for the browser before sending it, and points to the path import', async () => {
    await page.getByLabel('Choose a file').setInputFiles({
      name: 'huge.csv',
      mimeType: 'text/csv',
      buffer: Buffer.alloc(MAX_UPLOAD_BYTES + 1, 0x41),
    });
    const alert = page.getByRole('alert');
    await alert.getByText(/huge\.csv” is 4\.5 MB; the browser can send at most 4\.5 MB/).waitFor();
    await alert.getByText(/by path/).waitFor();
    await expect(page.getByLabel('Or import by path on this computer').count()).resolves.toBe(1);
    await checkPage('04-too-large');
  });

  it('keeps the sidebar at the top of the window on a long screen', async () => {
    await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
    const top = await page.evaluate<number>(
      "(() => document.querySelector('nav.sidebar').getBoundingClientRect().top)()",
    );
    expect(top).toBe(0);
    const [rail, doc] = await page.evaluate<[number, number]>(
      "(() => [document.querySelector('[data-testid=sidebar-rail]').getBoundingClientRect().height, document.documentElement.scrollHeight])()",
    );
    expect(Math.abs(rail - doc)).toBeLessThan(1);
    await page.evaluate('window.scrollTo(0, 0)');
  });

  it('plans a run before Start: batch checked against patients, too few units, settings kept', async () => {
    await page.getByLabel('Records', { exact: true }).fill('40');
    await page.getByRole('button', { name: 'Generate and import' }).click();
    await page.getByTestId('import-outcome').getByText('Imported 40 records').waitFor();
    await goTo('Train');
    await page.getByText('Each patient (all their notes together)').click();
    await page.getByText('Training settings').click();
    await page.getByLabel('Batch size (expected)').fill('500');
    await page
      .getByRole('alert')
      .getByText(/“Batch size \(expected\)” is 500, but the dataset has only \d+ patients/)
      .waitFor();
    await expect(page.getByRole('button', { name: 'Start training' }).isDisabled()).resolves.toBe(true);
    await checkPage('05-train-batch-too-large');
    // a budget error shows beside the budget form, not under Start
    await page.getByLabel('δ', { exact: true }).fill('0');
    await page.getByRole('button', { name: 'Set budget' }).click();
    await page.locator('form.budget ~ [data-testid="error"]').waitFor();
    await expect(
      page.locator('form[aria-labelledby="train-heading"] [data-testid="error"]').count(),
    ).resolves.toBe(0);
    await page.getByLabel('δ', { exact: true }).fill('0.00001');
    await page.getByText('Each note', { exact: true }).click();
    await page.getByLabel('Batch size (expected)').fill('4');
    await page.getByLabel('Steps').fill('12');
    await page.getByLabel('Max tokens per note').fill('32');
    await page.getByLabel('Run name (optional)').fill('first DP run');
    const text = async (id: string) => (await page.getByTestId(id).textContent())?.replace(/\s+/g, ' ');
    await expect.poll(() => text('train-plan')).toMatch(/12 steps × 4 notes ≈ 1\.2 passes over the data/);
    await expect.poll(() => text('few-units')).toMatch(/^Only 40 notes/);
    await goTo('Data');
    await goTo('Train');
    await page.getByText('Training settings').click();
    await expect(page.getByLabel('Steps').inputValue()).resolves.toBe('12');
    await expect(page.getByLabel('Run name (optional)').inputValue()).resolves.toBe('first DP run');
    await checkPage('06-train-plan');
  });

  it('cancels a run, resumes it to the end, then offers the audit', async () => {
    await page.getByRole('button', { name: 'Start training' }).click();
    const step = page.getByTestId('metric-step');
    await expect
      .poll(async () => Number((await step.textContent())?.split(' / ')[0] ?? 0), { timeout: 90_000 })
      .toBeGreaterThanOrEqual(1);
    await page.getByRole('button', { name: 'Cancel (the run can be resumed)' }).click();
    await page.locator('[data-testid="job-train"][data-status="cancelled"]').waitFor();
    await checkPage('07-train-cancelled');
    await page.getByRole('button', { name: /^Resume run \d+$/ }).click();
    await page.locator('[data-testid="job-train"][data-status="succeeded"]').waitFor({ timeout: 120_000 });
    await expect(step.textContent()).resolves.toBe('12 / 12');
    await page.getByRole('button', { name: 'Audit this run for leaks' }).waitFor();
    await checkPage('08-train-resumed');
  });

  it('lists the runs, renames one, compares two and exports one report of both', async () => {
    await page.getByLabel('Steps').fill('3');
    await page.getByLabel('Run name (optional)').fill('second run');
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.locator('[data-testid="job-train"][data-status="succeeded"]').waitFor({ timeout: 90_000 });
    await goTo('Reports');
    const table = page.getByTestId('runs-table');
    await expect(table.getByRole('row').count()).resolves.toBe(3);
    await table.getByRole('button', { name: 'Rename the run “first DP run”' }).click();
    await page.getByLabel('New name of the run “first DP run”').fill('DP ε=3, cancelled and resumed');
    await table.getByRole('button', { name: 'Save' }).click();
    await table.getByText('DP ε=3, cancelled and resumed').waitFor();
    for (const box of await table.getByRole('checkbox').all()) await box.check();
    await page.getByRole('button', { name: 'Compare the 2 selected runs' }).click();
    const comparison = page.getByTestId('run-comparison');
    await comparison.getByRole('rowheader', { name: 'ε (lower is more private)' }).waitFor();
    await page.getByRole('button', { name: 'Export one report of the selected runs' }).click();
    await page.getByTestId('report-path').waitFor({ timeout: 90_000 });
    await expect(page.getByTestId('report-path').textContent()).resolves.toMatch(/run-\d+-\d+-report/);
    await checkPage('09-runs');
  });

  it('audits a run and explains the numbers in plain words, with ε, δ, counts and intervals', async () => {
    await goTo('Audit');
    await page.getByLabel('Training run').selectOption({ index: 0 });
    // an audit can be cancelled from its progress line
    await page.getByRole('button', { name: 'Run the audit' }).click();
    await page.getByRole('button', { name: 'Cancel the audit' }).click();
    await page.locator('[data-testid="job-audit"][data-status="cancelled"]').waitFor();
    await page.getByRole('button', { name: 'Run the audit' }).click();
    await page.getByTestId('audit-result').waitFor({ timeout: 150_000 });
    await expect(page.getByTestId('audit-guarantee').textContent()).resolves.toMatch(/ε = \d\.\d\d.*δ = \d/s);
    const explain = (await page.getByTestId('audit-explain').textContent())!.replace(/\s+/g, ' ');
    expect(explain).toMatch(/tested on \d+ notes used in training and \d+ notes kept out/);
    expect(explain).toContain('0.5 is a coin toss');
    await expect(page.getByText(/\(95%: \d\.\d{3}–\d\.\d{3}\)/).count()).resolves.toBeGreaterThan(0);
    await page
      .getByTestId('audit-design-hint')
      .getByText(/Audit design/)
      .waitFor();
    await checkPage('10-audit');
  });

  it('generates text apart from the loading status, joined to the prompt by a space, PII highlighted', async () => {
    await goTo('Playground');
    await page.getByLabel('Fine-tuned adapter').selectOption({ index: 1 });
    await page.getByLabel('Prompt').fill('Discharge summary:');
    await page.getByLabel('Max new tokens').fill('8');
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.locator('[data-testid="job-generate"][data-status="succeeded"]').waitFor({ timeout: 60_000 });
    const output = (await page.getByTestId('generated').textContent()) ?? '';
    expect(output).toMatch(/^Discharge summary:\s\S/);
    expect(output).not.toMatch(/Loading the model/);
    await checkPage('11-playground');
    // the verify buttons of stored reports stay on one line, grow fields fill their row
    await goTo('Reports');
    const verify = page.getByRole('button', { name: /^Verify report \d+$/ }).first();
    const box = await verify.boundingBox();
    expect(box!.height).toBeLessThan(40);
    const [field, input] = await Promise.all([
      page.locator('.field.grow', { has: page.getByLabel('…or a path on this computer') }).boundingBox(),
      page.getByLabel('…or a path on this computer').boundingBox(),
    ]);
    expect(input!.width).toBeGreaterThan(field!.width - 2);
  });

  it('explains where the link is when the page is opened without its token', async () => {
    const other = await browser.newPage({ viewport: { width: 1024, height: 700 } });
    try {
      await other.goto(bridge.url.split('#')[0]!);
      const notice = other.getByTestId('not-connected');
      await notice.waitFor();
      await expect(notice.textContent()).resolves.toMatch(/#token=.*run confidant serve again/s);
      await other.screenshot({ path: join(shots, 'walk-12-no-token.png'), fullPage: true });
    } finally {
      await other.close();
    }
  });

  it('logged no console errors and axe found no serious violations', () => {
    expect(problems).toEqual([]);
    expect(a11y).toEqual({});
  });
});
