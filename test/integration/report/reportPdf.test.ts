// The signed report PDF as poppler (Debian poppler-utils) sees it: every page is drawn, the
// charts and the contents are there as text, fonts are embedded, report.json is a real
// attachment, and verification catches a changed byte, an edited attachment and another key.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src-main/shared/canonicalJson';
import {
  createSignedReport,
  ed25519Signer,
  keyFingerprint,
  reportAttachmentText,
  verifyReport,
  type SignedReport,
} from '../../../src-main/report/index';
import { buildReportFixture, fixedTestKey } from '../../fixtures/report/reportFixture';

const signer = ed25519Signer(fixedTestKey(7));
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });

/** Dark-pixel fraction of a binary PGM (P5), ignoring the bottom 8% (the page-number footer). */
function inkFraction(pgm: Buffer): number {
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 40).toString('latin1'));
  if (!header) throw new Error('not a binary PGM');
  const [, w, h] = header.map(Number) as [number, number, number];
  const pixels = pgm.subarray(header[0].length, header[0].length + w * h);
  const body = pixels.subarray(0, Math.floor(h * 0.92) * w);
  let dark = 0;
  for (const p of body) if (p < 200) dark += 1;
  return dark / body.length;
}

/** The report with its embedded report.json stream replaced by `text`. */
function reembed(pdf: Buffer, text: string): Buffer {
  const objAt = pdf.indexOf('/Type /EmbeddedFile');
  const lengthAt = pdf.indexOf('/Length ', objAt);
  const lengthEnd = pdf.indexOf('\n', lengthAt);
  const streamStart = pdf.indexOf('stream\n', lengthEnd) + 'stream\n'.length;
  const streamEnd = pdf.indexOf('\nendstream', streamStart);
  const data = deflateSync(Buffer.from(text, 'utf8'));
  return Buffer.concat([
    pdf.subarray(0, lengthAt),
    Buffer.from(`/Length ${data.length}`),
    pdf.subarray(lengthEnd, streamStart),
    data,
    pdf.subarray(streamEnd),
  ]);
}

