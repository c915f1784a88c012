/**
 * API calls about projects, datasets (import from a path or from a file chosen in the
 * browser, synthetic data, preview with PII spans, scan, redaction) and model folders.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { PiiScanner } from '../../data/pii/piiScanner.js';
import {
  deidentifyDataset,
  generateSyntheticDataset,
  syntheticImportJsonl,
  importDataset,
  inspectColumns,
  scanDataset,
  type ColumnMapping,
} from '../../data/index.js';
import type { ImportOutcome } from '../../shared/apiSchemas.js';
import { ConfidantError } from '../../shared/confidantError.js';
import type { DatasetRow, Store } from '../../store/index.js';
import type { EngineSession } from '../engineSession.js';
import type { CallImplementations } from './callImplementations.js';
import { inUiWords, sourceName, withSourceFile } from './importSource.js';
import { requireReadablePath } from './pickedFiles.js';

type DataCallName =
  | 'projects.list'
  | 'projects.create'
  | 'projects.rename'
  | 'datasets.rename'
  | 'datasets.list'
  | 'datasets.import'
  | 'datasets.inspect'
  | 'datasets.synthesize'
  | 'datasets.preview'
  | 'datasets.scan'
  | 'datasets.deidentify'
  | 'model.info'
  | 'pii.find';

const FIELDS = ['text', 'prompt', 'response'] as const;

function datasetView(row: DatasetRow, store?: Store) {
  return {
    subjectCount: store ? store.records.subjectCount(row.id) : 0,
    id: row.id,
    projectId: row.projectId,
    name: row.name,
    status: row.status,
    kind: row.kind,
    sourceFile: row.sourceFile,
    transform: row.transform,
    parentDatasetId: row.parentDatasetId,
    recordCount: row.recordCount,
    createdAt: row.createdAt,
  };
}

function requireProject(store: Store, projectId: number) {
  const project = store.projects.get(projectId);
  if (!project) {
    throw new ConfidantError('project.not-found', `There is no project ${projectId}.`, {
      hint: 'Pick a project on the Projects screen.',
    });
  }
  return project;
}

export function requireDataset(store: Store, datasetId: number): DatasetRow {
  const dataset = store.datasets.get(datasetId);
  if (!dataset || dataset.status !== 'complete') {
    throw new ConfidantError('dataset.not-found', `There is no complete dataset ${datasetId}.`, {
      hint: 'Pick a dataset on the Data screen.',
    });
  }
  return dataset;
}

/**
 * Imports `file`, or, with `content`, the bytes of a file sent through the API (an upload, or
 * generated synthetic data) straight from memory into the encrypted store: no plaintext
 * copy is ever written to disk (issue #19; older versions left one under <data>/.scratch,
 * which EngineSession wipes at start).
 */
async function importFile(
  store: Store,
  file: string,
  options: {
    project: string;
    name?: string | undefined;
    allowErrors: boolean;
    content?: Buffer;
    mapping?: ColumnMapping | undefined;
  },
): Promise<ImportOutcome> {
  const result = await importDataset(store, file, {
    project: options.project,
    ...(options.name ? { name: options.name } : {}),
    ...(options.content ? { content: options.content } : {}),
    ...(options.mapping ? { mapping: options.mapping } : {}),
    allowErrors: options.allowErrors,
    maxIssues: 200,
  });
  return {
    dataset: result.dataset ? datasetView(result.dataset) : null,
    imported: result.imported,
    skipped: result.skipped,
    errors: result.errors,
    warnings: result.warnings,
    issues: result.issues.map((i) => ({
      line: i.line,
      code: i.code,
      severity: i.severity,
      message: i.message,
      ...(i.field !== undefined ? { field: i.field } : {}),
    })),
    seconds: result.seconds,
  };
}

export function resolveModelDir(source: 'bundled' | { path: string }, bundledDir: () => string): string {
  if (source === 'bundled') return bundledDir();
  const dir = resolve(source.path);
  if (!existsSync(dir) || !statSync(dir).isDirectory() || !existsSync(join(dir, 'config.json'))) {
    throw new ConfidantError('model.not-found', 'That folder does not hold a model (no config.json).', {
      where: { file: dir },
      hint: 'Pick a local Hugging Face model folder with config.json, *.safetensors and tokenizer.json.',
    });
  }
  return dir;
}

