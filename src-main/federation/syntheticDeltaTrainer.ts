/**
 * SYNTHETIC stand-in for local DP-SGD training, for tests, benchmarks and `fed simulate`
 * until the real trainer is wired in. It trains nothing: the delta is drawn from a seeded
 * generator (SHA-256 in counter mode, so every run is reproducible) with LoRA shapes. Its
 * ledger is not fake, though: it is exactly what the privacy ledger of a DP-SGD run with the
 * given q, σ, C, unit count and steps records, so the ε reported from it is the ε such a run
 * would spend.
 */
import { createHash } from 'node:crypto';
import type { LocalTrainer, LocalTrainingResult } from './localTrainer.js';

export interface SyntheticDeltaTrainerOptions {
  /** Seed of the delta generator (one per site). */
  readonly seed: string;
  /** Tensor lengths, e.g. `loraLayout(4, 256, 768, 8)` for the bundled model's c_attn adapters. */
  readonly layout: readonly number[];
  /** Privacy units at this site (the ledger's unit count and the FedAvg weight n_i). */
  readonly examples: number;
  readonly samplingRate: number;
  readonly noiseMultiplier: number;
  readonly clipNorm: number;
  readonly stepsPerRound: number;
  /** Standard deviation of the synthetic delta's values (default 1e-3, a LoRA round's order). */
  readonly deltaScale?: number;
}

/** Lengths of A [r, in] and B [out, r] per layer for one LoRA target module per layer. */
export function loraLayout(layers: number, inFeatures: number, outFeatures: number, rank: number): number[] {
  return Array.from({ length: layers }, () => [rank * inFeatures, outFeatures * rank]).flat();
}

/** The bundled demo model (GPT-2, 4 layers, d 256), LoRA rank 8 on c_attn (256 → 768). */
export const DEMO_MODEL_LORA_LAYOUT = loraLayout(4, 256, 768, 8);

/** Deterministic normal variates from SHA-256(seed ‖ counter) by Box–Muller. Not for DP noise. */
function* seededNormals(seed: string): Generator<number> {
  for (let counter = 0; ; counter++) {
    const block = createHash('sha256').update(`${seed}\u0000${counter}`).digest();
    for (let o = 0; o + 8 <= block.length; o += 8) {
      const u = (block.readUInt32LE(o) + 1) / 4294967297;
      const v = block.readUInt32LE(o + 4) / 4294967296;
      const r = Math.sqrt(-2 * Math.log(u));
      yield r * Math.cos(2 * Math.PI * v);
      yield r * Math.sin(2 * Math.PI * v);
    }
  }
}

export class SyntheticDeltaTrainer implements LocalTrainer {
  readonly synthetic = true;

  constructor(readonly options: SyntheticDeltaTrainerOptions) {}

  async train(round: number, _globalAdapter: Float32Array[] | null): Promise<LocalTrainingResult> {
    const { seed, layout, examples, samplingRate, noiseMultiplier, clipNorm, stepsPerRound } = this.options;
    const scale = this.options.deltaScale ?? 1e-3;
    const normals = seededNormals(`${seed}/round-${round}`);
    const delta = layout.map((len) => {
      const t = new Float32Array(len);
      for (let i = 0; i < len; i++) t[i] = (normals.next().value as number) * scale;
      return t;
    });
    return {
      delta,
      examples,
      ledger: [{ samplingRate, noiseMultiplier, clipNorm, unitCount: examples, steps: stepsPerRound }],
    };
  }
}
