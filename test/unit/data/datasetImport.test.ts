import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { importDataset, previewDataset } from '../../../src-main/data/datasetImport';
import { parseColumnMapping } from '../../../src-main/data/columnMapping';
import type { Store } from '../../../src-main/store/index';
import { openTestStore, temporaryDirectory } from '../store/testStore';

const fixtures = resolve(import.meta.dirname, '../../fixtures/data');

describe('importDataset', () => {
  let dir: { path: string; remove: () => void };
  let store: Store;
  beforeEach(() => {
    dir = temporaryDirectory();
    store = openTestStore(dir.path);
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  it('imports a CSV with guessed mapping, multi-line quoted fields, subjects and splits', async () => {
    const result = await importDataset(store, join(fixtures, 'notes.csv'), { project: 'demo' });
    expect(result.errors).toBe(0);
    expect(result.dataset).toMatchObject({ name: 'notes', status: 'complete', recordCount: 3, kind: 'text' });
    const records = [...store.records.iterate(result.dataset!.id)];
    expect(records.map((r) => [r.sourceLine, r.externalId, r.subjectId, r.split])).toEqual([
      [2, 'n1', 'p1', 'train'],
      [3, 'n2', 'p1', 'train'],
      [5, 'n3', 'p2', 'test'],
    ]);
    expect(records[1]!.text).toBe('Discharge summary.\nFollow up in two weeks.');
    expect(records[2]!.text).toBe('Referral letter to cardiology, "urgent" review.');
    expect(result.dataset!.sourceSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(store.auditLog.list().at(-1)).toMatchObject({ action: 'import', details: { records: 3 } });
  });

  it('maps a JSONL key named like a synonym ("subjectId", as `data synth` writes) to the subject', async () => {
    const file = join(dir.path, 'synth.jsonl');
    writeFileSync(
      file,
      '{"id":"a","subjectId":"P1","split":"train","text":"note one"}\n{"id":"b","subjectId":"P2","text":"note two"}\n',
    );
    const result = await importDataset(store, file, { project: 'demo' });
    expect(result.errors).toBe(0);
    const records = [...store.records.iterate(result.dataset!.id)];
    expect(records.map((r) => [r.subjectId, r.split])).toEqual([
      ['P1', 'train'],
      ['P2', null],
    ]);
  });

  it('reports every CSV problem with its line and imports nothing', async () => {
    const result = await importDataset(store, join(fixtures, 'bad.csv'), {
      project: 'demo',
      maxRecordChars: 40,
    });
    const found = result.issues.map((i) => [i.line, i.code]);
    expect(found).toEqual([
      [3, 'malformed-quoting'],
      [4, 'empty-record'],
      [5, 'wrong-field-count'],
      [6, 'duplicate-id'],
      [7, 'invalid-utf8'],
      [8, 'exact-duplicate'],
      [9, 'normalised-duplicate'],
      [10, 'oversize-record'],
      [11, 'malformed-quoting'],
    ]);
    expect(result.issues.find((i) => i.code === 'duplicate-id')?.message).toMatch(/line 2/);
    expect(result.dataset).toBeNull();
    expect(store.datasets.list({ includeIncomplete: true }).every((d) => d.status !== 'complete')).toBe(true);
  });

  it('with allowErrors, imports the valid records and skips the bad ones', async () => {
    const result = await importDataset(store, join(fixtures, 'bad.csv'), {
      project: 'demo',
      maxRecordChars: 40,
      allowErrors: true,
      batchSize: 2,
    });
    expect(result.dataset?.recordCount).toBe(3); // lines 2, 8 and 9 (9 is a warning only)
    expect(result.skipped).toBe(7);
  });

  it('reports every JSONL problem with its line, for prompt/response data', async () => {
    const result = await importDataset(store, join(fixtures, 'bad.jsonl'), { project: 'demo' });
    expect(result.issues.map((i) => [i.line, i.code])).toEqual([
      [2, 'missing-column'],
      [3, 'invalid-json'],
      [4, 'duplicate-id'],
      [5, 'invalid-json'],
      [6, 'empty-record'],
      [7, 'invalid-split'],
      [8, 'exact-duplicate'],
    ]);
    expect(result.issues[0]!.field).toBe('response');
  });

  it('reads plain text by line or by blank-line separated paragraph', async () => {
    const byLine = await importDataset(store, join(fixtures, 'notes.txt'), {
      project: 'demo',
      name: 'lines',
    });
    expect(byLine.dataset?.recordCount).toBe(4);
    const byParagraph = await importDataset(store, join(fixtures, 'notes.txt'), {
      project: 'demo',
      name: 'paras',
      segmentation: 'paragraph',
    });
    const texts = [...store.records.iterate(byParagraph.dataset!.id)].map((r) => [r.sourceLine, r.text]);
    expect(texts).toEqual([
      [1, 'First note, line one.\nStill first note.'],
      [4, 'Second note.'],
      [7, 'Third note.'],
    ]);
  });

  it('reports a mapped column missing from the CSV header at line 1', async () => {
    const result = await importDataset(store, join(fixtures, 'notes.csv'), {
      project: 'demo',
      mapping: parseColumnMapping('text=body,subject=patient_id'),
    });
    expect(result.issues).toEqual([
      expect.objectContaining({ line: 1, code: 'missing-column', field: 'body' }),
    ]);
    expect(result.dataset).toBeNull();
  });

  it('refuses a file without records', async () => {
    const file = join(dir.path, 'empty.csv');
    writeFileSync(file, 'id,text\n');
    await expect(importDataset(store, file, { project: 'p' })).rejects.toThrow(/no records/);
    expect(store.datasets.list({ includeIncomplete: true })).toEqual([]);
  });

  it('previews the first records without writing anything', async () => {
    const preview = await previewDataset(join(fixtures, 'notes.csv'), { limit: 2 });
    expect(preview.mapping).toEqual({ text: 'note', subject: 'patient_id', split: 'split', id: 'id' });
    expect(preview.records).toHaveLength(2);
  });

  it('refuses an unknown mapping field and a half prompt/response mapping', () => {
    expect(() => parseColumnMapping('txt=note')).toThrow(/not a valid column mapping/);
    expect(() => parseColumnMapping('prompt=q')).toThrow(/both a prompt and a response/);
    expect(parseColumnMapping('prompt=q,response=a,patient=pid')).toEqual({
      prompt: 'q',
      response: 'a',
      subject: 'pid',
    });
  });

  it('refuses a second complete dataset with the same name but allows one after a failed import', async () => {
    const file = join(dir.path, 'x.jsonl');
    writeFileSync(file, '{"text": "a"}\n{"text": ""}\n');
    expect((await importDataset(store, file, { project: 'p' })).dataset).toBeNull();
    writeFileSync(file, '{"text": "a"}\n');
    expect((await importDataset(store, file, { project: 'p' })).dataset?.status).toBe('complete');
    await expect(importDataset(store, file, { project: 'p' })).rejects.toThrow(/already has a dataset/);
  });
});
