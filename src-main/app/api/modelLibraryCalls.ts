/**
 * The model library: the bundled demo model (always there, the default) and local Hugging
 * Face folders the user imported. Importing validates the folder the way training will read
 * it — config.json (architecture fields), safetensors weights, the tokenizer — and a failure
 * names the file and field. The library (folder paths only, never weights) is kept inside the
 * encrypted store under one key of its secrets table, so which models a hospital uses stays
 * as private as the rest of the store.
 */
import { statSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfidantError } from '../../shared/confidantError.js';
import type { LibraryModel } from '../../shared/workflowSchemas.js';
import type { Store } from '../../store/index.js';
import type { EngineSession } from '../engineSession.js';
import type { CallImplementations } from './callImplementations.js';

type ModelLibraryCallName = 'models.list' | 'models.add' | 'models.remove';

const LIBRARY_KEY = 'model-library';
const LibrarySchema = z.array(z.object({ path: z.string(), addedAt: z.string() }).strict());
type Library = z.infer<typeof LibrarySchema>;

function readLibrary(store: Store): Library {
  const bytes = store.secrets.get(LIBRARY_KEY);
  if (!bytes) return [];
  const parsed = LibrarySchema.safeParse(JSON.parse(bytes.toString('utf8')));
  return parsed.success ? parsed.data : [];
}

function writeLibrary(store: Store, library: Library): void {
  store.secrets.set(LIBRARY_KEY, Buffer.from(JSON.stringify(library), 'utf8'));
}

function weightBytes(dir: string): number {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.safetensors'))
    .reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

/** Reads and checks a model folder; throws a ConfidantError naming the file and field. */
async function describeModel(
  dir: string,
  extra: { isDefault: boolean; addedAt: string | null; bundled: boolean },
): Promise<LibraryModel> {
  const { modelInfo } = await import('../../cli/commands/modelActions.js');
  const { TextTokenizer } = await import('../../model/index.js');
  const info = await modelInfo(dir); // config.json fields and the safetensors weights
  const tokenizer = await TextTokenizer.load(dir); // the tokenizer files, required to train
  if (tokenizer.vocabSize > info.vocabSize) {
    throw new ConfidantError(
      'model.tokenizer-mismatch',
      `The tokenizer has ${tokenizer.vocabSize} tokens but the model only ${info.vocabSize}.`,
      {
        where: { file: join(dir, 'config.json'), field: 'vocab_size' },
        hint: 'The tokenizer files belong to another model: copy the ones that came with this model.',
      },
    );
  }
  return {
    source: extra.bundled ? 'bundled' : { path: dir },
    name: basename(dir),
    architecture: info.architecture,
    modelType: info.modelType,
    parameters: info.parameters,
    dtype: info.dtype,
    weightBytes: weightBytes(dir),
    contextLength: info.contextLength,
    vocabSize: info.vocabSize,
    isDefault: extra.isDefault,
    addedAt: extra.addedAt,
  };
}

export function modelLibraryCalls(session: EngineSession): CallImplementations<ModelLibraryCallName> {
  const store = () => session.requireStore();
  const list = async (): Promise<LibraryModel[]> => {
    const { bundledModelDir } = await import('../../model/bundledModel.js');
    const models = [
      await describeModel(bundledModelDir(), { isDefault: true, addedAt: null, bundled: true }),
    ];
    for (const entry of readLibrary(store())) {
      try {
        models.push(
          await describeModel(entry.path, { isDefault: false, addedAt: entry.addedAt, bundled: false }),
        );
      } catch {
        // a folder moved or deleted since it was added: listed so the user can remove it
        models.push({
          source: { path: entry.path },
          name: `${basename(entry.path)} (missing or unreadable)`,
          architecture: 'unknown',
          modelType: 'unknown',
          parameters: 0,
          dtype: null,
          weightBytes: 0,
          contextLength: 0,
          vocabSize: 0,
          isDefault: false,
          addedAt: entry.addedAt,
        });
      }
    }
    return models;
  };
  return {
    'models.list': list,
    'models.add': async ({ path }) => {
      const dir = resolve(path);
      await describeModel(dir, { isDefault: false, addedAt: null, bundled: false });
      const library = readLibrary(store());
      if (!library.some((m) => m.path === dir)) {
        writeLibrary(store(), [...library, { path: dir, addedAt: new Date().toISOString() }]);
      }
      return list();
    },
    'models.remove': async ({ path }) => {
      writeLibrary(
        store(),
        readLibrary(store()).filter((m) => m.path !== path),
      );
      return list();
    },
  };
}
