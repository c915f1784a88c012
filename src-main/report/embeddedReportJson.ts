/**
 * Reads the report.json attachment back out of a report PDF, without a PDF library: it finds
 * the file specification named report.json (ISO 32000-1 §7.11.3), follows its /EF reference
 * to the embedded-file stream (§7.11.4) and inflates it. It understands the layout pdfkit
 * writes (direct /Length, optional /FlateDecode), which is all a Confidant report contains;
 * anything else is reported as unreadable, never guessed at.
 */
import { inflateSync } from 'node:zlib';

export type EmbeddedJsonResult =
  { ok: true; text: string } | { ok: false; reason: 'missing' | 'ambiguous' | 'unreadable'; detail: string };

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function readEmbeddedFile(pdf: Buffer, name: string): EmbeddedJsonResult {
  const text = pdf.toString('latin1');
  const spec = new RegExp(
    `/Type /Filespec\\n(?:[^\\n]*\\n){0,6}?/F \\(${escapeRegExp(name)}\\)\\n/EF <<\\n/F (\\d+) 0 R\\n>>`,
    'g',
  );
  const refs = [...text.matchAll(spec)].map((m) => Number(m[1]));
  if (refs.length === 0) return { ok: false, reason: 'missing', detail: `no attachment named ${name}` };
  if (refs.length > 1) {
    return { ok: false, reason: 'ambiguous', detail: `${refs.length} attachments are named ${name}` };
  }
  const header = new RegExp(`(?:^|\\n)${refs[0]} 0 obj\\n<<\\n`, 'g');
  const headers = [...text.matchAll(header)];
  if (headers.length !== 1 || headers[0]?.index === undefined) {
    return {
      ok: false,
      reason: 'unreadable',
      detail: `object ${refs[0]} (the ${name} stream) not found once`,
    };
  }
  const dictStart = headers[0].index + headers[0][0].length;
  const streamKeyword = text.indexOf('>>\nstream\n', dictStart);
  const objEnd = text.indexOf('\nendobj', dictStart);
  if (streamKeyword < 0 || (objEnd >= 0 && objEnd < streamKeyword)) {
    return { ok: false, reason: 'unreadable', detail: `object ${refs[0]} has no stream` };
  }
  const dict = text.slice(dictStart, streamKeyword);
  if (!/\/Type \/EmbeddedFile\n/.test(dict)) {
    return { ok: false, reason: 'unreadable', detail: `object ${refs[0]} is not an embedded file` };
  }
  const length = /\n?\/Length (\d+)\n/.exec(dict);
  if (!length) return { ok: false, reason: 'unreadable', detail: 'the embedded file has no direct /Length' };
  const filter = /\/Filter \/(\w+)/.exec(dict)?.[1];
  if (filter !== undefined && filter !== 'FlateDecode') {
    return { ok: false, reason: 'unreadable', detail: `unsupported filter /${filter}` };
  }
  const dataStart = streamKeyword + '>>\nstream\n'.length;
  const dataEnd = dataStart + Number(length[1]);
  if (pdf.subarray(dataEnd, dataEnd + '\nendstream'.length).toString('latin1') !== '\nendstream') {
    return { ok: false, reason: 'unreadable', detail: 'the embedded file stream has the wrong length' };
  }
  const raw = pdf.subarray(dataStart, dataEnd);
  try {
    const bytes = filter === 'FlateDecode' ? inflateSync(raw) : raw;
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch (error) {
    return {
      ok: false,
      reason: 'unreadable',
      detail: `the embedded file cannot be decoded (${error instanceof Error ? error.message : String(error)})`,
    };
  }
}
