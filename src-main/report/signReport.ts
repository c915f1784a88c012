/**
 * Signs a report: renders the PDF with the report model attached as report.json, then
 * appends an Ed25519 (RFC 8032) signature over SHA-256 of the PDF bytes and SHA-256 of the
 * model's canonical JSON (RFC 8785). The key is the installation's, kept in the encrypted
 * store; anything that can sign with it implements ReportSigner.
 */
import { createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { canonicalJson } from '../shared/canonicalJson.js';
import { ConfidantError } from '../shared/confidantError.js';
import { keyFingerprint } from './keyFingerprint.js';
import { renderReportPdf } from './renderPdf.js';
import type { ReportModel } from './reportModel.js';
import { validateReportModel } from './reportModelInput.js';
import {
  formatTrailer,
  SIGNATURE_FORMAT,
  statementBytes,
  type ReportSource,
  type SignatureRecord,
  type SignedStatement,
} from './signatureTrailer.js';

export interface ReportSigner {
  publicKey: KeyObject;
  /** Ed25519 signature of `data`. */
  sign(data: Buffer): Buffer;
}

/** A signer over an Ed25519 private key (e.g. `store.signingKeyPair().privateKey`). */
export function ed25519Signer(privateKey: KeyObject): ReportSigner {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new ConfidantError(
      'REPORT_KEY_TYPE',
      `Report signing needs an Ed25519 key, got ${privateKey.asymmetricKeyType ?? 'none'}.`,
    );
  }
  return { publicKey: createPublicKey(privateKey), sign: (data) => sign(null, data, privateKey) };
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

export function reportJsonSha256(model: ReportModel): string {
  return sha256(Buffer.from(canonicalJson(model), 'utf8'));
}

export interface SignedReport {
  pdf: Buffer;
  /** The model as indented JSON (what --json writes). */
  json: string;
  keyFingerprint: string;
  pdfSha256: string;
  reportJsonSha256: string;
}

export interface SignOptions {
  /** Defaults to now (pass it for byte-identical output). */
  signedAt?: Date;
  /** Where the model came from (default 'store'); 'supplied-json' is printed and signed. */
  source?: ReportSource;
}

/** Renders and signs; `signedAt` defaults to now (pass it for byte-identical output). */
export async function createSignedReport(
  input: ReportModel,
  signer: ReportSigner,
  options: SignOptions = {},
): Promise<SignedReport> {
  const model = validateReportModel(input);
  const fingerprint = keyFingerprint(signer.publicKey);
  const signedAt = (options.signedAt ?? new Date()).toISOString();
  const source = options.source ?? 'store';
  const body = await renderReportPdf(model, {
    signature: { algorithm: 'Ed25519', keyFingerprint: fingerprint, signedAt, source },
  });
  const statement: SignedStatement = {
    format: SIGNATURE_FORMAT,
    version: 1,
    algorithm: 'Ed25519',
    pdfSha256: sha256(body),
    reportJsonSha256: reportJsonSha256(model),
    signedAt,
    publicKey: signer.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    keyFingerprint: fingerprint,
    source,
  };
  const record: SignatureRecord = {
    ...statement,
    signature: signer.sign(statementBytes(statement)).toString('base64'),
  };
  return {
    pdf: Buffer.concat([body, formatTrailer(body, record)]),
    json: `${JSON.stringify(model, null, 2)}\n`,
    keyFingerprint: fingerprint,
    pdfSha256: statement.pdfSha256,
    reportJsonSha256: statement.reportJsonSha256,
  };
}

function writeAtomically(path: string, data: Buffer | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.partial`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

/** Renders, signs and writes the PDF (and the model as JSON when `outJson` is given). */
export async function writeSignedReport(
  model: ReportModel,
  signer: ReportSigner,
  outPdf: string,
  outJson?: string,
  options: SignOptions = {},
): Promise<SignedReport> {
  const report = await createSignedReport(model, signer, options);
  try {
    writeAtomically(outPdf, report.pdf);
    if (outJson !== undefined) writeAtomically(outJson, report.json);
  } catch (cause) {
    throw new ConfidantError('REPORT_WRITE_FAILED', 'The report could not be written.', {
      where: { file: outPdf },
      hint: 'Check that the folder exists and is writable, and that there is free disk space.',
      cause,
    });
  }
  return report;
}