describe('signed report PDF (poppler)', () => {
  let dir: string;
  let report: SignedReport;
  let file: string;
  let text: string;
  let pages: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'confidant-report-'));
    report = await createSignedReport(buildReportFixture(), signer, {
      signedAt: new Date('2026-11-28T12:05:00Z'),
    });
    file = join(dir, 'report.pdf');
    writeFileSync(file, report.pdf);
    text = run('pdftotext', ['-layout', file, '-']);
    pages = Number(/Pages:\s+(\d+)/.exec(run('pdfinfo', [file]))?.[1]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens cleanly in poppler, with the document info from the model', () => {
    const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info.status).toBe(0);
    expect(info.stderr).toBe('');
    expect(info.stdout).toMatch(/Title:\s+Privacy audit: synthetic clinical notes/);
    expect(info.stdout).toMatch(/CreationDate:\s+Sat Nov 28 12:00:00 2026 UTC/);
    expect(pages).toBeGreaterThanOrEqual(10);
  });

  it('draws every page (no blank page), at 20 dpi in grey', () => {
    run('pdftoppm', ['-gray', '-r', '20', file, join(dir, 'page')]);
    const images = readdirSync(dir)
      .filter((f) => f.startsWith('page') && f.endsWith('.pgm'))
      .sort();
    expect(images).toHaveLength(pages);
    const ink = images.map((f) => inkFraction(readFileSync(join(dir, f))));
    for (const [i, fraction] of ink.entries()) expect(fraction, `page ${i + 1}`).toBeGreaterThan(0.005);
  });

  it('embeds every font (DejaVu subsets only)', () => {
    const fonts = run('pdffonts', [file]).trim().split('\n').slice(2);
    expect(fonts.length).toBe(3);
    for (const line of fonts) {
      expect(line).toMatch(/DejaVu/);
      expect(line).toMatch(/\byes\s+yes\s+yes\b/);
    }
  });

  it('has the charts, as vector text (axis titles and legends)', () => {
    for (const label of [
      'Training and held-out loss',
      'Optimizer step',
      'Membership-inference AUC by attack',
      'Membership inference ROC: baseline (no DP)',
      'Membership inference ROC: dp-eps3',
      'False positive rate (non-members flagged)',
      'Canary exposure by number of repetitions',
      'Times each canary appears in the training data',
      'Privacy loss: guaranteed maximum vs measured minimum',
      'ε (lower is more private)',
    ]) {
      expect(text, label).toContain(label);
    }
  });

  it('has the verdicts, the key numbers, page numbers and a table of contents with their pages', () => {
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('The private model did not measurably leak its training data.');
    expect(flat).toContain('The model leaked its training data.');
    expect(flat).toMatch(/ε = 2\.99, δ = 1e-5/);
    expect(text).toContain('0.846'); // strongest attack AUC, non-private run
    expect(text).toContain('1.0623'); // σ
    expect(text).toContain(keyFingerprint(signer.publicKey).slice(0, 4));
    expect(text).toContain(`Page 1 of ${pages}`);
    expect(text).toContain(`Page ${pages} of ${pages}`);
    // Each contents line ends with the page where that section's heading really is.
    const pageTexts = text.split('\f');
    const toc = pageTexts[1] ?? '';
    expect(toc).toContain('Contents');
    const entries = [...toc.matchAll(/^\s*(\d+\.(?:\d+)? [^\n]*?)\s*\.*\s+(\d+)\s*$/gm)];
    expect(entries.length).toBeGreaterThanOrEqual(20);
    for (const [, title, page] of entries) {
      const heading = title!.replace(/\s+/g, ' ').trim();
      expect(pageTexts[Number(page) - 1]?.replace(/\s+/g, ' '), heading).toContain(heading);
    }
  });

  it('states that the DP noise and sampling randomness are not recorded', () => {
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('Deliberately not recorded: the privacy randomness');
    expect(flat).toContain('Poisson sampling of each training batch');
  });

  it('says what ε covers and what it does not, and shows each AUC with its interval and counts (issue 18)', () => {
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('What ε covers, and what it does not');
    expect(flat).toContain('The evaluation split and the audit holdout');
    expect(flat).toContain('early stopping');
    expect(flat).toContain('extraction and PII-leakage examples quote training text');
    expect(flat).toContain('Counts: numbers of records, patients');
    expect(flat).toMatch(/HMAC-SHA-256/);
    expect(flat).toMatch(/AUC \[95%/);
    expect(flat).toContain('(500 members + 500 non- members; 0.50 = guessing)');
  });

  it('prints a loud warning when the measured ε lower bound exceeds the guarantee', async () => {
    const broken = buildReportFixture();
    broken.runs[1]!.audit!.epsilonLowerBound!.epsilonLowerBound = 3.4;
    const pdf = join(dir, 'broken.pdf');
    writeFileSync(pdf, (await createSignedReport(broken, signer)).pdf);
    const flat = run('pdftotext', [pdf, '-']).replace(/\s+/g, ' ');
    expect(flat).toContain('Privacy guarantee broken'); // verdict page
    expect(flat).toContain('WARNING: dp-eps3 leaks more than its guarantee allows');
    expect(flat).toContain('Measured lower bound ε ≥ 3.400 exceeds the theoretical ε = 2.987.');
    expect(text.replace(/\s+/g, ' ')).not.toContain('WARNING:');
  });

  it('attaches report.json, which poppler extracts as the signed model', () => {
    expect(run('pdfdetach', ['-list', file])).toContain('report.json');
    const out = join(dir, 'extracted.json');
    run('pdfdetach', ['-savefile', 'report.json', '-o', out, file]);
    expect(canonicalJson(JSON.parse(readFileSync(out, 'utf8')))).toBe(canonicalJson(buildReportFixture()));
  });

  it('verifies the original', () => {
    const v = verifyReport(readFileSync(file), {
      trustedKeyFingerprints: [keyFingerprint(signer.publicKey)],
    });
    expect(v.problems).toEqual([]);
    expect(v.valid).toBe(true);
  });

  it('fails on a one-byte change in the middle of the PDF, which still opens', () => {
    const copy = Buffer.from(report.pdf);
    const middle = Math.floor(copy.length / 2);
    copy[middle] = copy[middle]! ^ 0x20;
    const v = verifyReport(copy);
    expect(v.valid).toBe(false);
    expect(v.problems.map((p) => p.code)).toContain('pdf-changed');
  });

  it('fails on an edited embedded JSON, and names it; poppler sees the edited JSON', () => {
    const edited = buildReportFixture();
    edited.runs[0]!.audit!.membership.attacks[1]!.auc = 0.55;
    const tampered = join(dir, 'tampered.pdf');
    writeFileSync(tampered, reembed(report.pdf, reportAttachmentText(edited)));
    const out = join(dir, 'tampered.json');
    run('pdfdetach', ['-savefile', 'report.json', '-o', out, tampered]);
    expect(JSON.parse(readFileSync(out, 'utf8')).runs[0].audit.membership.attacks[1].auc).toBe(0.55);
    const v = verifyReport(readFileSync(tampered));
    expect(v.problems.map((p) => p.code)).toEqual(['pdf-changed', 'json-changed']);
  });

  it('fails when signed by a different key than the trusted one', async () => {
    const other = await createSignedReport(buildReportFixture(), ed25519Signer(fixedTestKey(8)), {
      signedAt: new Date('2026-11-28T12:05:00Z'),
    });
    const v = verifyReport(other.pdf, { trustedKeyFingerprints: [keyFingerprint(signer.publicKey)] });
    expect(v.valid).toBe(false);
    expect(v.problems.map((p) => p.code)).toEqual(['unknown-key']);
    expect(v.signer?.keyFingerprint).toBe(keyFingerprint(fixedTestKey(8)));
  });

  it('has an "Unlearning certificate" section for a model that forgot a patient, and stays verifiable', async () => {
    const model = buildReportFixture();
    const evidence = (auc: number, loss: number) => ({
      membershipAucLoss: auc,
      membershipAucReference: auc + 0.01,
      membershipAuc: auc + 0.01,
      forgetLoss: loss,
      nonMemberLoss: 2.9,
      extractionExactRate: auc > 0.8 ? 1 : 0,
      evalPerplexity: 18.2,
      retainPerplexity: 12.1,
    });
    model.runs[1]!.unlearning = {
      version: 1,
      runId: 2,
      method: 'shard',
      forgetSetSha256: 'ab'.repeat(32),
      forgottenRecords: 8,
      forgottenSubjects: 1,
      notTrainedOn: 0,
      nonMembers: 40,
      before: evidence(0.97, 0.4),
      after: evidence(0.51, 2.95),
      newRunId: 9,
      shards: { total: 4, retrained: [{ index: 2, fromRunId: 5, runId: 10 }] },
      neverSawForgetRecords: true,
      gradientAscent: null,
      checks: [{ name: 'membership-at-chance', passed: true, detail: 'AUC 0.980 → 0.520 (target ≤ 0.55)' }],
      verdict: 'pass',
      explanation: 'The adapter was trained with differential privacy per patient: already bounded by ε.',
    };
    const signed = await createSignedReport(model, signer, { signedAt: new Date('2026-11-28T12:05:00Z') });
    const path = join(dir, 'unlearning.pdf');
    writeFileSync(path, signed.pdf);
    const pdfText = run('pdftotext', ['-layout', path, '-']);
    expect(pdfText.match(/Unlearning certificate/g)!.length).toBeGreaterThanOrEqual(2); // contents + section
    expect(pdfText).toMatch(/Retrained 1 of 4 shards: shard 3 \(run 5 → run 10\)/);
    expect(pdfText).toMatch(/What differential privacy already guaranteed/);
    expect(pdfText).toMatch(/Membership AUC, reference attack\s+0\.980\s+0\.520/);
    expect(verifyReport(signed.pdf).valid).toBe(true);
    expect(text).not.toMatch(/Unlearning certificate/); // only when someone was forgotten
  });
});
