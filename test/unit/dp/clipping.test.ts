import { describe, expect, it } from 'vitest';
import { accumulateClipped, clipFactor, equalPerLayerClipNorms, l2Norm } from '../../../src-main/dp/clipping';
import { privatiseClippedSum } from '../../../src-main/dp/noisyAggregate';
import { seededRandomSource } from '../../helpers/seededRandomSource';

const f32 = (...v: number[]) => new Float32Array(v);

describe('per-unit clipping', () => {
  it('scales each unit to norm ≤ C and leaves small ones alone (flat)', () => {
    const units = [
      [f32(3, 0), f32(4)], // norm 5 → scaled by 2/5
      [f32(0.6, 0), f32(0.8)], // norm 1 → unchanged
      [f32(0, 0), f32(0)], // zero gradient
    ];
    const sum = [new Float32Array(2), new Float32Array(1)];
    const stats = accumulateClipped(units, sum, 2);
    expect(Array.from(stats.norms)).toEqual([5, expect.closeTo(1, 6), 0]);
    expect(stats.clippedCount).toBe(1);
    expect(sum[0]![0]).toBeCloseTo(3 * 0.4 + 0.6, 6);
    expect(sum[1]![0]).toBeCloseTo(4 * 0.4 + 0.8, 6);
  });

  it('bounds the sensitivity: adding or removing one unit moves the sum by at most C', () => {
    const rng = seededRandomSource(3);
    const words = new Uint32Array(64 * 10);
    rng.fillUint32(words);
    const units = Array.from({ length: 64 }, (_, u) => [
      Float32Array.from({ length: 10 }, (_, i) => (words[u * 10 + i]! / 2 ** 32 - 0.5) * 20),
    ]);
    const all = [new Float32Array(10)];
    accumulateClipped(units, all, 1.5);
    for (let drop = 0; drop < units.length; drop += 8) {
      const without = [new Float32Array(10)];
      accumulateClipped(
        units.filter((_, i) => i !== drop),
        without,
        1.5,
      );
      const diff = all[0]!.map((v, i) => v - without[0]![i]!);
      expect(l2Norm([diff])).toBeLessThanOrEqual(1.5 + 1e-5);
    }
  });

  it('per-layer clipping keeps each tensor under C_l and the total under C', () => {
    const norms = equalPerLayerClipNorms(2, 4);
    expect(Math.hypot(...norms)).toBeCloseTo(2, 12);
    const unit = [f32(10, 0), f32(0.1), f32(0, -7), f32(3)];
    const sum = unit.map((t) => new Float32Array(t.length));
    accumulateClipped([unit], sum, 2, norms);
    for (let t = 0; t < 4; t += 1) expect(l2Norm([sum[t]!])).toBeLessThanOrEqual(norms[t]! + 1e-6);
    expect(l2Norm(sum)).toBeLessThanOrEqual(2 + 1e-6);
    expect(sum[1]![0]).toBeCloseTo(0.1, 6); // small tensor untouched
  });

  it('clipFactor is min(1, C/‖g‖)', () => {
    expect(clipFactor(4, 2)).toBe(0.5);
    expect(clipFactor(1, 2)).toBe(1);
    expect(clipFactor(0, 2)).toBe(1);
  });

  it('rejects mismatched shapes', () => {
    expect(() => accumulateClipped([[f32(1)]], [new Float32Array(2)], 1)).toThrow(/length mismatch/);
    expect(() => accumulateClipped([[f32(1)]], [new Float32Array(1)], 0)).toThrow(/clip norm/);
  });
});

describe('private aggregate', () => {
  it('adds N(0, σ²C²) and divides by the expected batch size (seeded, 5-SE tolerance)', () => {
    const n = 200_000;
    const sum = [new Float32Array(n).fill(8)];
    privatiseClippedSum(
      sum,
      { noiseMultiplier: 1.1, clipNorm: 0.5, expectedBatchSize: 4 },
      seededRandomSource(5),
    );
    const x = sum[0]!;
    let mean = 0;
    for (const v of x) mean += v;
    mean /= n;
    let variance = 0;
    for (const v of x) variance += (v - mean) ** 2;
    const std = Math.sqrt(variance / n);
    const expectedStd = (1.1 * 0.5) / 4;
    expect(Math.abs(mean - 2)).toBeLessThan((5 * expectedStd) / Math.sqrt(n));
    expect(Math.abs(std / expectedStd - 1)).toBeLessThan(5 / Math.sqrt(2 * n));
  });
});
