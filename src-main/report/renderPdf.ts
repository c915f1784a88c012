/**
 * Renders a report model to an (unsigned) PDF: the verdict page, a table of contents with
 * page numbers, every section, "page X of Y" on each page, embedded DejaVu fonts, charts as
 * vectors, and the model itself attached as report.json. The output depends only on the
 * model and the signature info: CreationDate comes from `model.createdAt` and pdfkit derives
 * the document ID from the info dictionary, so the same input gives the same bytes.
 */
import PDFDocument from 'pdfkit';
import { PdfWriter, MUTED_COLOR, TEXT_COLOR } from './pdfWriter.js';
import { renderReportCharts } from './reportCharts.js';
import { FONT_BOLD, FONT_MONO, FONT_REGULAR, reportFontFiles } from './reportFonts.js';
import { formatUtc } from './reportFormat.js';
import { isPrivateRun, type ReportModel } from './reportModel.js';
import {
  environmentSection,
  reproducibilitySection,
  signatureSection,
  type SignatureBlockInfo,
} from './reportRecordSections.js';
import { attacksSection } from './attackSections.js';
import {
  datasetSection,
  epsilonSection,
  modelSection,
  privacySection,
  trainingSection,
} from './reportSections.js';
import { unlearningSection } from './unlearningSection.js';
import { runVerdict } from './verdictText.js';

/** Name of the attachment holding the report model. */
export const REPORT_ATTACHMENT_NAME = 'report.json';

export interface RenderPdfOptions {
  /** Printed in the signature block; null renders an unsigned copy. */
  signature: SignatureBlockInfo | null;
}

/** The JSON text embedded in the PDF (indented for people; the signature uses canonical JSON). */
export function reportAttachmentText(model: ReportModel): string {
  return `${JSON.stringify(model, null, 2)}\n`;
}

function coverPage(w: PdfWriter, model: ReportModel): void {
  const { doc } = w;
  doc
    .font(FONT_BOLD)
    .fontSize(9.5)
    .fillColor(MUTED_COLOR)
    .text('CONFIDANT · PRIVACY AUDIT REPORT', { characterSpacing: 1.2 });
  doc.moveDown(0.6);
  doc.font(FONT_BOLD).fontSize(24).fillColor(TEXT_COLOR).text(model.title, { width: w.width });
  doc.moveDown(0.3);
  doc
    .font(FONT_REGULAR)
    .fontSize(10.5)
    .fillColor(MUTED_COLOR)
    .text(
      `Dataset: ${model.dataset.name} · ${model.runs.length} trained model(s) · ${formatUtc(model.createdAt)}`,
    );
  doc.moveDown(1.2);
  doc.font(FONT_BOLD).fontSize(14).fillColor(TEXT_COLOR).text('The verdict');
  doc.moveDown(0.5);
  for (const run of model.runs) {
    const verdict = runVerdict(run);
    const kind = isPrivateRun(run) ? 'private training' : 'no privacy guarantee';
    w.callout(verdict.tone, verdict.headline, verdict.facts, {
      large: true,
      kicker: `MODEL “${run.training.runName}” · ${kind}`.toUpperCase(),
    });
    if (verdict.boundViolation)
      w.callout('fail', 'Privacy guarantee broken', [verdict.boundViolation], { large: true });
  }
  if (model.comparison && model.comparison.length > 0) {
    w.ensureSpace(80);
    doc.font(FONT_BOLD).fontSize(12).fillColor(TEXT_COLOR).text('Comparing the models', w.left, doc.y);
    doc.moveDown(0.4);
    w.bullets(model.comparison, { size: 10 });
  }
  w.ensureSpace(40);
  w.paragraph(
    'How to read this report: section 3 explains the privacy guarantee in plain words; section 5 shows each ' +
      'attack that was run against the models; the attached report.json holds every number, and the ' +
      'signature (last section) proves that neither was changed.',
    { size: 9, color: MUTED_COLOR },
  );
}

/** Renders the PDF; resolves to its bytes. */
export async function renderReportPdf(model: ReportModel, options: RenderPdfOptions): Promise<Buffer> {
  const charts = await renderReportCharts(model);
  const fonts = reportFontFiles();
  const createdAt = new Date(model.createdAt);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 60, left: 56, right: 56 },
    bufferPages: true,
    pdfVersion: '1.7',
    displayTitle: true,
    lang: 'en',
    info: {
      Title: model.title,
      Author: 'Confidant',
      Subject: `Privacy audit of ${model.runs.map((r) => r.training.runName).join(', ')} on ${model.dataset.name}`,
      Creator: `Confidant ${model.appVersion}`,
      Producer: 'Confidant (PDFKit)',
      CreationDate: createdAt,
      ModDate: createdAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  doc.registerFont(FONT_REGULAR, fonts.regular);
  doc.registerFont(FONT_BOLD, fonts.bold);
  doc.registerFont(FONT_MONO, fonts.mono);
  // Not the `font` constructor option: pdfkit 0.17 then re-reads a registered font that has
  // the same PostScript name as the default on every font() call (seconds per report).
  doc.font(FONT_REGULAR);

  const w = new PdfWriter(doc);
  coverPage(w, model);
  w.newPage(); // page 2: contents, written last when every page number is known
  const tocPage = w.currentPage();
  w.newPage();
  datasetSection(w, model);
  modelSection(w, model);
  privacySection(w, model);
  trainingSection(w, model, charts);
  attacksSection(w, model, charts);
  epsilonSection(w, model, charts);
  unlearningSection(w, model);
  reproducibilitySection(w, model);
  environmentSection(w, model);
  signatureSection(w, options.signature);
  w.writeToc(tocPage);
  w.writeFooters(model.title);

  doc.file(Buffer.from(reportAttachmentText(model), 'utf8'), {
    name: REPORT_ATTACHMENT_NAME,
    type: 'application/json',
    description: 'The report data (Confidant report model, version 1); signed with this PDF.',
    creationDate: createdAt,
    modifiedDate: createdAt,
  });
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}
