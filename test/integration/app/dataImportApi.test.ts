// Dataset import as the Data screen drives it (issue #23, items 1 and 2): the browser sends
// the file's bytes, so a line that is not UTF-8 is reported with its number (as the CLI
// does) instead of silently becoming U+FFFD; the column picker gets the detected columns and
// the guessed mapping; errors speak of the screen's fields, never of CLI flags.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../src-main/app/apiHandler';
import { allowPickedFile } from '../../../src-main/app/api/pickedFiles';
import type { ApiCallName, ApiRequest, ApiResponse } from '../../../src-main/shared/api';

let directory: string;
let handler: ReturnType<typeof createApiHandler>;
let projectId = 0;

async function call<K extends ApiCallName>(name: K, request: ApiRequest<K>): Promise<ApiResponse<K>> {
  const result = await handler(name, request);
  if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
  return result.value as ApiResponse<K>;
}

const bytes = (fileName: string, data: Buffer) =>
  ({ kind: 'bytes', fileName, base64: data.toString('base64') }) as const;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'confidant-import-'));
  handler = createApiHandler({
    version: '0.0.0-test',
    dataDirectory: { path: join(directory, 'store'), source: 'flag' },
    kdfCost: { N: 2 ** 12, r: 8, p: 1 },
  });
  await call('store.unlock', { passphrase: 'a long test passphrase for notes', create: true });
  projectId = (await call('projects.create', { name: 'Imports' })).id;
});

afterAll(async () => {
  await handler?.dispose();
  rmSync(directory, { recursive: true, force: true });
});

describe('dataset import from the browser', () => {
  it('reports a Latin-1 byte with its line instead of importing U+FFFD', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('text,patient_id\n"Seen on 03/02/2021, stable.",p1\n"Mrs Ren'),
      Buffer.from([0xe9]), // é in Latin-1: not UTF-8
      Buffer.from('e Dubois, follow-up.",p2\n"Discharged home.",p3\n'),
    ]);
    const outcome = await call('datasets.import', {
      projectId,
      source: bytes('latin1.csv', latin1),
    });
    expect(outcome.dataset).toBeNull();
    expect(outcome.issues).toContainEqual(expect.objectContaining({ line: 3, code: 'invalid-utf8' }));
    // allowing errors imports the two valid notes, never a U+FFFD-mangled one
    const allowed = await call('datasets.import', {
      projectId,
      source: bytes('latin1.csv', latin1),
      allowErrors: true,
    });
    expect(allowed.imported).toBe(2);
    const preview = await call('datasets.preview', { datasetId: allowed.dataset!.id, limit: 10 });
    const texts = preview.records.flatMap((r) => r.fields.map((f) => f.text));
    expect(texts.some((t) => t.includes('\uFFFD'))).toBe(false);
  });

  it('imports a UTF-8 file sent as bytes unchanged', async () => {
    const outcome = await call('datasets.import', {
      projectId,
      source: bytes('utf8.jsonl', Buffer.from('{"text": "Mme Renée Dubois, 81 ans."}\n')),
    });
    expect(outcome.imported).toBe(1);
    const preview = await call('datasets.preview', { datasetId: outcome.dataset!.id });
    expect(preview.records[0]!.fields[0]!.text).toBe('Mme Renée Dubois, 81 ans.');
  });

  it('detects the columns for the picker and imports with the columns picked', async () => {
    const csv = Buffer.from('mrn,narrative,ward\nA1,"Seen in clinic.",7\nA2,"Reviewed bloods.",7\n');
    const inspection = await call('datasets.inspect', { source: bytes('ward.csv', csv) });
    expect(inspection).toEqual({ format: 'csv', columns: ['mrn', 'narrative', 'ward'], guessed: {} });

    const unmapped = await handler('datasets.import', { projectId, source: bytes('ward.csv', csv) });
    expect(unmapped.ok).toBe(false);
    if (unmapped.ok) return;
    expect(unmapped.error.code).toBe('IMPORT_BAD_MAPPING');
    expect(unmapped.error.message).toContain('text column');
    expect(unmapped.error.hint).toContain('Columns');
    expect(`${unmapped.error.message} ${unmapped.error.hint}`).not.toMatch(/--\w/);

    const mapped = await call('datasets.import', {
      projectId,
      source: bytes('ward.csv', csv),
      mapping: { text: 'narrative', subject: 'mrn' },
    });
    expect(mapped.imported).toBe(2);
    const preview = await call('datasets.preview', { datasetId: mapped.dataset!.id });
    expect(preview.records.map((r) => r.subjectId)).toEqual(['A1', 'A2']);
  });

  it('guesses the usual column names', async () => {
    const inspection = await call('datasets.inspect', {
      source: bytes('qa.jsonl', Buffer.from('{"question": "q?", "answer": "a.", "patient_id": "7"}\n')),
    });
    expect(inspection.guessed).toEqual({ prompt: 'question', response: 'answer', subject: 'patient_id' });
  });

  it('says a row has too many fields in words that name the header', async () => {
    const csv = Buffer.from('text,subject,split\n"ok",p1,train\nSeen, stable, no change,p2,train\n');
    const outcome = await call('datasets.import', { projectId, source: bytes('fields.csv', csv) });
    const issue = outcome.issues.find((i) => i.code === 'wrong-field-count');
    expect(issue?.line).toBe(3);
    expect(issue?.message).toBe(
      'This row has 5 fields but the header has 3 columns (text, subject, split). ' +
        'A note that contains a comma must be enclosed in double quotes.',
    );
  });

  it('says an empty file is empty, naming the file the user chose', async () => {
    const empty = await handler('datasets.inspect', { source: bytes('empty.csv', Buffer.alloc(0)) });
    expect(empty).toMatchObject({
      ok: false,
      error: { code: 'IMPORT_EMPTY', message: 'empty.csv: The file is empty.' },
    });
    const imported = await handler('datasets.import', {
      projectId,
      source: bytes('empty.csv', Buffer.alloc(0)),
    });
    expect(imported.ok).toBe(false);
    if (!imported.ok) expect(`${imported.error.message} ${imported.error.hint}`).not.toMatch(/--\w/);
  });

  it('finds identifiers in any text, for the playground to highlight what the model wrote', async () => {
    const text = 'Seen by Dr. Ana Ruiz on 03/02/2021, MRN 1234-5678.';
    const spans = await call('pii.find', { text });
    expect(spans.length).toBeGreaterThanOrEqual(2);
    for (const span of spans) expect(span.end).toBeLessThanOrEqual(text.length);
    expect(spans.map((s) => text.slice(s.start, s.end))).toContain('Ana Ruiz');
  });

  it('names the dataset field when the name is taken, and imports a large file by its path', async () => {
    const file = join(directory, 'big.txt');
    writeFileSync(file, 'A note.\nAnother note.\n');
    allowPickedFile(file); // as the native file dialog registers what the user picked
    await call('datasets.import', { projectId, source: { kind: 'path', path: file } });
    const again = await handler('datasets.import', { projectId, source: { kind: 'path', path: file } });
    expect(again).toMatchObject({ ok: false, error: { code: 'IMPORT_NAME_TAKEN' } });
    if (!again.ok) expect(again.error.hint).toContain('Dataset name');
  });
});
