/**
 * Audit metrics: pure functions over numbers (no tfjs, no I/O). ROC metrics for
 * membership-inference scores, canary exposure, and the one-run empirical ε lower bound.
 */
export {
  REPORTED_FPR_TARGETS,
  bestBalancedAccuracy,
  membershipMetrics,
  rocAuc,
  rocCurve,
  tprAtFpr,
  type MembershipMetrics,
  type RocCurve,
} from './roc.js';
export { estimatedExposure, exactExposure, exposureFromRank, type EstimatedExposure } from './exposure.js';
export {
  oneRunEpsilonLowerBound,
  oneRunPValue,
  type OneRunAuditCounts,
  type OneRunBoundOptions,
} from './oneRunEpsilon.js';
export {
  fitSkewNormalByMoments,
  skewNormalCdf,
  skewNormalFromMoments,
  skewNormalLogCdf,
  skewNormalMoments,
  type SkewNormalParameters,
} from './skewNormal.js';
export { owensT } from './owensT.js';
export { normalCdf, normalLogCdf, normalPdf } from './normal.js';
