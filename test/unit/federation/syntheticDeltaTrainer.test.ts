// The synthetic trainer's ledger must be what a real DP-SGD run records (PrivacyLedger), so
// the ε reported per site (privacySpent: RDP of Mironov et al. 2019 and PRV of Gopi et al.
// 2021, the larger charged) is the ε such a run spends, composed across rounds.
import { describe, expect, it } from 'vitest';
import { PrivacyLedger } from '../../../src-main/dp/privacyLedger';
import { privacySpent } from '../../../src-main/dp/privacySpent';
import {
  DEMO_MODEL_LORA_LAYOUT,
  SyntheticDeltaTrainer,
} from '../../../src-main/federation/syntheticDeltaTrainer';

const options = {
  seed: 'site-a',
  layout: [64, 96],
  examples: 1000,
  samplingRate: 0.064,
  noiseMultiplier: 1.0,
  clipNorm: 1.0,
  stepsPerRound: 16,
};

describe('SyntheticDeltaTrainer', () => {
  it('is reproducible per seed and round, with the LoRA layout', async () => {
    const a = await new SyntheticDeltaTrainer(options).train(1, null);
    const b = await new SyntheticDeltaTrainer(options).train(1, null);
    const c = await new SyntheticDeltaTrainer(options).train(2, null);
    expect(a.delta.map((t) => t.length)).toEqual([64, 96]);
    expect([...(a.delta[0] as Float32Array)]).toEqual([...(b.delta[0] as Float32Array)]);
    expect([...(a.delta[0] as Float32Array)]).not.toEqual([...(c.delta[0] as Float32Array)]);
    const values = a.delta.flatMap((t) => [...t]);
    const sd = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    expect(sd).toBeGreaterThan(0.7e-3);
    expect(sd).toBeLessThan(1.3e-3);
    expect(DEMO_MODEL_LORA_LAYOUT.reduce((n, l) => n + l, 0)).toBe(4 * (8 * 256 + 768 * 8));
  });

  it('records the ledger a DP-SGD run with the same q, σ, C, steps records, composing over rounds', async () => {
    const trainer = new SyntheticDeltaTrainer(options);
    const rounds = [await trainer.train(1, null), await trainer.train(2, null)];
    const real = new PrivacyLedger('run', 'record', 1e-5);
    for (let i = 0; i < 2 * options.stepsPerRound; i++) {
      real.record({ samplingRate: 0.064, noiseMultiplier: 1.0, clipNorm: 1.0, unitCount: 1000 });
    }
    const composed = rounds.flatMap((r) => r.ledger);
    const eps = privacySpent(composed, 1e-5);
    expect(eps.steps).toBe(32);
    expect(eps.epsilon).toBeCloseTo(privacySpent(real.history(), 1e-5).epsilon, 10);
    expect(eps.epsilon).toBeGreaterThan(privacySpent(rounds[0]!.ledger, 1e-5).epsilon);
  });
});
