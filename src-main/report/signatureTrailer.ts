/**
 * The signature trailer appended to a report PDF. After the PDF's own final "%%EOF" comes
 *
 *   %ConfidantReportSignature {canonical JSON of SignatureRecord}
 *   startxref
 *   <the PDF's own startxref offset>
 *   %%EOF
 *
 * A PDF comment is ignored by every reader, and repeating the PDF's startxref keeps the file
 * ending the way readers look for it (poppler searches the last kilobyte), so the signed file
 * opens exactly as the unsigned one. Every byte of the trailer is checked on verification:
 * the record is signed, and the repeated startxref must equal the body's.
 */
import { z } from 'zod';
import { canonicalJson } from '../shared/canonicalJson.js';

export const TRAILER_MARKER = '%ConfidantReportSignature ';
export const SIGNATURE_FORMAT = 'confidant-report-signature';

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/** What is signed: the canonical JSON of this object. */
export const SignedStatementSchema = z
  .object({
    format: z.literal(SIGNATURE_FORMAT),
    version: z.literal(1),
    algorithm: z.literal('Ed25519'),
    /** SHA-256 of the PDF bytes before the trailer. */
    pdfSha256: Hex64,
    /** SHA-256 of the canonical JSON (RFC 8785) of the embedded report model. */
    reportJsonSha256: Hex64,
    signedAt: z.iso.datetime(),
    /** SPKI DER, base64. */
    publicKey: z.string().min(1),
    keyFingerprint: Hex64,
    /**
     * Where the report data came from: 'store' when Confidant assembled it from its own runs,
     * 'supplied-json' when `report render --input` signed a model someone handed it (the
     * numbers may have been edited by hand). Absent in reports signed before this field.
     */
    source: z.enum(['store', 'supplied-json']).optional(),
  })
  .strict();

export const SignatureRecordSchema = SignedStatementSchema.extend({
  /** Ed25519 signature of canonicalJson(statement), base64. */
  signature: z.string().min(1),
}).strict();

export type SignedStatement = z.infer<typeof SignedStatementSchema>;
export type ReportSource = NonNullable<SignedStatement['source']>;
export type SignatureRecord = z.infer<typeof SignatureRecordSchema>;

/** The bytes the signature covers. */
export function statementBytes(statement: SignedStatement): Buffer {
  return Buffer.from(canonicalJson(statement), 'utf8');
}

/** "startxref\n<n>\n%%EOF\n" at the end of an unsigned pdfkit PDF, or null. */
export function pdfTail(body: Buffer): string | null {
  const tail = body.subarray(Math.max(0, body.length - 64)).toString('latin1');
  const match = /startxref\n\d+\n%%EOF\n$/.exec(tail);
  return match ? match[0] : null;
}

export function formatTrailer(body: Buffer, record: SignatureRecord): Buffer {
  const tail = pdfTail(body);
  if (!tail) throw new Error('the PDF does not end with startxref/%%EOF; cannot sign it');
  return Buffer.from(`${TRAILER_MARKER}${canonicalJson(record)}\n${tail}`, 'latin1');
}

export type SplitResult =
  | { kind: 'unsigned' }
  | { kind: 'damaged'; body: Buffer; detail: string }
  | { kind: 'signed'; body: Buffer; record: SignatureRecord };

/** Separates a signed PDF into the signed body and its signature record. */
export function splitSignedPdf(file: Buffer): SplitResult {
  const at = file.lastIndexOf(`\n${TRAILER_MARKER}`, undefined, 'latin1');
  if (at < 0) return { kind: 'unsigned' };
  const body = file.subarray(0, at + 1);
  const trailer = file.subarray(at + 1).toString('latin1');
  const newline = trailer.indexOf('\n');
  const damaged = (detail: string): SplitResult => ({ kind: 'damaged', body, detail });
  if (newline < 0) return damaged('the signature trailer is cut short');
  const expectedTail = pdfTail(body);
  const actualTail = trailer.slice(newline + 1);
  if (
    expectedTail !== null &&
    actualTail.startsWith(expectedTail) &&
    actualTail.length > expectedTail.length
  ) {
    return damaged('content was appended after the signature (the PDF was edited and saved again)');
  }
  if (expectedTail === null || actualTail !== expectedTail) {
    return damaged('the bytes after the signature record were changed');
  }
  const jsonText = Buffer.from(trailer.slice(TRAILER_MARKER.length, newline), 'latin1').toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(jsonText);
  } catch {
    return damaged('the signature record is not valid JSON');
  }
  const parsed = SignatureRecordSchema.safeParse(json);
  if (!parsed.success)
    return damaged(`the signature record is malformed (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  if (canonicalJson(parsed.data) !== jsonText) return damaged('the signature record was re-formatted');
  return { kind: 'signed', body, record: parsed.data };
}
