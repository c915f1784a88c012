// Dependencies with published advisories are required at a fixed version or later.
// CVE-2025-59840 (vega < 5.33.1: cross-site scripting through expressions in a spec):
// package.json must not allow the vulnerable range.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../../package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

function floor(range: string): number[] {
  const match = /^[\^~]?(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (!match) throw new Error(`unexpected version range ${range}`);
  return match.slice(1).map(Number);
}

const atLeast = (version: number[], minimum: number[]) => {
  for (let i = 0; i < 3; i++) if (version[i] !== minimum[i]) return version[i]! > minimum[i]!;
  return true;
};

describe('dependency advisories', () => {
  it('requires vega 5.33.1 or later (CVE-2025-59840)', () => {
    expect(atLeast(floor(pkg.dependencies.vega!), [5, 33, 1])).toBe(true);
  });
});
