import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src-main/shared/canonicalJson';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys, drops whitespace and undefined members', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1e21, y: 0.1 }, u: undefined })).toBe(
      '{"a":[true,null,"x"],"b":1,"c":{"y":0.1,"z":1e+21}}',
    );
  });

  it('gives the same bytes for equal values built in a different order', () => {
    expect(canonicalJson({ x: 1, y: { p: 2, q: 3 } })).toBe(canonicalJson({ y: { q: 3, p: 2 }, x: 1 }));
  });

  it('refuses values JSON cannot hold', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/NaN/);
    expect(() => canonicalJson({ a: () => 1 })).toThrow(/function/);
  });
});
