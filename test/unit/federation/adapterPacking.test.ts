import { describe, expect, it } from 'vitest';
import {
  chunk,
  chunkCount,
  flattenScaled,
  layoutOf,
  unflatten,
} from '../../../src-main/federation/adapterPacking';
import { maxRelativeError, plaintextFedAvg } from '../../../src-main/federation/fedAverage';

describe('adapter packing', () => {
  it('flattens with a factor and splits back to the same tensors', () => {
    const tensors = [Float32Array.from([1, 2, 3]), Float32Array.from([]), Float32Array.from([4.5, -6])];
    const flat = flattenScaled(tensors, 2);
    expect([...flat]).toEqual([2, 4, 6, 9, -12]);
    const back = unflatten(
      flat.map((v) => v / 2),
      layoutOf(tensors),
    );
    expect(back.map((t) => [...t])).toEqual(tensors.map((t) => [...t]));
  });

  it('chunks into zero-padded slot vectors that cover every value once', () => {
    const values = Float64Array.from({ length: 10 }, (_, i) => i + 1);
    expect(chunkCount(10, 4)).toBe(3);
    const chunks = [0, 1, 2].map((i) => [...chunk(values, i, 4)]);
    expect(chunks).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 0, 0],
    ]);
  });

  it('refuses a vector shorter than the layout', () => {
    expect(() => unflatten(new Float64Array(2), [3])).toThrow(/layout/);
  });
});

describe('plaintext FedAvg reference', () => {
  it('weights by examples: (3·1 + 1·5) / 4 = 2', () => {
    const avg = plaintextFedAvg([
      { delta: [Float32Array.from([1])], examples: 3 },
      { delta: [Float32Array.from([5])], examples: 1 },
    ]);
    expect([...(avg[0] as Float64Array)]).toEqual([2]);
  });

  it('relative error is measured against the largest reference value', () => {
    expect(maxRelativeError([Float64Array.from([0, 10.001])], [Float64Array.from([0.001, 10])])).toBeCloseTo(
      0.001 / 10,
      12,
    );
  });
});
