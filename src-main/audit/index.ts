/** Public API of the audit folder: the suite, its building blocks and the audit design. */
export { runAuditSuite, type AuditInputs, type AuditModelRef, type AuditProgress } from './auditSuite.js';
export * from './auditResult.js';
export { cryptoAuditRandom, seededAuditRandom, shuffled, type AuditRandom } from './auditRandom.js';
export {
  AuditDesignSchema,
  CanaryDesignSchema,
  OneRunDesignSchema,
  type AuditDesign,
  type CanaryDesign,
  type OneRunDesign,
} from './canaries/auditDesign.js';
export {
  CANARY_FORMATS,
  candidateAt,
  candidateIndex,
  canaryText,
  randomSecret,
  spaceSize,
  type CanaryFormat,
} from './canaries/canaryFormat.js';
export {
  DEFAULT_REPETITIONS,
  designCanaries,
  insertCanaries,
  insertRecords,
} from './canaries/canaryDesign.js';
export { designOneRun, splitAuditHoldout, type HoldoutSplit } from './canaries/auditHoldout.js';
export { canaryExposures, canaryResult, secretLogPerplexities } from './canaryExposure.js';
export { membershipAttacks } from './membershipAttack.js';
export { attackScores, computeSignals, ATTACK_NAMES } from './membershipSignals.js';
export * from './membershipScores.js';
export { extractionAttack } from './extractionAttack.js';
export { piiLeakageAttack, type PiiRecord } from './piiLeakage.js';
export { oneRunLowerBound } from './oneRunAudit.js';
export { scanDataForBackdoors, type BackdoorRecord } from './backdoor/dataBackdoorScan.js';
export { scanModelForBackdoors, RARE_TOKEN_TRIGGERS } from './backdoor/modelBackdoorScan.js';
export { greedyDecode } from './greedyDecoder.js';
export { THRESHOLDS, thresholdDescriptions, worstVerdict } from './verdicts.js';
