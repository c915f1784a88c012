/** The signed PDF audit report: model, rendering, charts, signing and verification. */
export * from './charts/index.js';
export { keyFingerprint } from './keyFingerprint.js';
export {
  renderReportPdf,
  REPORT_ATTACHMENT_NAME,
  reportAttachmentText,
  type RenderPdfOptions,
} from './renderPdf.js';
export {
  isPrivateRun,
  NEVER_RECORDED,
  NEVER_RECORDED_STATEMENT,
  REPORT_MODEL_VERSION,
  ReportModelSchema,
  type PiiScanSummary,
  type ReportDataset,
  type ReportEnvironment,
  type ReportModel,
  type ReportRun,
  type Reproducibility,
} from './reportModel.js';
export { validateReportModel } from './reportModelInput.js';
export type { SignatureBlockInfo } from './reportRecordSections.js';
export {
  createSignedReport,
  ed25519Signer,
  reportJsonSha256,
  writeSignedReport,
  type ReportSigner,
  type SignOptions,
  type SignedReport,
} from './signReport.js';
export { runVerdict, epsilonBoundViolation, type RunVerdict } from './verdictText.js';
export {
  verifyReport,
  type ReportVerification,
  type VerificationProblem,
  type VerificationProblemCode,
  type VerifyOptions,
} from './verifyReport.js';
export { buildReproducibility, comparisonNotes } from './reportAssembly.js';
