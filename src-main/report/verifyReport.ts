/**
 * Verifies a signed report PDF and explains what, if anything, was changed: the signature
 * record itself, the PDF bytes, the embedded report.json, or the signer (a key other than
 * the ones the caller trusts). It needs no PDF library: the trailer and the attachment are
 * located by their exact byte layout (signatureTrailer.ts, embeddedReportJson.ts).
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../shared/canonicalJson.js';
import { readEmbeddedFile } from './embeddedReportJson.js';
import { keyFingerprint } from './keyFingerprint.js';
import { REPORT_ATTACHMENT_NAME } from './renderPdf.js';
import { ReportModelSchema, type ReportModel } from './reportModel.js';
import { splitSignedPdf, statementBytes, type SignatureRecord } from './signatureTrailer.js';

export type VerificationProblemCode =
  | 'not-signed'
  | 'trailer-damaged'
  | 'signature-invalid'
  | 'pdf-changed'
  | 'json-missing'
  | 'json-invalid'
  | 'json-changed'
  | 'unknown-key';

export interface VerificationProblem {
  code: VerificationProblemCode;
  message: string;
}

export interface ReportVerification {
  valid: boolean;
  problems: VerificationProblem[];
  signer: { keyFingerprint: string; algorithm: 'Ed25519'; trusted: boolean | null } | null;
  signedAt: string | null;
  /**
   * What the signature says about the report data's origin: 'store' (assembled from the
   * signer's own runs), 'supplied-json' (`report render --input`: data handed in, possibly
   * edited by hand), or null (signed before the field existed, or not signed).
   */
  source: 'store' | 'supplied-json' | null;
  pdfSha256: { signed: string; actual: string } | null;
  reportJsonSha256: { signed: string; actual: string | null } | null;
  /** The embedded model when it could be read and validated. */
  model: ReportModel | null;
}

export interface VerifyOptions {
  /**
   * Fingerprints (hex SHA-256 of SPKI) of keys to accept; when given, any other signer fails
   * with 'unknown-key'. Without it the signer is not checked (trusted: null): callers that
   * answer a user (the CLI, the app) always pass the store's own key and its trust list.
   */
  trustedKeyFingerprints?: readonly string[];
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function publicKeyOf(record: SignatureRecord): KeyObject | null {
  try {
    const key = createPublicKey({
      key: Buffer.from(record.publicKey, 'base64'),
      format: 'der',
      type: 'spki',
    });
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

function readModel(body: Buffer): {
  model: ReportModel | null;
  canonical: string | null;
  problem: VerificationProblem | null;
} {
  const embedded = readEmbeddedFile(body, REPORT_ATTACHMENT_NAME);
  if (!embedded.ok) {
    return {
      model: null,
      canonical: null,
      problem: {
        code: embedded.reason === 'missing' ? 'json-missing' : 'json-invalid',
        message:
          embedded.reason === 'missing'
            ? 'The embedded report data (report.json) is missing from the PDF.'
            : `The embedded report data (report.json) cannot be read: ${embedded.detail}.`,
      },
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(embedded.text);
  } catch {
    return {
      model: null,
      canonical: null,
      problem: { code: 'json-invalid', message: 'The embedded report.json is not valid JSON.' },
    };
  }
  const canonical = (() => {
    try {
      return canonicalJson(json);
    } catch {
      return null;
    }
  })();
  const parsed = ReportModelSchema.safeParse(json);
  return {
    model: parsed.success ? parsed.data : null,
    canonical,
    problem: parsed.success
      ? null
      : {
          code: 'json-invalid',
          message: `The embedded report.json is not a valid report model (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'}).`,
        },
  };
}

export function verifyReport(file: Buffer, options: VerifyOptions = {}): ReportVerification {
  const result: ReportVerification = {
    valid: false,
    problems: [],
    signer: null,
    signedAt: null,
    source: null,
    pdfSha256: null,
    reportJsonSha256: null,
    model: null,
  };
  const split = splitSignedPdf(file);
  if (split.kind === 'unsigned') {
    result.problems.push({ code: 'not-signed', message: 'This PDF carries no Confidant signature.' });
    return result;
  }
  if (split.kind === 'damaged') {
    result.problems.push({
      code: 'trailer-damaged',
      message: `The signature was tampered with or damaged: ${split.detail}.`,
    });
    return result;
  }
  const { body, record } = split;
  result.signedAt = record.signedAt;
  const { signature, ...statement } = record;
  const key = publicKeyOf(record);
  const signatureOk = (() => {
    if (key === null || keyFingerprint(key) !== record.keyFingerprint) return false;
    try {
      return verify(null, statementBytes(statement), key, Buffer.from(signature, 'base64'));
    } catch {
      return false;
    }
  })();
  if (!signatureOk) {
    result.problems.push({
      code: 'signature-invalid',
      message: 'The signature does not match the signed record: the signature block was edited or forged.',
    });
    return result;
  }
  const trusted = options.trustedKeyFingerprints
    ? options.trustedKeyFingerprints
        .map((f) => f.toLowerCase().replace(/[^0-9a-f]/g, ''))
        .includes(record.keyFingerprint)
    : null;
  result.signer = { keyFingerprint: record.keyFingerprint, algorithm: 'Ed25519', trusted };
  result.source = record.source ?? null;

  const actualPdf = sha256(body);
  result.pdfSha256 = { signed: record.pdfSha256, actual: actualPdf };
  if (actualPdf !== record.pdfSha256) {
    result.problems.push({
      code: 'pdf-changed',
      message: 'The PDF was changed after it was signed: its bytes no longer match the signature.',
    });
  }
  const { model, canonical, problem } = readModel(body);
  result.model = model;
  const actualJson = canonical === null ? null : sha256(Buffer.from(canonical, 'utf8'));
  result.reportJsonSha256 = { signed: record.reportJsonSha256, actual: actualJson };
  if (actualJson !== null && actualJson !== record.reportJsonSha256) {
    result.problems.push({
      code: 'json-changed',
      message: 'The embedded report data (report.json) was changed: it is not the data that was signed.',
    });
  } else if (problem) {
    result.problems.push(problem);
  }
  if (trusted === false) {
    result.problems.push({
      code: 'unknown-key',
      message:
        `The report was signed by an unknown key ${record.keyFingerprint}: it is not this store's own key, ` +
        'a --trusted-key, or in the trust list. Anyone can make a key and sign a report with it; trust the key ' +
        '(`confidant report trust <fingerprint>`) only after checking it with the report’s author.',
    });
  }
  result.valid = result.problems.length === 0;
  return result;
}
