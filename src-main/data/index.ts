/** Dataset import and validation, PII recognition and de-identification, synthetic data. */
export {
  importDataset,
  previewDataset,
  detectFormat,
  type ImportOptions,
  type ImportResult,
  type DatasetPreview,
} from './datasetImport.js';
export { parseColumnMapping, guessMapping, checkMapping } from './columnMapping.js';
export { inspectColumns, type ColumnInspection } from './columnInspection.js';
export type {
  ColumnMapping,
  ImportFormat,
  IssueCode,
  ValidationIssue,
  TextSegmentation,
} from './importTypes.js';
export {
  scanDataset,
  deidentifyDataset,
  requireCompleteDataset,
  type PiiScanSummary,
  type DeidentifyMode,
} from './datasetPii.js';
export {
  generateSyntheticDataset,
  syntheticImportJsonl,
  type SyntheticOptions,
  type SyntheticRecord,
  type SyntheticSpan,
  type NameLocale,
} from './synthetic/syntheticDataset.js';
export * from './pii/index.js';
