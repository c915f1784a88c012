/**
 * Streaming readers for CSV (csv-parse), JSONL and plain text (readline): they yield one
 * source row at a time with its line numbers, plus the problems only the parser can see
 * (malformed quoting, wrong field counts, invalid JSON). Memory stays flat in file size.
 *
 * Lines and CSV records longer than MAX_SOURCE_RECORD_BYTES are refused with their line
 * number (not read into memory), lines are split in linear time, and no message quotes the
 * file's content: records are patient text, and messages reach logs and terminals.
 */
import { accessSync, constants, createReadStream, statSync } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { ConfidantError } from '../shared/confidantError.js';
import type { ReadOptions, SourceItem, SourceRow, ValidationIssue } from './importTypes.js';
import { Utf8LineCheck } from './utf8LineCheck.js';

/** The longest line (JSONL, text) or CSV record read: 16 MiB. A valid record is far shorter. */
export const MAX_SOURCE_RECORD_BYTES = 16 * 1024 * 1024;

export interface OpenedSource {
  items: AsyncIterable<SourceItem>;
  /** The file's UTF-8 checker: bad lines so far, and the SHA-256 once the file was read. */
  check: Utf8LineCheck;
  /** The CSV header, when there is one (known after the first item). */
  columns: () => readonly string[] | undefined;
  /** Stop reading early (preview). */
  close: () => void;
}

function assertReadableFile(file: string): void {
  try {
    accessSync(file, constants.R_OK);
    if (!statSync(file).isFile()) throw new Error('not a file');
  } catch (cause) {
    throw new ConfidantError('IMPORT_FILE_UNREADABLE', 'The file does not exist or cannot be read.', {
      where: { file },
      hint: 'Check the path and the file permissions.',
      cause,
    });
  }
}

/**
 * Opens `file` for reading, or, when `content` is given, reads those bytes instead (an upload
 * that must never be written to disk as plaintext; `file` is then only its name).
 */
export function openSource(file: string, options: ReadOptions, content?: Buffer): OpenedSource {
  if (content === undefined) assertReadableFile(file);
  const check = new Utf8LineCheck();
  const raw =
    content === undefined
      ? createReadStream(file, { highWaterMark: 256 * 1024 })
      : Readable.from([content], { objectMode: false });
  // Read errors reach whoever consumes `check` (the parser or readline).
  const bytes = pipeline(raw, check, () => {});
  let columns: string[] | undefined;
  const close = () => {
    raw.destroy();
    check.destroy();
  };
  switch (options.format) {
    case 'csv':
      return { items: readCsv(bytes, (c) => (columns = c)), check, columns: () => columns, close };
    case 'jsonl':
      return { items: readJsonl(bytes), check, columns: () => undefined, close };
    case 'txt':
      return {
        items: readText(bytes, options.segmentation ?? 'line'),
        check,
        columns: () => ['text'],
        close,
      };
  }
}

function issue(line: number, code: ValidationIssue['code'], message: string): { issue: ValidationIssue } {
  return { issue: { line, code, severity: 'error', message } };
}

async function* readCsv(
  bytes: NodeJS.ReadableStream,
  onHeader: (columns: string[]) => void,
): AsyncGenerator<SourceItem> {
  // Skip events and on_record run synchronously in file order, so each record carries the
  // problems found before it and its own start line.
  let pending: Array<{ issue: ValidationIssue }> = [];
  let lastEnd = 1;
  let headerNames: string[] = [];
  const parser = parse({
    bom: true,
    columns: (header: string[]) => {
      const names = header.map((h) => h.trim());
      headerNames = names;
      onHeader(names);
      return names;
    },
    skip_records_with_error: true,
    skip_empty_lines: true,
    max_record_size: MAX_SOURCE_RECORD_BYTES,
    on_record: (record: Record<string, string>, context: { lines: number }) => {
      const item = { before: pending, row: { line: lastEnd + 1, endLine: context.lines, values: record } };
      pending = [];
      lastEnd = context.lines;
      return item;
    },
  });
  parser.on('skip', (error: CsvError) => {
    const line = Number((error as CsvError & { lines?: number }).lines ?? lastEnd + 1);
    if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
      pending.push(
        issue(
          lastEnd + 1,
          'malformed-quoting',
          'A quoted field starts here and is never closed (the rest of the file was swallowed).',
        ),
      );
    } else if (error.code === 'CSV_INVALID_CLOSING_QUOTE' || error.code === 'INVALID_OPENING_QUOTE') {
      if (!pending.some((s) => s.issue.line === line && s.issue.code === 'malformed-quoting')) {
        pending.push(
          issue(
            line,
            'malformed-quoting',
            'A quote inside a quoted field must be doubled ("") and a quoted field must end at a comma or line end.',
          ),
        );
      }
    } else if (error.code === 'CSV_MAX_RECORD_SIZE') {
      pending.push({
        issue: {
          line: lastEnd + 1,
          code: 'oversize-record',
          severity: 'error',
          message: `The record starting here is longer than ${MAX_SOURCE_RECORD_BYTES / 2 ** 20} MiB; reading stopped here (is a quote left open?).`,
        },
      });
    } else if (
      error.code === 'CSV_RECORD_INCONSISTENT_COLUMNS' ||
      error.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH'
    ) {
      pending.push(issue(line, 'wrong-field-count', fieldCountMessage(error.message, headerNames)));
    } else {
      pending.push(issue(line, 'malformed-quoting', error.message));
    }
    lastEnd = line;
  });
  pipeline(bytes, parser, () => {});
  for await (const item of parser as AsyncIterable<{
    before: Array<{ issue: ValidationIssue }>;
    row: SourceRow;
  }>) {
    yield* item.before;
    yield { row: item.row };
  }
  yield* pending;
}

