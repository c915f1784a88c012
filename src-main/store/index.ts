/** The store's public API: open a Store with a passphrase and use its typed repositories. */
export { Store, type OpenStoreOptions } from './store.js';
export {
  addTrustedReportKey,
  normalizeFingerprint,
  readTrustedReportKeys,
  TRUST_FILE,
  type TrustedReportKey,
} from './reportKeyTrust.js';
export { assertNewPassphrase, passphraseWeakness, MIN_PASSPHRASE_LENGTH } from './passphrasePolicy.js';
export { resolveDataDirectory, type DataDirectory } from './dataDirectory.js';
export { probeSqlcipher, type SqlcipherStatus } from './sqlcipherProbe.js';
export { DATABASE_FILE, HEADER_FILE, BLOB_FOLDER } from './storeHeader.js';
export { DEFAULT_KDF_COST, type KdfCost } from './storeKeys.js';
export { LATEST_SCHEMA_VERSION } from './migrations/index.js';
export type { ProjectRow } from './repositories/projectsRepository.js';
export type {
  DatasetRow,
  DatasetStatus,
  DatasetKind,
  DatasetTransform,
  NewDataset,
} from './repositories/datasetsRepository.js';
export {
  contentSha256,
  type NewRecord,
  type RecordRow,
  type Split,
} from './repositories/recordsRepository.js';
export type { BlobRow } from './repositories/blobsRepository.js';
export type { RunRow, RunStatus, MetricRow } from './repositories/runsRepository.js';
export type { CheckpointRow, AdapterRow } from './repositories/checkpointsRepository.js';
export type { LedgerSegment, LedgerRow, BudgetRow } from './repositories/privacyRepository.js';
export type { AuditRow, ReportRow, PiiScanRow } from './repositories/auditsRepository.js';
export type {
  AuditAction,
  AuditDetails,
  AuditLogEntry,
  AuditLogVerification,
} from './repositories/auditLogRepository.js';
