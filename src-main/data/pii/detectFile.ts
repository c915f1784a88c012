/**
 * PII spans in a file, without a store (`confidant data detect`): a JSONL file whose records
 * have a `text` field, or a text file with one text per line. Offsets are UTF-16 code units of
 * each record's text, as JavaScript strings count them; the same PiiScanner serves redaction and
 * pseudonymisation, so what is detected here is what they replace.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { ConfidantError } from '../../shared/confidantError.js';
import { PiiScanner, type PiiScanOptions } from './piiScanner.js';
import type { PiiSpan } from './piiTypes.js';

export type DetectInputFormat = 'jsonl' | 'text';

export interface DetectedRecord {
  /** 1-based line of the record in the input file. */
  line: number;
  /** The record's `id`, when a JSONL record has one. */
  id?: string | number;
  spans: PiiSpan[];
}

const recordSchema = z
  .object({ text: z.string(), id: z.union([z.string(), z.number()]).optional() })
  .passthrough();

function requireFile(file: string): void {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new ConfidantError('data.detect-no-file', `There is no file "${file}".`, {
      where: { file },
      hint: 'Check the path; --jsonl and --text-file take a file.',
    });
  }
}

function parseJsonlRecord(file: string, line: number, raw: string): { text: string; id?: string | number } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfidantError('data.detect-bad-json', `Line ${line} of ${file} is not valid JSON.`, {
      where: { file, line },
      hint: 'Each line of a JSONL file must be one JSON object, e.g. {"text": "…"}.',
    });
  }
  const parsed = recordSchema.safeParse(value);
  if (!parsed.success) {
    throw new ConfidantError('data.detect-no-text', `Line ${line} of ${file} has no "text" string.`, {
      where: { file, line, field: 'text' },
      hint: 'Each record needs a "text" field holding the note; use --text-file for plain text.',
    });
  }
  return parsed.data;
}

/**
 * Scans every record of `file` and yields its spans, line by line (streaming, so a large file
 * needs little memory). Throws ConfidantError with the file and line on bad input.
 */
export async function* detectPiiInFile(
  file: string,
  format: DetectInputFormat,
  options: PiiScanOptions = {},
): AsyncGenerator<DetectedRecord> {
  requireFile(file);
  const scanner = new PiiScanner(options);
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const raw of lines) {
    line += 1;
    if (raw.includes('\uFFFD')) {
      throw new ConfidantError('data.detect-bad-encoding', `Line ${line} of ${file} is not valid UTF-8.`, {
        where: { file, line },
        hint: 'Save the file as UTF-8 and try again.',
      });
    }
    if (format === 'jsonl') {
      if (raw.trim() === '') continue;
      const record = parseJsonlRecord(file, line, raw);
      const spans = scanner
        .scan(record.text)
        .map(({ start, end, type, text }) => ({ start, end, type, text }));
      yield record.id === undefined ? { line, spans } : { line, id: record.id, spans };
    } else {
      const spans = scanner.scan(raw).map(({ start, end, type, text }) => ({ start, end, type, text }));
      yield { line, spans };
    }
  }
}
