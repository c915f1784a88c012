/**
 * What a site's local training gives the federation: the adapter delta of this round (one
 * Float32Array per LoRA tensor, the same order at every site), the number of examples n_i it
 * was trained on (the FedAvg weight), and the privacy ledger of the DP-SGD steps it ran, which
 * the site composes across rounds to report its ε. The DP-SGD loop (src-main/train) plugs in
 * here; `SyntheticDeltaTrainer` stands in for it in tests and `fed simulate`.
 */
import type { LedgerSegment } from '../dp/privacyLedger.js';

export type TrainerLedgerSegment = Pick<
  LedgerSegment,
  'samplingRate' | 'noiseMultiplier' | 'clipNorm' | 'unitCount' | 'steps'
>;

export interface LocalTrainingResult {
  /** Δ = adapter after local training − `globalAdapter` (or − the initial adapter in round 1). */
  delta: Float32Array[];
  /** n_i, the FedAvg weight: examples (or privacy units) this round trained on. */
  examples: number;
  /** The DP-SGD steps of this round, as the privacy ledger records them. */
  ledger: TrainerLedgerSegment[];
}

export interface LocalTrainer {
  /**
   * Trains locally for one round starting from `globalAdapter` (the federation's adapter after
   * the previous round; null in round 1: start from the shared initial adapter).
   */
  train(round: number, globalAdapter: Float32Array[] | null): Promise<LocalTrainingResult>;
  /**
   * The shared initial adapter, when the trainer has one (a real LoRA adapter starts from a
   * seeded A and a zero B, not from zero); the global adapter starts there.
   */
  initialAdapter?(): Promise<Float32Array[]>;
}