export function dataCalls(session: EngineSession): CallImplementations<DataCallName> {
  const store = () => session.requireStore();
  return {
    'projects.list': () => store().projects.list(),
    'projects.create': ({ name, description }) => {
      if (store().projects.getByName(name)) {
        throw new ConfidantError('project.exists', `A project "${name}" already exists.`, {
          hint: 'Choose another name, or open the existing project.',
        });
      }
      const project = store().projects.create(name, description);
      return project;
    },
    'projects.rename': ({ projectId, name }) => {
      const project = requireProject(store(), projectId);
      const other = store().projects.getByName(name);
      if (other && other.id !== project.id) {
        throw new ConfidantError('project.exists', `A project "${name}" already exists.`, {
          where: { field: 'Project name' },
          hint: 'Choose another name.',
        });
      }
      const renamed = store().projects.rename(project.id, name) ?? project;
      store().auditLog.append('rename', `project:${project.id}`, { from: project.name, to: name });
      return renamed;
    },
    'datasets.rename': ({ datasetId, name }) => {
      const dataset = requireDataset(store(), datasetId);
      if (
        store()
          .datasets.findComplete(name, dataset.projectId)
          .some((d) => d.id !== dataset.id)
      ) {
        throw new ConfidantError('dataset.exists', `This project already has a dataset "${name}".`, {
          where: { field: 'Dataset name' },
          hint: 'Choose another name.',
        });
      }
      const renamed = store().datasets.rename(dataset.id, name);
      store().auditLog.append('rename', `dataset:${dataset.id}`, { from: dataset.name, to: name });
      return datasetView(renamed);
    },
    'datasets.list': ({ projectId }) =>
      store()
        .datasets.list(projectId === undefined ? {} : { projectId })
        .map((row) => datasetView(row, store())),
    'datasets.import': async ({ projectId, name, source, allowErrors, mapping }) => {
      const project = requireProject(store(), projectId);
      const defaultName = name ?? basename(sourceName(source)).replace(/\.[^.]+$/, '');
      const options = { project: project.name, name: defaultName, allowErrors, mapping };
      try {
        if (source.kind === 'path')
          return await importFile(
            store(),
            requireReadablePath(source.path, session.dataDirectory.path),
            options,
          );
        const content =
          source.kind === 'bytes'
            ? Buffer.from(source.base64, 'base64')
            : Buffer.from(source.content, 'utf8');
        return await importFile(store(), basename(source.fileName), { ...options, content });
      } catch (error) {
        throw inUiWords(error, sourceName(source));
      }
    },
    'datasets.inspect': async ({ source }) => {
      session.requireStore();
      if (source.kind === 'path') requireReadablePath(source.path, session.dataDirectory.path);
      return withSourceFile(session, source, (file) => inspectColumns(file));
    },
    'datasets.synthesize': async ({ projectId, name, records, seed }) => {
      const project = requireProject(store(), projectId);
      const rows = generateSyntheticDataset({ records, seed });
      return importFile(store(), `${name.replace(/[^\w.-]+/g, '_')}.jsonl`, {
        project: project.name,
        name,
        allowErrors: false,
        content: Buffer.from(syntheticImportJsonl(rows), 'utf8'),
      });
    },
    'datasets.preview': ({ datasetId, offset, limit }) => {
      const dataset = requireDataset(store(), datasetId);
      const scanner = new PiiScanner();
      const records = store()
        .records.page(dataset.id, offset, limit)
        .map((record) => ({
          ordinal: record.ordinal,
          sourceLine: record.sourceLine,
          subjectId: record.subjectId,
          split: record.split,
          fields: FIELDS.flatMap((field) => {
            const text = record[field];
            if (text === null) return [];
            const spans = scanner.scan(text).map((m) => ({
              type: m.type,
              start: m.start,
              end: m.end,
              confidence: m.confidence,
            }));
            return [{ field, text, spans }];
          }),
        }));
      return { datasetId: dataset.id, total: dataset.recordCount, offset, records };
    },
    'datasets.scan': ({ datasetId }) => {
      const summary = scanDataset(store(), requireDataset(store(), datasetId), { examplesPerType: 3 });
      return {
        datasetId: summary.datasetId,
        records: summary.records,
        recordsWithPii: summary.recordsWithPii,
        counts: summary.counts,
        examples: Object.fromEntries(Object.entries(summary.examples).map(([k, v]) => [k, v ?? []])),
        flagged: summary.flagged,
        transform: summary.transform,
      };
    },
    'datasets.deidentify': ({ datasetId, mode, name }) => {
      const result = deidentifyDataset(
        store(),
        requireDataset(store(), datasetId),
        mode,
        name ? { name } : {},
      );
      return datasetView(result.dataset);
    },
    'pii.find': ({ text }) =>
      new PiiScanner()
        .scan(text)
        .map((m) => ({ type: m.type, start: m.start, end: m.end, confidence: m.confidence })),
    'model.info': async ({ source }) => {
      const { bundledModelDir } = await import('../../model/bundledModel.js');
      const dir = resolveModelDir(source, bundledModelDir);
      const { modelInfo } = await import('../../cli/commands/modelActions.js');
      const info = await modelInfo(dir);
      return {
        dir: info.dir,
        bundled: source === 'bundled',
        architecture: info.architecture,
        modelType: info.modelType,
        parameters: info.parameters,
        dtype: info.dtype,
        vocabSize: info.vocabSize,
        contextLength: info.contextLength,
        layers: info.layers,
        hiddenSize: info.hiddenSize,
        heads: info.heads,
      };
    },
  };
}
