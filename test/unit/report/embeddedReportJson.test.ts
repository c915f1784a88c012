// The dependency-free reader of report.json inside a PDF, on pdfkit documents built here.
import { describe, expect, it } from 'vitest';
import PDFDocument from 'pdfkit';
import { readEmbeddedFile } from '../../../src-main/report/embeddedReportJson';

async function pdfWith(files: { name: string; text: string }[], compress = true): Promise<Buffer> {
  const doc = new PDFDocument({ compress, info: { CreationDate: new Date(0) } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => doc.on('end', resolve));
  doc.text('hello');
  for (const f of files) doc.file(Buffer.from(f.text), { name: f.name, type: 'application/json' });
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

describe('readEmbeddedFile', () => {
  const text = JSON.stringify({ ε: 2.99, note: 'ünïcode ✓', lines: 'a\nb' }, null, 2);

  it('reads a deflated attachment back byte for byte', async () => {
    const result = readEmbeddedFile(await pdfWith([{ name: 'report.json', text }]), 'report.json');
    expect(result).toEqual({ ok: true, text });
  });

  it('reads an uncompressed attachment', async () => {
    const result = readEmbeddedFile(await pdfWith([{ name: 'report.json', text }], false), 'report.json');
    expect(result).toEqual({ ok: true, text });
  });

  it('picks the attachment by name among several', async () => {
    const pdf = await pdfWith([
      { name: 'other.json', text: '{"other":true}' },
      { name: 'report.json', text },
    ]);
    expect(readEmbeddedFile(pdf, 'report.json')).toEqual({ ok: true, text });
    expect(readEmbeddedFile(pdf, 'other.json')).toEqual({ ok: true, text: '{"other":true}' });
  });

  it('says missing when there is none', async () => {
    const result = readEmbeddedFile(await pdfWith([]), 'report.json');
    expect(result).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('says unreadable when the stream bytes are damaged', async () => {
    const pdf = await pdfWith([{ name: 'report.json', text }]);
    const at = pdf.indexOf('/Type /EmbeddedFile');
    const start = pdf.indexOf('stream\n', at) + 'stream\n'.length;
    pdf[start + 5] = pdf[start + 5]! ^ 0xff;
    expect(readEmbeddedFile(pdf, 'report.json')).toMatchObject({ ok: false, reason: 'unreadable' });
  });
});
