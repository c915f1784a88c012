/** PII recognition, redaction and pseudonymisation. */
export { PII_TYPES, STRUCTURED_PII_TYPES, type PiiType, type PiiSpan, type PiiMatch } from './piiTypes.js';
export { PiiScanner, findPii, resolveOverlaps, type PiiScanOptions } from './piiScanner.js';
export { DEFAULT_CUED_PATTERNS, type CuedPattern } from './structuredRecognisers.js';
export { redactText, Pseudonymiser, parseDate } from './redaction.js';
export { PiiEvaluator, type PiiScores, type TypeScore } from './piiEvaluation.js';
export { detectPiiInFile, type DetectedRecord, type DetectInputFormat } from './detectFile.js';
