/**
 * A compact set of 64-bit keys (the first 8 bytes of a SHA-256) mapping each to the line where
 * it was first seen: open addressing with linear probing over typed arrays, 12 bytes a slot,
 * so finding duplicates among a million records costs tens of MB instead of hundreds of MB of
 * JavaScript strings in a Map. A 64-bit prefix collides by chance with probability about
 * n²/2⁶⁵ (≈ 3·10⁻⁸ for a million records).
 */
import { createHash } from 'node:crypto';

export class LineIndex {
  private high = new Uint32Array(1024);
  private low = new Uint32Array(1024);
  private lines = new Uint32Array(1024);
  private size = 0;

  /** The line first recorded for this text, or records `line` for it and returns undefined. */
  firstLine(text: string, line: number): number | undefined {
    return this.firstLineOfDigest(createHash('sha256').update(text).digest(), line);
  }

  /** The same for a digest computed elsewhere (hex string or bytes, at least 8 bytes). */
  firstLineOfDigest(digest: string | Buffer, line: number): number | undefined {
    const bytes = typeof digest === 'string' ? Buffer.from(digest.slice(0, 16), 'hex') : digest;
    const hi = bytes.readUInt32BE(0);
    const lo = bytes.readUInt32BE(4);
    const mask = this.lines.length - 1;
    let slot = (hi ^ lo) & mask;
    while (this.lines[slot] !== 0) {
      if (this.high[slot] === hi && this.low[slot] === lo) return this.lines[slot];
      slot = (slot + 1) & mask;
    }
    this.high[slot] = hi;
    this.low[slot] = lo;
    this.lines[slot] = line;
    this.size += 1;
    if (this.size * 2 > this.lines.length) this.grow();
    return undefined;
  }

  private grow(): void {
    const { high, low, lines } = this;
    this.high = new Uint32Array(lines.length * 2);
    this.low = new Uint32Array(lines.length * 2);
    this.lines = new Uint32Array(lines.length * 2);
    const mask = this.lines.length - 1;
    for (let i = 0; i < lines.length; i += 1) {
      if (lines[i] === 0) continue;
      let slot = (high[i]! ^ low[i]!) & mask;
      while (this.lines[slot] !== 0) slot = (slot + 1) & mask;
      this.high[slot] = high[i]!;
      this.low[slot] = low[i]!;
      this.lines[slot] = lines[i]!;
    }
  }
}
