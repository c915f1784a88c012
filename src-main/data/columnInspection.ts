/**
 * What a file offers before it is imported: its format, the columns it has (the CSV header,
 * or the keys of the first JSONL object) and the mapping Confidant would guess from them.
 * The UI shows these as a column picker, so nobody has to write a `--map` option.
 */
import { statSync } from 'node:fs';
import { ConfidantError } from '../shared/confidantError.js';
import { guessMapping } from './columnMapping.js';
import { detectFormat } from './datasetImport.js';
import type { ColumnMapping, ImportFormat } from './importTypes.js';
import { openSource } from './sourceReaders.js';

export interface ColumnInspection {
  format: ImportFormat;
  /** Source columns in file order; ['text'] for plain text. */
  columns: string[];
  /** The mapping guessed from the column names (may be incomplete: then the user picks). */
  guessed: ColumnMapping;
}

export async function inspectColumns(
  file: string,
  format: ImportFormat = detectFormat(file),
): Promise<ColumnInspection> {
  if (statSync(file).size === 0) {
    throw new ConfidantError('IMPORT_EMPTY', 'The file is empty.', {
      where: { file },
      hint: 'Check that you chose the right file, and that it was saved before exporting.',
    });
  }
  if (format === 'txt') return { format, columns: ['text'], guessed: { text: 'text' } };
  const source = openSource(file, { format });
  let columns: string[] = [];
  try {
    for await (const item of source.items) {
      if ('row' in item) {
        columns = [...(source.columns() ?? Object.keys(item.row.values))];
        break;
      }
    }
    columns = columns.length > 0 ? columns : [...(source.columns() ?? [])];
  } finally {
    source.close();
  }
  if (columns.length === 0) {
    throw new ConfidantError('IMPORT_EMPTY', 'The file has no records to import.', {
      where: { file },
      hint:
        format === 'csv'
          ? 'A CSV file needs a header line with column names and at least one row below it.'
          : 'Each line of a JSONL file must be a JSON object such as {"text": "..."}.',
    });
  }
  return { format, columns, guessed: guessMapping(columns) };
}
