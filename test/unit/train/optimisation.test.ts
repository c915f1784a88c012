/**
 * The optimisation pieces of the training loop: AdamW against PyTorch's torch.optim.AdamW
 * (values printed by PyTorch 2 in float64 for lr 0.1, betas (0.9, 0.99), eps 1e-8,
 * weight_decay 0.01 and the gradients below), the warm-up + decay schedules, and the
 * fixed-shape micro-batch packing.
 */
import { describe, expect, it } from 'vitest';
import { AdamW } from '../../../src-main/train/adamW.js';
import { learningRateAt } from '../../../src-main/train/learningRateSchedule.js';
import { packMicroBatches } from '../../../src-main/train/microBatches.js';

describe('AdamW', () => {
  it('matches torch.optim.AdamW step by step', () => {
    const params = [new Float32Array([0.5, -1.0, 2.0])];
    const opt = new AdamW({ beta1: 0.9, beta2: 0.99, weightDecay: 0.01, epsilon: 1e-8 }, [3]);
    const grads = [
      [0.1, -0.2, 0.3],
      [0.05, 0.4, -0.1],
      [-0.3, 0.0, 0.2],
    ];
    const torch = [
      [0.399500009999999, -0.8990000049999998, 1.8980000033333333],
      [0.3057557216378667, -0.934661775174074, 1.8560074839456997],
      [0.34005016539770944, -0.9620530026406966, 1.7937454957118844],
    ];
    grads.forEach((g, t) => {
      opt.step(params, [new Float32Array(g)], 0.1);
      torch[t]!.forEach((v, i) => expect(params[0]![i]).toBeCloseTo(v, 6));
    });
    expect(opt.state.step).toBe(3);
  });

  it('restores from a saved state and refuses one of another shape', () => {
    const a = new AdamW({ beta1: 0.9, beta2: 0.999, weightDecay: 0 }, [2]);
    const pa = [new Float32Array([1, 2])];
    a.step(pa, [new Float32Array([0.5, -0.5])], 0.01);
    const b = new AdamW({ beta1: 0.9, beta2: 0.999, weightDecay: 0 }, [2], {
      step: a.state.step,
      m: a.state.m.map((m) => m.slice()),
      v: a.state.v.map((v) => v.slice()),
    });
    const pb = [pa[0]!.slice()];
    a.step(pa, [new Float32Array([0.1, 0.2])], 0.01);
    b.step(pb, [new Float32Array([0.1, 0.2])], 0.01);
    expect(Array.from(pb[0]!)).toEqual(Array.from(pa[0]!));
    expect(() => new AdamW({ beta1: 0.9, beta2: 0.999, weightDecay: 0 }, [3], b.state)).toThrow(/shapes/);
  });
});

describe('learning-rate schedule', () => {
  it('warms up linearly, then decays by cosine or linearly to 0, or stays constant', () => {
    expect(learningRateAt(0, 100, 1, 4, 'cosine')).toBeCloseTo(0.25);
    expect(learningRateAt(3, 100, 1, 4, 'cosine')).toBeCloseTo(1);
    expect(learningRateAt(4, 100, 1, 4, 'cosine')).toBeCloseTo(1);
    expect(learningRateAt(52, 100, 1, 4, 'cosine')).toBeCloseTo(0.5);
    expect(learningRateAt(100, 100, 1, 4, 'cosine')).toBeCloseTo(0);
    expect(learningRateAt(52, 100, 1, 4, 'linear')).toBeCloseTo(0.5);
    expect(learningRateAt(99, 100, 2, 0, 'constant')).toBe(2);
  });
});

describe('micro-batches', () => {
  it('packs examples into fixed-size, padded and masked micro-batches with dummy rows', () => {
    const examples = [5, 3, 9, 2, 7].map((n, i) => ({
      recordId: i,
      unit: i,
      ids: Array.from({ length: n }, (_, t) => t + 1),
    }));
    const batches = packMicroBatches(examples, 2);
    expect(batches.map((b) => b.ids.length)).toEqual([2, 2, 2]);
    expect(batches.map((b) => b.examples.map((e) => e.ids.length))).toEqual([[2, 3], [5, 7], [9]]);
    expect(batches[2]!.ids[0]!.length).toBe(16); // 9 rounded up to a multiple of 8
    expect(batches[2]!.mask[1]).toEqual([1, ...new Array(15).fill(0)]); // dummy row: one context token
    expect(batches[0]!.mask[0]!.slice(0, 3)).toEqual([1, 1, 0]);
    expect(() => packMicroBatches(examples, 0)).toThrow(RangeError);
  });
});
