/** Results of privacy audits, PII scans, and generated reports (PDF bytes in a blob). */
import type { SqliteDatabase } from '../encryptedDatabase.js';

export interface AuditRow {
  id: number;
  runId: number;
  checkpointId: number | null;
  kind: string;
  resultJson: string;
  createdAt: string;
}

export interface ReportRow {
  id: number;
  runId: number | null;
  title: string;
  blobId: string;
  signatureBase64: string | null;
  createdAt: string;
}

export interface PiiScanRow {
  id: number;
  datasetId: number;
  summaryJson: string;
  createdAt: string;
}

const auditColumns =
  'id, run_id AS runId, checkpoint_id AS checkpointId, kind, result_json AS resultJson, created_at AS createdAt';
const reportColumns =
  'id, run_id AS runId, title, blob_id AS blobId, signature_base64 AS signatureBase64, created_at AS createdAt';

export class AuditsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  create(audit: { runId: number; checkpointId?: number; kind: string; result: unknown }): AuditRow {
    const result = this.db
      .prepare(
        'INSERT INTO audits (run_id, checkpoint_id, kind, result_json, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(
        audit.runId,
        audit.checkpointId ?? null,
        audit.kind,
        JSON.stringify(audit.result),
        new Date().toISOString(),
      );
    return this.db
      .prepare(`SELECT ${auditColumns} FROM audits WHERE id = ?`)
      .get(result.lastInsertRowid) as AuditRow;
  }

  list(runId: number): AuditRow[] {
    return this.db
      .prepare(`SELECT ${auditColumns} FROM audits WHERE run_id = ? ORDER BY id`)
      .all(runId) as AuditRow[];
  }

  createReport(report: {
    runId?: number;
    title: string;
    blobId: string;
    signatureBase64?: string;
  }): ReportRow {
    const result = this.db
      .prepare(
        'INSERT INTO reports (run_id, title, blob_id, signature_base64, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(
        report.runId ?? null,
        report.title,
        report.blobId,
        report.signatureBase64 ?? null,
        new Date().toISOString(),
      );
    return this.db
      .prepare(`SELECT ${reportColumns} FROM reports WHERE id = ?`)
      .get(result.lastInsertRowid) as ReportRow;
  }

  reports(runId?: number): ReportRow[] {
    return this.db
      .prepare(`SELECT ${reportColumns} FROM reports WHERE (? IS NULL OR run_id = ?) ORDER BY id`)
      .all(runId ?? null, runId ?? null) as ReportRow[];
  }

  recordPiiScan(datasetId: number, summary: unknown): PiiScanRow {
    const result = this.db
      .prepare('INSERT INTO pii_scans (dataset_id, summary_json, created_at) VALUES (?, ?, ?)')
      .run(datasetId, JSON.stringify(summary), new Date().toISOString());
    return this.db
      .prepare(
        'SELECT id, dataset_id AS datasetId, summary_json AS summaryJson, created_at AS createdAt FROM pii_scans WHERE id = ?',
      )
      .get(result.lastInsertRowid) as PiiScanRow;
  }

  latestPiiScan(datasetId: number): PiiScanRow | undefined {
    return this.db
      .prepare(
        'SELECT id, dataset_id AS datasetId, summary_json AS summaryJson, created_at AS createdAt FROM pii_scans WHERE dataset_id = ? ORDER BY id DESC LIMIT 1',
      )
      .get(datasetId) as PiiScanRow | undefined;
  }
}
