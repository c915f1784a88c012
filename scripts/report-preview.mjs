// Renders the two-run report fixture (test/fixtures/report) to a signed PDF and writes its
// verdict page as docs/images/report-page.png for the README (poppler's pdftoppm, 60 dpi).
//   node scripts/report-preview.mjs [--pdf out.pdf]
// Signed with a fixed test key: the preview is a picture, not a report anyone should trust.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

if (!process.execArgv.some((arg) => arg.includes('tsx'))) {
  // The report code is TypeScript: run again through tsx.
  const child = spawnSync(process.execPath, ['--import', 'tsx', ...process.argv.slice(1)], {
    cwd: root,
    stdio: 'inherit',
  });
  process.exit(child.status ?? 1);
}

const { createSignedReport, ed25519Signer } = await import('../src-main/report/index.ts');
const { buildReportFixture, fixedTestKey } = await import('../test/fixtures/report/reportFixture.ts');

const model = buildReportFixture();
const report = await createSignedReport(model, ed25519Signer(fixedTestKey(1)), {
  signedAt: new Date(model.createdAt),
});
const work = mkdtempSync(join(tmpdir(), 'confidant-preview-'));
try {
  const pdfIndex = process.argv.indexOf('--pdf');
  const pdf =
    pdfIndex > 0 && process.argv[pdfIndex + 1] ? process.argv[pdfIndex + 1] : join(work, 'report.pdf');
  writeFileSync(pdf, report.pdf);
  const images = join(root, 'docs', 'images');
  mkdirSync(images, { recursive: true });
  const png = spawnSync(
    'pdftoppm',
    ['-r', '60', '-png', '-f', '1', '-l', '1', '-singlefile', pdf, join(work, 'page')],
    {
      stdio: 'inherit',
    },
  );
  if (png.status !== 0) {
    console.error('pdftoppm failed: install poppler-utils (apt-get install poppler-utils).');
    process.exit(1);
  }
  copyFileSync(join(work, 'page.png'), join(images, 'report-page.png'));
  console.log(`Wrote docs/images/report-page.png (verdict page of a ${report.pdf.length}-byte signed PDF).`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
