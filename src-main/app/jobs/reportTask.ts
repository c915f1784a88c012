/**
 * A report job inside a worker: the report model of a stored run, rendered to PDF, signed
 * with the store's Ed25519 key, written to the reports folder (PDF + JSON) and kept in the
 * store (reports table, PDF bytes in an encrypted blob) so it can be verified later.
 */
import { join } from 'node:path';
import { ed25519Signer, writeSignedReport } from '../../report/index.js';
import type { Store } from '../../store/index.js';
import type { JobResult, TaskContext } from './jobProtocol.js';
import { reportModelFromStore } from '../../report/reportFromStore.js';

export interface ReportTaskSpec {
  runId: number;
  alsoRunIds?: readonly number[];
  title: string;
  outDir: string;
  appVersion: string;
}

export async function runReportTask(
  store: Store,
  spec: ReportTaskSpec,
  context: TaskContext,
): Promise<JobResult> {
  context.progress({ stage: 'assembling', fraction: 0.1, message: 'Collecting the run, audit and dataset.' });
  const runIds = [spec.runId, ...(spec.alsoRunIds ?? []).filter((id) => id !== spec.runId)];
  const model = reportModelFromStore(store, runIds, { title: spec.title });
  context.progress({ stage: 'rendering', fraction: 0.3, message: 'Rendering and signing the PDF.' });
  const stamp = model.createdAt.replace(/[:]/g, '-');
  const base = `run-${runIds.join('-')}-report-${stamp}`;
  const pdfPath = join(spec.outDir, `${base}.pdf`);
  const jsonPath = join(spec.outDir, `${base}.json`);
  const signed = await writeSignedReport(
    model,
    ed25519Signer(store.signingKeyPair().privateKey),
    pdfPath,
    jsonPath,
  );
  const blob = store.blobs.put('report', signed.pdf);
  const row = store.audits.createReport({ runId: spec.runId, title: spec.title, blobId: blob.id });
  store.auditLog.append('report', `run:${spec.runId}`, {
    report: row.id,
    runs: runIds.join(','),
    pdfSha256: signed.pdfSha256,
  });
  context.progress({ stage: 'written', fraction: 1, message: `Written to ${pdfPath}.` });
  return {
    runId: spec.runId,
    reportId: row.id,
    pdfPath,
    jsonPath,
    pdfSha256: signed.pdfSha256,
    keyFingerprint: signed.keyFingerprint,
    runIds: runIds.join(','),
    audited: model.runs.every((run) => run.audit !== null),
  };
}
