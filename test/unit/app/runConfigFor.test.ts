// The training screen's choices become a run configuration the trainer accepts
// (docs/run-config.md): each privacy preset maps to its target ε, "none" to no noise.
import { describe, expect, it } from 'vitest';
import { runConfigFor } from '../../../src-main/app/api/jobCalls';
import { PRIVACY_PRESETS, TrainRequestSchema } from '../../../src-main/shared/apiSchemas';
import { parseRunConfig } from '../../../src-main/train/runConfig';

describe('training screen → run configuration', () => {
  it.each(PRIVACY_PRESETS)('preset %s is a valid configuration with that privacy', (preset) => {
    const request = TrainRequestSchema.parse({ datasetId: 4, model: 'bundled', privacy: preset, steps: 3 });
    const config = parseRunConfig(runConfigFor(request, '/models/x', 'auto'));
    expect(config.privacy).toEqual(
      preset === 'none' ? { mode: 'none' } : { mode: 'target-epsilon', epsilon: Number(preset) },
    );
    expect(config).toMatchObject({
      model: 'bundled',
      dataset: { id: '4' },
      steps: 3,
      expectedBatchSize: 32,
      shards: 1,
      backend: 'auto',
    });
  });

  it('uses the folder for a local model and keeps the screen’s settings', () => {
    const request = TrainRequestSchema.parse({
      datasetId: 1,
      model: { path: '/models/qwen' },
      privacy: '3',
      privacyUnit: 'patient',
      steps: 10,
      expectedBatchSize: 4,
      maxSequenceLength: 32,
      loraRank: 4,
      shards: 3,
    });
    const config = parseRunConfig(runConfigFor(request, '/models/qwen', 'wasm'));
    expect(config).toMatchObject({
      model: '/models/qwen',
      privacyUnit: 'patient',
      maxSequenceLength: 32,
      lora: { rank: 4, alpha: 8 },
      shards: 3,
      backend: 'wasm',
    });
  });

  it('rejects a preset the screen does not offer', () => {
    expect(
      TrainRequestSchema.safeParse({ datasetId: 1, model: 'bundled', privacy: '2', steps: 3 }).success,
    ).toBe(false);
  });

  it('plants canaries and one-run examples when the screen asks for them (issue #23, item 7)', () => {
    const plain = parseRunConfig(
      runConfigFor(
        TrainRequestSchema.parse({ datasetId: 1, model: 'bundled', privacy: '3', steps: 3 }),
        '',
        'auto',
      ),
    );
    expect(plain.canaries).toBeUndefined();
    expect(plain.oneRunExamples).toBe(0);
    const request = TrainRequestSchema.parse({
      datasetId: 1,
      model: 'bundled',
      privacy: '3',
      steps: 3,
      auditCanaries: true,
      oneRunExamples: 200,
    });
    const config = parseRunConfig(runConfigFor(request, '', 'auto'));
    expect(config.canaries).toEqual({ format: 'mrn', repetitions: [1, 2, 4, 8], perRepetition: 2 });
    expect(config.oneRunExamples).toBe(200);
  });
});
