/**
 * Privacy accountants for DP-SGD with Poisson sampling: RDP (Mironov et al.) and PRV
 * (Gopi et al.) behind one interface. Pure math: no tfjs, no I/O.
 */
export {
  type Accountant,
  type Mechanism,
  type Segment,
  MECHANISMS,
  validateDelta,
  validateSampleRate,
  validateSigma,
  validateSteps,
  validateTargetEpsilon,
} from './accountant.js';
export { createAccountant, isMechanism, type AccountantOptions } from './registry.js';
export { RdpAccountant, type RdpAccountantOptions } from './rdp.js';
export { PrvAccountant, type PrvAccountantOptions } from './prv.js';
export type { RdpConversion } from './rdpConversion.js';
export type { EpsilonBounds } from './discretePrv.js';
export { DEFAULT_RDP_ORDERS } from './sampledGaussianRdp.js';
export { MAX_SIGMA, calibrateSigma, type CalibrationResult } from './noiseCalibration.js';
