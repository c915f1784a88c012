// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfidantError } from '../../../../src-main/shared/confidantError';
import {
  detectPiiInFile,
  PiiScanner,
  redactText,
  type DetectedRecord,
} from '../../../../src-main/data/index';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'confidant-detect-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(file: string, format: 'jsonl' | 'text'): Promise<DetectedRecord[]> {
  const out: DetectedRecord[] = [];
  for await (const r of detectPiiInFile(file, format)) out.push(r);
  return out;
}

describe('detectPiiInFile', () => {
  it('gives spans in UTF-16 offsets of each JSONL record, with its line and id', async () => {
    // The emoji before the name is two UTF-16 code units: offsets must count them.
    const text = '😀 Pt: Ingrid Holm, MRN 00918273, seen 3/4.';
    const file = join(dir, 'notes.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ id: 7, text })}\n\n${JSON.stringify({ text: 'nothing here' })}\n`,
    );
    const records = await collect(file, 'jsonl');
    expect(records.map((r) => [r.line, r.id])).toEqual([
      [1, 7],
      [3, undefined],
    ]);
    expect(records[0]!.spans).toEqual([
      { start: 7, end: 18, type: 'NAME', text: 'Ingrid Holm' },
      { start: 24, end: 32, type: 'MRN', text: '00918273' },
      { start: 39, end: 42, type: 'DATE', text: '3/4' },
    ]);
    for (const s of records[0]!.spans) expect(text.slice(s.start, s.end)).toBe(s.text);
    expect(records[1]!.spans).toEqual([]);
  });

  it('finds what redaction replaces (one detector)', async () => {
    const text = 'hi dr ferreira this is beth, cell (608) 555-0143';
    const file = join(dir, 'one.txt');
    writeFileSync(file, `${text}\r\n`);
    const [record] = await collect(file, 'text');
    expect(record!.spans.map((s) => s.type)).toEqual(['NAME', 'NAME', 'PHONE']);
    const redacted = redactText(text, new PiiScanner().scan(text));
    expect(redacted).toBe('hi dr [NAME] this is [NAME], cell [PHONE]');
  });

  it('names the file and line of a bad record', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"text": "ok"}\n{"note": "no text field"}\n');
    const error = await collect(file, 'jsonl').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfidantError);
    expect((error as ConfidantError).options.where).toEqual({ file, line: 2, field: 'text' });
    writeFileSync(file, '{"text": "ok"}\n{not json\n');
    const error2 = (await collect(file, 'jsonl').catch((e: unknown) => e)) as ConfidantError;
    expect(error2.code).toBe('data.detect-bad-json');
    expect(error2.options.where).toEqual({ file, line: 2 });
    const missing = (await collect(join(dir, 'nope.jsonl'), 'jsonl').catch(
      (e: unknown) => e,
    )) as ConfidantError;
    expect(missing.code).toBe('data.detect-no-file');
  });
});
