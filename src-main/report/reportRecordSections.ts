/**
 * The record-keeping sections at the end of the report: reproducibility (versions, seeds,
 * hashes, configurations, and the randomness that is deliberately never recorded), the
 * environment, and the signature block.
 */
import type { PdfWriter } from './pdfWriter.js';
import { formatHash, formatUtc } from './reportFormat.js';
import { NEVER_RECORDED_STATEMENT, type ReportModel } from './reportModel.js';

/** What the signature block prints; known before the PDF is written (the key is). */
export interface SignatureBlockInfo {
  algorithm: 'Ed25519';
  /** SHA-256 of the public key (SPKI DER), hex. */
  keyFingerprint: string;
  /** ISO 8601. */
  signedAt: string;
  /** 'supplied-json': rendered by `report render --input` from data handed to Confidant. */
  source?: 'store' | 'supplied-json';
}

/** Nested configuration as "a.b.c = value" lines. */
export function flattenConfig(value: unknown, prefix = ''): [string, string][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    if (entries.length === 0) return [[prefix || '(empty)', '{}']];
    return entries.flatMap(([k, v]) => flattenConfig(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix || '(value)', JSON.stringify(value) ?? 'undefined']];
}

export function reproducibilitySection(w: PdfWriter, model: ReportModel): void {
  const r = model.reproducibility;
  w.newPage();
  w.section('Reproducibility');
  w.paragraph(
    'Everything needed to rerun this work: software versions, every seed, the fingerprints of every input ' +
      'and the full configuration of each run.',
  );
  w.callout('info', 'Deliberately not recorded: the privacy randomness', [NEVER_RECORDED_STATEMENT]);
  w.subsection('Software versions');
  w.keyValues(Object.entries(r.versions).map(([k, v]) => [k, v] as const));
  w.subsection('Seeds');
  w.keyValues([
    ...Object.entries(r.seeds).map(([k, v]) => [k, String(v)] as const),
    ...model.runs.map((run) => [`run ${run.training.runName}`, String(run.training.seed)] as const),
  ]);
  w.subsection('Fingerprints (SHA-256)');
  w.keyValues(
    Object.entries(r.hashes).map(([k, v]) => [k, formatHash(v)] as const),
    { mono: true, labelWidth: 150 },
  );
  if (r.commands.length > 0) {
    w.subsection('Commands');
    w.keyValues(
      r.commands.map((c, i) => [`${i + 1}.`, c] as const),
      { mono: true, labelWidth: 24 },
    );
  }
  for (const run of model.runs) {
    w.subsection(`Configuration of ${run.training.runName}`);
    w.keyValues(flattenConfig(run.training.config), { mono: true, labelWidth: 190 });
  }
}

export function environmentSection(w: PdfWriter, model: ReportModel): void {
  const e = model.environment;
  w.newPage();
  w.section('Environment');
  w.keyValues([
    ['Confidant version', e.appVersion],
    ['Operating system', e.os],
    ['Node.js', e.node],
    ['Compute backend', e.backend],
    ['CPU', e.cpu],
    ['Memory', `${e.memoryGiB.toFixed(1)} GiB`],
    ['GPU', e.gpu ?? 'none used'],
    ['Report created', formatUtc(model.createdAt)],
  ]);
  w.table(
    [
      { header: 'Run', width: 0.25 },
      { header: 'App', width: 0.15 },
      { header: 'Backend', width: 0.2 },
      { header: 'OS', width: 0.25 },
      { header: 'Node', width: 0.15 },
    ],
    model.runs.map((run) => {
      const env = run.training.environment;
      return [run.training.runName, env.appVersion, env.backend, env.os, env.node];
    }),
  );
}

export function signatureSection(w: PdfWriter, signature: SignatureBlockInfo | null): void {
  w.ensureSpace(260);
  w.section('Signature');
  if (!signature) {
    w.callout('warn', 'This copy is not signed', [
      'Nothing proves that this file is what Confidant produced. Ask for the signed report.',
    ]);
    return;
  }
  w.paragraph(
    'This report is digitally signed by the Confidant installation that produced it. The signature, appended ' +
      'after the last byte of the PDF, covers (1) every byte of this PDF as written, and (2) the canonical JSON ' +
      '(RFC 8785) of the report data, which is attached to this PDF as report.json. Changing one character ' +
      'of either makes verification fail.',
  );
  if (signature.source === 'supplied-json') {
    w.callout('warn', 'Rendered from hand-supplied report data', [
      'This PDF was rendered with `confidant report render --input` from a report.json file given to ' +
        'Confidant, not assembled from the runs in its store. The signature proves who rendered it, not ' +
        'that its numbers came from a real training run.',
    ]);
  }
  w.keyValues([
    ['Algorithm', 'Ed25519 (RFC 8032)'],
    ['Signed at', formatUtc(signature.signedAt)],
    ['Covers', 'SHA-256 of the PDF bytes and SHA-256 of the canonical report.json'],
    [
      'Report data from',
      signature.source === 'supplied-json'
        ? 'a hand-supplied report.json (report render --input)'
        : 'this installation’s own runs',
    ],
  ]);
  w.keyValues([['Signer key fingerprint (SHA-256)', formatHash(signature.keyFingerprint)]], {
    mono: true,
    labelWidth: 150,
  });
  w.paragraph('To check this file: confidant report verify report.pdf', { size: 10 });
}
