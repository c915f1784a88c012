import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { LineIndex } from '../../../src-main/data/lineIndex';

describe('LineIndex', () => {
  it('returns the first line of every repeated key through many resizes, like a Map', () => {
    const index = new LineIndex();
    const reference = new Map<string, number>();
    for (let line = 1; line <= 50_000; line += 1) {
      const key = `record ${line % 17_000}`; // every key repeats two or three times
      const expected = reference.get(key);
      if (expected === undefined) reference.set(key, line);
      expect(index.firstLine(key, line)).toBe(expected);
    }
  });

  it('treats a hex digest and the text it came from as the same key', () => {
    const index = new LineIndex();
    const digest = createHash('sha256').update('note').digest('hex');
    expect(index.firstLineOfDigest(digest, 3)).toBeUndefined();
    expect(index.firstLine('note', 9)).toBe(3);
    expect(index.firstLine('0123456789abcdef text', 10)).toBeUndefined();
  });
});
