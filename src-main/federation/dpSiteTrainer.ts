/**
 * A site's real local training for the federation: DP-SGD LoRA fine-tuning (src-main/train)
 * on the site's own dataset in its own encrypted store, one training run per round, starting
 * from the federation's global adapter. Each round's run charges the site's dataset budget
 * like any run (so rounds compose in the budget), and its privacy ledger is what the site
 * reports. Every site starts round 1 from the same LoRA initialisation (the configuration's
 * seed, which the federation shares), so deltas add up.
 */
import { LoraAdapter, defaultTargetModules } from '../lora/index.js';
import { loadModel } from '../model/index.js';
import type { Store } from '../store/index.js';
import type { RunConfig } from '../train/runConfig.js';
import { modelDirectory, train } from '../train/trainer.js';
import type { TrainingEventListener } from '../train/trainingEvents.js';
import type { LocalTrainer, LocalTrainingResult } from './localTrainer.js';

export interface DpSiteTrainerOptions {
  readonly store: Store;
  readonly config: RunConfig;
  readonly siteId: string;
  readonly onEvent?: TrainingEventListener;
}

export class DpSiteTrainer implements LocalTrainer {
  readonly description = 'DP-SGD LoRA fine-tuning of the configured model on the site\u2019s own data';
  private initial: Float32Array[] | null = null;

  constructor(private readonly options: DpSiteTrainerOptions) {}

  /** The shared LoRA initialisation (A from the seed, B zero): the global adapter's start. */
  async initialAdapter(): Promise<Float32Array[]> {
    if (this.initial) return this.initial;
    const { config } = this.options;
    const { model } = await loadModel(modelDirectory(config.model));
    const adapter = LoraAdapter.create(
      model,
      {
        r: config.lora.rank,
        alpha: config.lora.alpha,
        dropout: config.lora.dropout,
        targetModules: config.lora.targetModules ?? defaultTargetModules(model),
      },
      config.seed,
    );
    this.initial = await Promise.all(
      adapter.trainableVariables.map(async (v) => Float32Array.from(await v.data())),
    );
    adapter.dispose();
    model.dispose();
    return this.initial;
  }

  async train(round: number, globalAdapter: Float32Array[] | null): Promise<LocalTrainingResult> {
    const start = globalAdapter ?? (await this.initialAdapter());
    const { store, config, siteId } = this.options;
    const result = await train({
      store,
      config,
      runName: `${siteId}-round-${round}`,
      initialAdapter: start,
      ...(this.options.onEvent ? { onEvent: this.options.onEvent } : {}),
    });
    const delta = result.finalParams.map((p, k) => {
      const d = new Float32Array(p.length);
      const s = start[k]!;
      for (let i = 0; i < p.length; i += 1) d[i] = p[i]! - s[i]!;
      return d;
    });
    const ledger = store.privacy.ledger(result.runId).map((r) => ({
      samplingRate: r.sampleRate,
      noiseMultiplier: r.noiseMultiplier,
      clipNorm: r.clipNorm,
      unitCount: r.unitCount,
      steps: r.steps,
    }));
    result.adapter.dispose();
    result.model.dispose();
    return { delta, examples: result.summary.dataset.trainUnits, ledger };
  }
}
