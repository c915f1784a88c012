/**
 * A temporary encrypted store holding a small synthetic clinical dataset (seeded, with
 * patients and train/validation/test splits), for training and audit tests; and run
 * configurations small enough for the test suite (short sequences, few steps).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSyntheticDataset, importDataset, syntheticImportJsonl } from '../../src-main/data/index.js';
import { Store } from '../../src-main/store/index.js';
import { parseRunConfig, type RunConfig } from '../../src-main/train/runConfig.js';

export const FIXTURE_PASSPHRASE = 'correct horse battery staple';

export interface TrainingFixture {
  readonly directory: string;
  readonly storeDirectory: string;
  readonly datasetName: string;
  readonly store: Store;
  remove(): void;
}

export interface ExtraRecord {
  readonly id: string;
  readonly subject: string;
  readonly split: 'train' | 'validation' | 'test';
  readonly text: string;
}

export async function trainingFixture(
  records = 80,
  seed = 5,
  extra: readonly ExtraRecord[] = [],
): Promise<TrainingFixture> {
  const directory = mkdtempSync(join(tmpdir(), 'confidant-train-'));
  const storeDirectory = join(directory, 'store');
  const file = join(directory, 'notes.jsonl');
  const data = generateSyntheticDataset({ records, seed });
  writeFileSync(file, syntheticImportJsonl(data) + extra.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const store = Store.open({
    directory: storeDirectory,
    passphrase: FIXTURE_PASSPHRASE,
    create: true,
    kdfCost: { N: 2 ** 12, r: 8, p: 1 },
  });
  await importDataset(store, file, { project: 'tests', name: 'notes' });
  return {
    directory,
    storeDirectory,
    datasetName: 'notes',
    store,
    remove: () => {
      store.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A small run on the bundled model; `overrides` replace top-level fields. */
export function smallRunConfig(overrides: Record<string, unknown> = {}): RunConfig {
  return parseRunConfig({
    model: 'bundled',
    dataset: { id: 'notes' },
    privacy: { mode: 'none' },
    expectedBatchSize: 8,
    steps: 6,
    microBatchSize: 8,
    maxSequenceLength: 32,
    evalEveryEpoch: false,
    checkpointEverySteps: 2,
    optimizer: { learningRate: 0.002, warmupSteps: 1 },
    ...overrides,
  });
}
