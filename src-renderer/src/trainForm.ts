/**
 * The Train screen's choices, kept while the app runs: leaving the screen and coming back
 * must not reset what the user set (issue #23, item 4).
 */
import type { PrivacyPreset } from '../../src-main/shared/apiSchemas';

export const trainForm = {
  privacy: '3' as PrivacyPreset,
  privacyUnit: 'record' as 'record' | 'patient',
  runName: '',
  steps: 200,
  expectedBatchSize: 32,
  maxSequenceLength: 128,
  learningRate: 0.001,
  shards: 1,
  auditCanaries: false,
  oneRunExamples: 0,
  budgetEpsilon: 10,
  budgetDelta: 0.00001,
};
