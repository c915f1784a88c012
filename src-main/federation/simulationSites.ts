/**
 * The sites of `confidant fed simulate`: each gets its own encrypted store with its own
 * synthetic clinical dataset (different sizes and seeds, like hospitals of different sizes)
 * and trains the bundled model with DP-SGD for a few steps per round.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSyntheticDataset, importDataset, syntheticImportJsonl } from '../data/index.js';
import { Store } from '../store/index.js';
import { parseRunConfig } from '../train/runConfig.js';
import { DpSiteTrainer } from './dpSiteTrainer.js';
import type { LocalTrainer } from './localTrainer.js';

const SITE_RECORDS = [120, 80, 160, 100, 140];

export interface SimulationSites {
  trainerFor(siteId: string, index: number): LocalTrainer;
  close(): void;
}

export async function createSimulationSites(
  workDir: string,
  count: number,
  stepsPerRound = 3,
): Promise<SimulationSites> {
  const stores: Store[] = [];
  const trainers: DpSiteTrainer[] = [];
  for (let index = 0; index < count; index += 1) {
    const dir = join(workDir, `site-data-${index}`);
    mkdirSync(dir, { recursive: true });
    const records = generateSyntheticDataset({
      records: SITE_RECORDS[index % SITE_RECORDS.length]!,
      seed: 1000 + index,
    });
    const file = join(dir, 'notes.jsonl');
    writeFileSync(file, syntheticImportJsonl(records));
    const store = Store.open({
      directory: join(dir, 'store'),
      passphrase: 'simulation-only passphrase',
      create: true,
      kdfCost: { N: 2 ** 12, r: 8, p: 1 },
    });
    await importDataset(store, file, { project: 'federation', name: 'notes' });
    stores.push(store);
    trainers.push(
      new DpSiteTrainer({
        store,
        siteId: `site-${index}`,
        config: parseRunConfig({
          model: 'bundled',
          dataset: { id: 'notes' },
          privacy: { mode: 'noise-multiplier', noiseMultiplier: 1.0 },
          expectedBatchSize: 8,
          steps: stepsPerRound,
          maxSequenceLength: 32,
          evalEveryEpoch: false,
          auditHoldoutFraction: 0,
          optimizer: { learningRate: 0.002, warmupSteps: 0, schedule: 'constant' },
          seed: 0, // shared by the federation: every site starts from the same adapter
        }),
      }),
    );
  }
  return {
    trainerFor: (_siteId, index) => trainers[index]!,
    close: () => {
      for (const s of stores) s.close();
    },
  };
}
