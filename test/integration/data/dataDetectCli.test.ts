// SPDX-License-Identifier: Apache-2.0
// `confidant data detect` through the real CLI: no store, spans per record, errors with file and line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/runCli';

describe('confidant data detect', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'confidant-detect-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the spans of each JSONL record as JSON, and of each line of a text file', async () => {
    const jsonl = join(dir, 'notes.jsonl');
    writeFileSync(jsonl, '{"id":"n1","text":"PATIENT: HOLM, INGRID  seen 04-MAR-2021"}\n');
    const env = { CONFIDANT_HOME: join(dir, 'no-store') };
    const json = await runCli(['data', 'detect', '--jsonl', jsonl, '--json'], { env });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      line: 1,
      id: 'n1',
      spans: [
        { start: 9, end: 21, type: 'NAME', text: 'HOLM, INGRID' },
        { start: 28, end: 39, type: 'DATE', text: '04-MAR-2021' },
      ],
    });

    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'no identifiers\nCall 0161 496 0832\n');
    const plain = await runCli(['data', 'detect', '--text-file', text], { env });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toBe(`${text}:2: PHONE [5, 18) "0161 496 0832"\n`);
  });

  it('fails with the file and line of a record without text', async () => {
    const jsonl = join(dir, 'bad.jsonl');
    writeFileSync(jsonl, '{"text":"ok"}\n{"body":"x"}\n');
    const result = await runCli(['data', 'detect', '--jsonl', jsonl, '--json']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`${jsonl}:2`);
    expect(result.stderr).toContain('"text"');
  });
});