/** csv-parse says "Invalid Record Length: columns length is 3, got 5 on line 4"; say it in words. */
export function fieldCountMessage(parserMessage: string, header: readonly string[]): string {
  const got = /got (\d+)/.exec(parserMessage)?.[1];
  const expected = header.length;
  const fields = got === undefined ? 'a different number of fields' : `${got} field${got === '1' ? '' : 's'}`;
  return (
    `This row has ${fields} but the header has ${expected} column${expected === 1 ? '' : 's'} ` +
    `(${header.join(', ')}). A note that contains a comma must be enclosed in double quotes.`
  );
}

/** A line of the file, or null when it was longer than MAX_SOURCE_RECORD_BYTES (not kept). */
type Line = string | null;

/**
 * The file's lines (split at \n; a \r before it is dropped), in time linear in the file
 * size: a line's pieces are collected and joined once. A line over the cap is dropped as it
 * grows and comes out as null.
 */
async function* lines(bytes: NodeJS.ReadableStream): AsyncGenerator<Line> {
  let pieces: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  const finish = (last: Buffer): Line => {
    if (tooLong || size + last.length > MAX_SOURCE_RECORD_BYTES) return null;
    const all = pieces.length > 0 ? Buffer.concat([...pieces, last]) : last;
    const end = all.length > 0 && all[all.length - 1] === 13 ? all.length - 1 : all.length;
    return all.toString('utf8', 0, end);
  };
  for await (const raw of bytes as AsyncIterable<Buffer | string>) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    let start = 0;
    let newline = chunk.indexOf(10, start);
    while (newline !== -1) {
      yield finish(chunk.subarray(start, newline));
      pieces = [];
      size = 0;
      tooLong = false;
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length && !tooLong) {
      size += chunk.length - start;
      if (size > MAX_SOURCE_RECORD_BYTES) {
        tooLong = true;
        pieces = [];
      } else pieces.push(chunk.subarray(start));
    }
  }
  if (tooLong || size > 0) yield finish(Buffer.alloc(0));
}

function tooLongIssue(line: number): { issue: ValidationIssue } {
  return {
    issue: {
      line,
      code: 'oversize-record',
      severity: 'error',
      message: `The line is longer than ${MAX_SOURCE_RECORD_BYTES / 2 ** 20} MiB; it was not read.`,
    },
  };
}

/** Where JSON.parse stopped, from its message, without quoting the text (V8 may quote it). */
function jsonErrorPosition(error: unknown): string {
  const match = error instanceof Error ? /position (\d+)/.exec(error.message) : null;
  return match ? ` at character ${Number(match[1]) + 1}` : '';
}

async function* readJsonl(bytes: NodeJS.ReadableStream): AsyncGenerator<SourceItem> {
  let line = 0;
  for await (const rawLine of lines(bytes)) {
    line += 1;
    if (rawLine === null) {
      yield tooLongIssue(line);
      continue;
    }
    const text = line === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      // Never the parser's own message: V8 quotes the start of the line (patient text).
      yield issue(
        line,
        'invalid-json',
        `Not valid JSON${jsonErrorPosition(error)}: each line must be one complete JSON object.`,
      );
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield issue(line, 'invalid-json', 'Each line must be a JSON object like {"text": "..."}.');
      continue;
    }
    yield { row: { line, endLine: line, values: value as Record<string, unknown> } };
  }
}

async function* readText(
  bytes: NodeJS.ReadableStream,
  segmentation: 'line' | 'paragraph',
): AsyncGenerator<SourceItem> {
  let line = 0;
  let paragraph: string[] = [];
  let start = 0;
  for await (const rawLine of lines(bytes)) {
    line += 1;
    if (rawLine === null) {
      yield tooLongIssue(line);
      continue;
    }
    const text = line === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
    if (segmentation === 'line') {
      if (text.trim() === '') continue;
      yield { row: { line, endLine: line, values: { text } } };
      continue;
    }
    if (text.trim() === '') {
      if (paragraph.length > 0)
        yield { row: { line: start, endLine: line - 1, values: { text: paragraph.join('\n') } } };
      paragraph = [];
      continue;
    }
    if (paragraph.length === 0) start = line;
    paragraph.push(text);
  }
  if (paragraph.length > 0)
    yield { row: { line: start, endLine: line, values: { text: paragraph.join('\n') } } };
}
