/**
 * Federated fine-tuning with CKKS-encrypted aggregation: the public API (docs/federation.md).
 * The DP-SGD trainer plugs in through `LocalTrainer`.
 */
export type { LocalTrainer, LocalTrainingResult, TrainerLedgerSegment } from './localTrainer.js';
export {
  SyntheticDeltaTrainer,
  DEMO_MODEL_LORA_LAYOUT,
  loraLayout,
  type SyntheticDeltaTrainerOptions,
} from './syntheticDeltaTrainer.js';
export { DEFAULT_CKKS_PARAMETERS, CkksParametersSchema, type CkksParameters } from './ckksParameters.js';
export { createFederation, type CreateFederationOptions, type CreatedFederation } from './keyCeremony.js';
export { readInvitation, readCoordinatorBundle, type CoordinatorBundle } from './federationFiles.js';
export type { FederationManifest, Invitation } from './federationManifest.js';
export { FederationSite, type EncryptedUpdate, type DecryptedAggregate } from './federationSite.js';
export {
  RoundCoordinator,
  type RoundPolicy,
  type RoundStatus,
  type AcceptedUpdate,
  type AggregationStats,
} from './roundCoordinator.js';
export {
  startCoordinatorServer,
  type RunningCoordinator,
  type CoordinatorServerOptions,
} from './coordinatorServer.js';
export { CoordinatorClient } from './coordinatorClient.js';
export { runSiteRounds, type SiteRoundReport, type SiteRoundsOptions } from './siteRounds.js';
export { SiteState } from './siteState.js';
export {
  exportUpdate,
  importUpdate,
  aggregateRound,
  exportAggregate,
  importAggregate,
  type ExportedUpdate,
  type ImportedAggregate,
} from './fileExchange.js';
export {
  simulateFederation,
  defaultSimulationTrainer,
  type SimulationOptions,
  type SimulationResult,
  type SimulationRoundReport,
} from './federationSimulation.js';
export { plaintextFedAvg, maxRelativeError } from './fedAverage.js';
