/**
 * `confidant data import | preview | list | scan | detect | redact | synth`: thin wrappers over the
 * data module; every problem in an imported file is printed with its line number.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { z } from 'zod';
import {
  deidentifyDataset,
  detectPiiInFile,
  generateSyntheticDataset,
  importDataset,
  parseColumnMapping,
  previewDataset,
  requireCompleteDataset,
  scanDataset,
  type ImportFormat,
  type ValidationIssue,
} from '../../data/index.js';
import { ConfidantError } from '../../shared/confidantError.js';
import { withStore, type StoreFlags } from './store.js';

const storeOption = [
  '--store <dir>',
  'store folder (default: CONFIDANT_HOME or the platform folder)',
] as const;
const formatSchema = z.enum(['csv', 'jsonl', 'txt']);

function parseFormat(value: string | undefined): ImportFormat | undefined {
  if (value === undefined) return undefined;
  const parsed = formatSchema.safeParse(value);
  if (!parsed.success)
    throw new ConfidantError('CLI_BAD_OPTION', `--format must be csv, jsonl or txt, not "${value}".`);
  return parsed.data;
}

function positiveInt(name: string, value: string): number {
  const parsed = z.coerce.number().int().positive().safeParse(value);
  if (!parsed.success)
    throw new ConfidantError('CLI_BAD_OPTION', `${name} must be a positive whole number, not "${value}".`);
  return parsed.data;
}

function printIssues(file: string, issues: readonly ValidationIssue[]): void {
  for (const i of issues)
    process.stderr.write(`${file}:${i.line}: ${i.severity}: ${i.message} [${i.code}]\n`);
}

interface ImportFlags extends StoreFlags {
  project: string;
  name?: string;
  format?: string;
  map?: string;
  paragraphs?: boolean;
  allowErrors?: boolean;
  maxChars?: string;
  json?: boolean;
}

export function registerData(program: Command): void {
  const data = program.command('data').description('import, check and de-identify datasets');

  data
    .command('import <file>')
    .description('import a CSV, JSONL or text file into the encrypted store')
    .requiredOption('--project <name>', 'project to import into (created if new)')
    .option('--name <name>', 'dataset name (default: the file name)')
    .option('--format <format>', 'csv, jsonl or txt (default: from the extension)')
    .option(
      '--map <mapping>',
      'columns, e.g. text=note,subject=patient_id,split=split or prompt=q,response=a',
    )
    .option('--paragraphs', 'plain text: one record per blank-line separated paragraph (default: per line)')
    .option('--allow-errors', 'import the valid records even if some records have errors')
    .option('--max-chars <n>', 'longest record accepted, in characters (default 100000)')
    .option('--json', 'print the result as JSON')
    .option(...storeOption)
    .action(async (file: string, opts: ImportFlags) => {
      const mapping = opts.map ? parseColumnMapping(opts.map) : undefined;
      await withStore(
        opts,
        async (store) => {
          const result = await importDataset(store, file, {
            project: opts.project,
            name: opts.name,
            format: parseFormat(opts.format),
            mapping,
            segmentation: opts.paragraphs ? 'paragraph' : 'line',
            allowErrors: opts.allowErrors,
            maxRecordChars: opts.maxChars ? positiveInt('--max-chars', opts.maxChars) : undefined,
          });
          printIssues(file, result.issues);
          if (opts.json) {
            process.stdout.write(`${JSON.stringify({ ...result, issues: result.issues.length })}\n`);
          } else if (result.dataset) {
            process.stdout.write(
              `Imported ${result.imported} records into dataset "${result.dataset.name}" (id ${result.dataset.id}) ` +
                `in ${result.seconds.toFixed(2)} s; ${result.skipped} skipped, ${result.warnings} warnings.\n`,
            );
          }
          if (!result.dataset) {
            throw new ConfidantError(
              'IMPORT_INVALID',
              `${result.errors} errors in the file; nothing was imported.`,
              {
                where: { file },
                hint: 'Fix the lines listed above, or pass --allow-errors to import only the valid records.',
              },
            );
          }
        },
        { create: true },
      );
    });

  data
    .command('preview <file>')
    .description('show the first records and problems of a file without importing it')
    .option('--format <format>', 'csv, jsonl or txt')
    .option('--map <mapping>', 'column mapping (as for import)')
    .option('--limit <n>', 'records to show', '5')
    .action(async (file: string, opts: { format?: string; map?: string; limit: string }) => {
      const preview = await previewDataset(file, {
        format: parseFormat(opts.format),
        mapping: opts.map ? parseColumnMapping(opts.map) : undefined,
        limit: positiveInt('--limit', opts.limit),
      });
      process.stdout.write(`${JSON.stringify(preview, null, 2)}\n`);
    });

  data
    .command('list')
    .description('list the datasets in the store')
    .option('--all', 'include failed and interrupted imports')
    .option('--json', 'print as JSON')
    .option(...storeOption)
    .action(async (opts: StoreFlags & { all?: boolean; json?: boolean }) => {
      await withStore(opts, (store) => {
        const projects = new Map(store.projects.list().map((p) => [p.id, p.name]));
        const rows = store.datasets
          .list({ includeIncomplete: opts.all })
          .map((d) => ({ ...d, project: projects.get(d.projectId) }));
        if (opts.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
        else
          for (const d of rows)
            process.stdout.write(
              `${d.id}\t${d.project}/${d.name}\t${d.status}\t${d.recordCount} records\t${d.transform || d.sourceFormat}\n`,
            );
      });
    });

  data
    .command('scan <dataset>')
    .description('count the identifiers (PII) per type; examples are shown redacted')
    .option('--project <name>', 'project of the dataset, if the name is ambiguous')
    .option('--json', 'print as JSON')
    .option(...storeOption)
    .action(async (name: string, opts: StoreFlags & { project?: string; json?: boolean }) => {
      await withStore(opts, (store) => {
        const summary = scanDataset(store, requireCompleteDataset(store, name, opts.project));
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(summary)}\n`);
          return;
        }
        process.stdout.write(
          `${summary.recordsWithPii} of ${summary.records} records contain identifiers.\n`,
        );
        if (summary.transform === 'pseudonymise')
          process.stdout.write(
            'This dataset is pseudonymised: the values found are the surrogates that replaced the identifiers.\n',
          );
        for (const [type, count] of Object.entries(summary.counts)) {
          if (count === 0) continue;
          process.stdout.write(
            `  ${type.padEnd(14)} ${String(count).padStart(7)}   e.g. ${summary.examples[type as keyof typeof summary.examples]?.[0] ?? ''}\n`,
          );
        }
      });
    });

  data
    .command('detect')
    .description('print the identifiers (PII) found in a file, without a store: spans in UTF-16 offsets')
    .option('--jsonl <file>', 'JSONL file whose records have a "text" field')
    .option('--text-file <file>', 'text file with one text per line')
    .option(
      '--json',
      'print one JSON object per record: {"line", "id"?, "spans": [{start, end, type, text}]}',
    )
    .action(async (opts: { jsonl?: string; textFile?: string; json?: boolean }) => {
      if ((opts.jsonl === undefined) === (opts.textFile === undefined)) {
        throw new ConfidantError(
          'CLI_BAD_OPTION',
          'Pass exactly one of --jsonl <file> or --text-file <file>.',
          {
            hint: 'e.g. confidant data detect --jsonl notes.jsonl --json',
          },
        );
      }
      const file = (opts.jsonl ?? opts.textFile)!;
      for await (const record of detectPiiInFile(file, opts.jsonl !== undefined ? 'jsonl' : 'text')) {
        const out = opts.json
          ? `${JSON.stringify(record)}\n`
          : record.spans
              .map(
                (s) => `${file}:${record.line}: ${s.type} [${s.start}, ${s.end}) ${JSON.stringify(s.text)}\n`,
              )
              .join('');
        if (out && !process.stdout.write(out)) await once(process.stdout, 'drain');
      }
    });

  data
    .command('redact <dataset>')
    .description('write a de-identified copy of a dataset')
    .requiredOption('--mode <mode>', 'redact ([NAME], [DATE]…) or pseudonymise (consistent fake values)')
    .option('--name <name>', 'name of the new dataset')
    .option('--project <name>', 'project of the dataset, if the name is ambiguous')
    .option(...storeOption)
    .action(async (name: string, opts: StoreFlags & { mode: string; name?: string; project?: string }) => {
      const mode = z.enum(['redact', 'pseudonymise', 'pseudonymize']).safeParse(opts.mode);
      if (!mode.success)
        throw new ConfidantError(
          'CLI_BAD_OPTION',
          `--mode must be redact or pseudonymise, not "${opts.mode}".`,
        );
      await withStore(opts, (store) => {
        const source = requireCompleteDataset(store, name, opts.project);
        const result = deidentifyDataset(store, source, mode.data === 'redact' ? 'redact' : 'pseudonymise', {
          name: opts.name,
        });
        process.stdout.write(
          `Wrote dataset "${result.dataset.name}" (id ${result.dataset.id}): ${result.dataset.recordCount} records, ${result.identifiers} identifiers replaced.\n`,
        );
      });
    });

  data
    .command('synth')
    .description('write seeded synthetic clinical notes with planted PII (JSONL)')
    .requiredOption('--records <n>', 'number of records')
    .requiredOption('--out <file>', 'output .jsonl file')
    .option('--seed <n>', 'random seed', '1')
    .option('--qa-fraction <f>', 'fraction of question/answer pairs', '0')
    .option('--no-spans', 'leave out the ground-truth PII spans')
    .action(
      async (opts: { records: string; out: string; seed: string; qaFraction: string; spans: boolean }) => {
        const fraction = z.coerce.number().min(0).max(1).safeParse(opts.qaFraction);
        if (!fraction.success)
          throw new ConfidantError('CLI_BAD_OPTION', '--qa-fraction must be between 0 and 1.');
        const seed = z.coerce.number().int().safeParse(opts.seed);
        if (!seed.success) throw new ConfidantError('CLI_BAD_OPTION', '--seed must be a whole number.');
        const records = generateSyntheticDataset({
          records: positiveInt('--records', opts.records),
          seed: seed.data,
          questionAnswerFraction: fraction.data,
        });
        const out = createWriteStream(opts.out);
        for (const r of records) {
          const row = opts.spans ? r : { ...r, piiSpans: undefined };
          if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, 'drain');
        }
        out.end();
        await once(out, 'finish');
        process.stdout.write(`Wrote ${records.length} synthetic records to ${opts.out}.\n`);
      },
    );
}
