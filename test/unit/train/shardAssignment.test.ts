/**
 * SISA shard assignment (Bourtoule et al. 2021): a keyed hash of the unit key, so it is stable
 * (no unit moves when others are removed), spreads units evenly (χ² test, fixed keys, 1%
 * level), differs between seeds, and keeps every repetition of one audit canary together.
 */
import { describe, expect, it } from 'vitest';
import { shardGroupKey, shardOfUnit } from '../../../src-main/train/sharding/shardAssignment.js';

const keys = Array.from({ length: 2000 }, (_, i) => `subject:P${i}`);

describe('shard assignment', () => {
  it('spreads units evenly over the shards (χ² below the 1% critical value)', () => {
    const k = 5;
    const counts = new Array<number>(k).fill(0);
    for (const key of keys) counts[shardOfUnit(key, k, 0)]! += 1;
    const expected = keys.length / k;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(13.28); // χ²(4 d.f.) at p = 0.01
  });

  it('is stable: removing units moves no other unit', () => {
    const before = new Map(keys.map((k) => [k, shardOfUnit(k, 4, 7)]));
    const kept = keys.filter((_, i) => i % 3 !== 0);
    for (const key of kept) expect(shardOfUnit(key, 4, 7)).toBe(before.get(key));
  });

  it('depends on the seed', () => {
    const moved = keys.filter((k) => shardOfUnit(k, 4, 1) !== shardOfUnit(k, 4, 2)).length;
    expect(moved / keys.length).toBeGreaterThan(0.6); // 3/4 expected
  });

  it("keeps a canary's repetitions in one shard", () => {
    expect(shardGroupKey('extra:canary:3:0')).toBe('extra:canary:3');
    expect(shardGroupKey('extra:one-run:3')).toBe('extra:one-run:3');
    for (let c = 0; c < 50; c += 1) {
      const shards = new Set(
        Array.from({ length: 8 }, (_, r) => shardOfUnit(`extra:canary:${c}:${r}`, 4, 0)),
      );
      expect(shards.size).toBe(1);
    }
  });

  it('refuses a bad shard count', () => {
    expect(() => shardOfUnit('record:1', 0, 0)).toThrow(RangeError);
  });
});
