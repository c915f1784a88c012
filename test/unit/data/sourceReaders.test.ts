// Import readers (issue #19): messages give positions, never the file's content (patient
// text); lines and CSV records over the cap are refused with their line number, and the
// lines after them are still read.
import { describe, expect, it } from 'vitest';
import type { ImportFormat, SourceItem } from '../../../src-main/data/importTypes';
import { MAX_SOURCE_RECORD_BYTES, openSource } from '../../../src-main/data/sourceReaders';
import { Utf8LineCheck } from '../../../src-main/data/utf8LineCheck';

async function read(format: ImportFormat, text: string | Buffer): Promise<SourceItem[]> {
  const source = openSource(`upload.${format}`, { format }, Buffer.from(text));
  const items: SourceItem[] = [];
  for await (const item of source.items) items.push(item);
  return items;
}

const issues = (items: SourceItem[]) => items.flatMap((i) => ('issue' in i && i.issue ? [i.issue] : []));
const rows = (items: SourceItem[]) => items.flatMap((i) => ('row' in i && i.row ? [i.row] : []));

describe('source readers', () => {
  it('reports invalid JSON with its line and position but without quoting the line', async () => {
    const items = await read(
      'jsonl',
      '{"text": "fine"}\nPatient Jane Doe, MRN 12345678\n{"text": "also fine"}\n',
    );
    const [problem] = issues(items);
    expect(problem).toMatchObject({ line: 2, code: 'invalid-json' });
    expect(problem!.message).not.toMatch(/Patient|Jane|Doe|MRN/);
    expect(rows(items).map((r) => r.line)).toEqual([1, 3]);
  });

  it('refuses a line longer than the cap with its number, and reads the lines after it', async () => {
    const long = `{"text": "${'x'.repeat(MAX_SOURCE_RECORD_BYTES)}"}`;
    const items = await read('jsonl', `{"text": "a"}\n${long}\n{"text": "b"}\n`);
    expect(issues(items)).toEqual([expect.objectContaining({ line: 2, code: 'oversize-record' })]);
    expect(rows(items).map((r) => [r.line, r.values.text])).toEqual([
      [1, 'a'],
      [3, 'b'],
    ]);
  });

  it('splits lines at \\n and \\r\\n across chunk boundaries, the last line without a newline too', async () => {
    const items = await read('txt', 'one\r\ntwo\n\nthree');
    expect(rows(items).map((r) => [r.line, r.values.text])).toEqual([
      [1, 'one'],
      [2, 'two'],
      [4, 'three'],
    ]);
  });

  it('caps a CSV record (an unclosed quote swallowing the file) with the line it starts on', async () => {
    const csv = `text,id\nfine,1\n"open quote,2\n${'y'.repeat(MAX_SOURCE_RECORD_BYTES + 10)}\n`;
    const found = issues(await read('csv', csv));
    expect(found[0]).toMatchObject({ line: 3, code: 'oversize-record' });
    expect(found[0]!.message).not.toContain('yyyy');
  });

  it('checks UTF-8 per line when a line arrives in many chunks', () => {
    const check = new Utf8LineCheck();
    const bad = Buffer.concat([Buffer.from('ok\nab'), Buffer.from([0xc3]), Buffer.from('\nfine\n')]);
    for (let i = 0; i < bad.length; i++) check.write(bad.subarray(i, i + 1));
    check.end();
    expect([...check.badLines]).toEqual([2]);
  });
});
