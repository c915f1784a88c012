// Signing and verification (Ed25519, RFC 8032) without poppler: every byte of a signed report
// is protected, and each kind of tampering is named.
import { beforeAll, describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import { canonicalJson } from '../../../src-main/shared/canonicalJson';
import { keyFingerprint } from '../../../src-main/report/keyFingerprint';
import { renderReportPdf, reportAttachmentText } from '../../../src-main/report/renderPdf';
import { createSignedReport, ed25519Signer, type SignedReport } from '../../../src-main/report/signReport';
import { splitSignedPdf, statementBytes, TRAILER_MARKER } from '../../../src-main/report/signatureTrailer';
import { verifyReport } from '../../../src-main/report/verifyReport';
import { buildReportFixture, fixedTestKey } from '../../fixtures/report/reportFixture';

const signedAt = new Date('2026-11-28T12:05:00.000Z');
const signer = ed25519Signer(fixedTestKey(1));
const otherSigner = ed25519Signer(fixedTestKey(2));
const codes = (file: Buffer, trusted?: string[]) =>
  verifyReport(file, trusted ? { trustedKeyFingerprints: trusted } : {}).problems.map((p) => p.code);

/** Replaces the embedded report.json stream with `text` (deflated), fixing /Length. */
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

describe('signed report verification', () => {
  let report: SignedReport;
  beforeAll(async () => {
    report = await createSignedReport(buildReportFixture(), signer, { signedAt });
  });

  it('accepts the original and names the signer', () => {
    const v = verifyReport(report.pdf, { trustedKeyFingerprints: [keyFingerprint(signer.publicKey)] });
    expect(v.problems).toEqual([]);
    expect(v.valid).toBe(true);
    expect(v.signer).toEqual({
      keyFingerprint: keyFingerprint(signer.publicKey),
      algorithm: 'Ed25519',
      trusted: true,
    });
    expect(v.signedAt).toBe(signedAt.toISOString());
    expect(canonicalJson(v.model)).toBe(canonicalJson(buildReportFixture()));
  });

  it('is deterministic: same model, key and time give the same bytes', async () => {
    const again = await createSignedReport(buildReportFixture(), signer, { signedAt });
    expect(again.pdf.equals(report.pdf)).toBe(true);
  });

  it('detects a one-byte change at 400 positions spread over the whole file, trailer included', () => {
    const file = report.pdf;
    const trailerStart = file.lastIndexOf(`\n${TRAILER_MARKER}`) + 1;
    const positions = new Set<number>();
    for (let i = 0; i < 300; i++) positions.add(Math.floor((i * (file.length - 1)) / 299));
    for (let i = 0; i < 100; i++)
      positions.add(trailerStart + Math.floor((i * (file.length - 1 - trailerStart)) / 99));
    let undetected = 0;
    for (const at of positions) {
      const copy = Buffer.from(file);
      copy[at] = copy[at]! ^ 0x01;
      if (verifyReport(copy).valid) undetected += 1;
    }
    expect(undetected).toBe(0);
  });

  it('names a change in the PDF body, leaving the JSON intact', () => {
    const copy = Buffer.from(report.pdf);
    const at = copy.indexOf('Privacy audit: synthetic clinical notes');
    copy[at] = 'p'.charCodeAt(0);
    expect(codes(copy)).toEqual(['pdf-changed']);
  });

  it('names an edited embedded JSON (re-embedded with a changed AUC)', () => {
    const edited = buildReportFixture();
    edited.runs[0]!.audit!.membership.attacks[0]!.auc = 0.5;
    const copy = reembed(report.pdf, reportAttachmentText(edited));
    expect(codes(copy)).toEqual(['pdf-changed', 'json-changed']);
  });

  it('names a missing embedded JSON', async () => {
    // An attacker re-renders the PDF without the attachment and keeps the old signature.
    const body = (await renderReportPdf(buildReportFixture(), { signature: null })).toString('latin1');
    const stripped = body.replace('/F (report.json)', '/F (renamed.jsn)');
    const trailer = report.pdf.subarray(report.pdf.lastIndexOf(`\n${TRAILER_MARKER}`) + 1);
    const tail = /startxref\n\d+\n%%EOF\n$/.exec(stripped)![0];
    const forged = Buffer.concat([
      Buffer.from(stripped, 'latin1'),
      Buffer.from(trailer.toString('latin1').replace(/startxref\n\d+\n%%EOF\n$/, tail), 'latin1'),
    ]);
    expect(codes(forged)).toEqual(['pdf-changed', 'json-missing']);
  });

  it('refuses a signature record whose key was swapped, and flags an untrusted re-signer', () => {
    const split = splitSignedPdf(report.pdf);
    if (split.kind !== 'signed') throw new Error('expected a signed file');
    const otherKey = otherSigner.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const swapped = {
      ...split.record,
      publicKey: otherKey,
      keyFingerprint: keyFingerprint(otherSigner.publicKey),
    };
    const tail = /startxref\n\d+\n%%EOF\n$/.exec(split.body.toString('latin1'))![0];
    const withRecord = (record: object) =>
      Buffer.concat([
        split.body,
        Buffer.from(`${TRAILER_MARKER}${canonicalJson(record)}\n${tail}`, 'latin1'),
      ]);
    expect(codes(withRecord(swapped))).toEqual(['signature-invalid']);

    const { signature: _old, ...statement } = swapped;
    const resigned = {
      ...statement,
      signature: otherSigner.sign(statementBytes(statement)).toString('base64'),
    };
    expect(codes(withRecord(resigned))).toEqual([]);
    expect(codes(withRecord(resigned), [keyFingerprint(signer.publicKey)])).toEqual(['unknown-key']);
  });

  it('names content appended after the signature (an incremental update)', () => {
    const appended = Buffer.concat([report.pdf, Buffer.from('1 0 obj\n<<>>\nendobj\n%%EOF\n')]);
    const v = verifyReport(appended);
    expect(v.problems.map((p) => p.code)).toEqual(['trailer-damaged']);
    expect(v.problems[0]?.message).toContain('content was appended after the signature');
  });

  it('says "not signed" for an unsigned PDF', async () => {
    const body = await renderReportPdf(buildReportFixture(), { signature: null });
    expect(codes(body)).toEqual(['not-signed']);
  });

  it('marks a report rendered from hand-supplied JSON inside the signed record; the mark cannot be removed', async () => {
    expect(verifyReport(report.pdf).source).toBe('store');
    const supplied = await createSignedReport(buildReportFixture(), signer, {
      signedAt,
      source: 'supplied-json',
    });
    expect(verifyReport(supplied.pdf).source).toBe('supplied-json');
    // the PDF itself says so too (the signature section's callout, in the signed bytes)
    expect(supplied.pdf.length).toBeGreaterThan(report.pdf.length);
    const split = splitSignedPdf(supplied.pdf);
    if (split.kind !== 'signed') throw new Error('expected a signed PDF');
    const { source: _source, ...unmarked } = split.record;
    const tail = /startxref\n\d+\n%%EOF\n$/.exec(split.body.toString('latin1'))![0];
    const stripped = Buffer.concat([
      split.body,
      Buffer.from(`${TRAILER_MARKER}${canonicalJson(unmarked)}\n${tail}`, 'latin1'),
    ]);
    expect(codes(stripped)).toEqual(['signature-invalid']);
  });
});
