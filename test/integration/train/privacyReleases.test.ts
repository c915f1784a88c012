/**
 * What a run releases outside the DP mechanism (issue 18):
 *   - a DP run's live step events and its summary carry no timing or throughput (per-step
 *     time and token counts reveal the size of each secret Poisson batch); a non-private run
 *     still reports them;
 *   - the dataset fingerprint in the summary (and so in every report) is an HMAC under a key
 *     held in the store, not an unsalted SHA-256 that anyone holding the other records could
 *     use to test a candidate record.
 */
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET_FINGERPRINT_KEY, train } from '../../../src-main/train/trainer.js';
import type { TrainingEvent } from '../../../src-main/train/trainingEvents.js';
import { smallRunConfig, trainingFixture, type TrainingFixture } from '../../helpers/trainingFixture.js';

let fixture: TrainingFixture;

beforeAll(async () => {
  fixture = await trainingFixture(40, 21);
});

afterAll(() => fixture.remove());

type StepEvent = Extract<TrainingEvent, { type: 'train.step' }>;

describe('releases outside the DP mechanism', () => {
  it('a DP run releases no timing in its step events or summary; a non-private run does', async () => {
    const steps: StepEvent[] = [];
    const dp = await train({
      store: fixture.store,
      config: smallRunConfig({ privacy: { mode: 'noise-multiplier', noiseMultiplier: 1 }, steps: 3 }),
      runName: 'dp-timing',
      onEvent: (e) => e.type === 'train.step' && steps.push(e),
    });
    expect(steps).toHaveLength(3);
    for (const e of steps) {
      expect(e.tokensPerSecond).toBeNull();
      expect(e.etaSeconds).toBeNull();
    }
    expect(dp.summary.seconds).toBeNull();
    expect(dp.summary.tokensPerSecond).toBeNull();
    const stored = JSON.parse(fixture.store.runs.get(dp.runId)!.summaryJson!) as Record<string, unknown>;
    expect(stored.seconds).toBeNull();
    expect(stored.tokensPerSecond).toBeNull();

    const plainSteps: StepEvent[] = [];
    const plain = await train({
      store: fixture.store,
      config: smallRunConfig({ steps: 2 }),
      runName: 'plain-timing',
      onEvent: (e) => e.type === 'train.step' && plainSteps.push(e),
    });
    expect(plainSteps.every((e) => typeof e.tokensPerSecond === 'number')).toBe(true);
    expect(plain.summary.seconds).toBeGreaterThan(0);
    dp.adapter.dispose();
    plain.adapter.dispose();
  });

  it('the dataset fingerprint is an HMAC under the store key, not an unsalted SHA-256 of the records', async () => {
    const result = await train({
      store: fixture.store,
      config: smallRunConfig({ steps: 1 }),
      runName: 'fingerprint',
    });
    const datasetId = result.summary.dataset.id;
    const hashes = [...fixture.store.records.iterate(datasetId)].map((r) => r.contentSha256);
    const unsalted = createHash('sha256');
    for (const h of hashes) unsalted.update(h);
    expect(result.summary.dataset.sha256).not.toBe(unsalted.digest('hex'));
    const key = fixture.store.secrets.get(DATASET_FINGERPRINT_KEY);
    expect(key?.length).toBe(32);
    const keyed = createHmac('sha256', key!);
    for (const h of hashes) keyed.update(h);
    expect(result.summary.dataset.sha256).toBe(keyed.digest('hex'));
    result.adapter.dispose();
  });
});
