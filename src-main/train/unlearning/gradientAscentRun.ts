/**
 * Gradient-ascent unlearning's result is a NEW run that names its parent (issue 18). Gradient
 * ascent reads the forget and retain records without noise, so the changed adapter is not
 * covered by the parent's DP guarantee: storing it under the parent would let audits, the
 * playground, reports and later unlearning pick it up as "the run's adapter" with the parent's
 * ε. The derived run:
 *   - has its own adapter; the parent's adapters are left exactly as they were;
 *   - is recorded with privacy mode "none" (what actually ran on the data), so the dataset's
 *     budget sees a non-private use of the data and reports its ε as unbounded;
 *   - carries `derivedFrom` in its summary: the parent, the method and its own guarantee text
 *     (approximate unlearning; the parent's ε covers the parent's adapter only).
 */
import type { LoraAdapter } from '../../lora/index.js';
import type { CausalLm } from '../../model/index.js';
import type { RunRow, Store } from '../../store/index.js';
import type { RunConfig } from '../runConfig.js';
import { storeRunAdapter } from '../storedAdapter.js';
import { TrainingSummarySchema, type TrainingSummary } from '../trainingSummary.js';

/** The guarantee text of a gradient-ascent unlearning run. */
export function gradientAscentGuarantee(parent: RunRow, parentEpsilon: number | null): string {
  return (
    `Approximate unlearning (gradient ascent, Jang et al. 2022) applied to run ${parent.id} ("${parent.name}"). ` +
    'This adapter was changed by reading the forgotten and retained records without noise, so it carries no ' +
    'differential-privacy guarantee of its own' +
    (parentEpsilon !== null
      ? `; the parent's ε = ${Number(parentEpsilon.toPrecision(4))} covers the parent's adapter only, not this one.`
      : '; the parent was not trained with differential privacy either.') +
    ' That the forgotten records no longer influence it is supported only by the attacks in its unlearning certificate.'
  );
}

export interface GradientAscentRunInput {
  readonly store: Store;
  readonly parent: RunRow;
  readonly parentConfig: RunConfig;
  readonly adapter: LoraAdapter;
  readonly model: CausalLm;
  /** The unlearned adapter's eval perplexity (from the certificate's evidence). */
  readonly evalPerplexity: number;
}

/** Creates the derived run, stores its adapter and summary, and returns its id. */
export async function storeGradientAscentRun(input: GradientAscentRunInput): Promise<number> {
  const { store, parent, parentConfig, adapter, model } = input;
  const name = `${parent.name}-unlearned-gradient-ascent`;
  const config: RunConfig = { ...parentConfig, privacy: { mode: 'none' } };
  const run = store.runs.create({ projectId: parent.projectId, datasetId: parent.datasetId, name, config });
  store.runs.setStatus(run.id, 'running');
  const archive = await storeRunAdapter(
    store,
    { runId: run.id, name: `${name}-final`, baseModel: parentConfig.model },
    adapter,
    model,
  );
  const parentSummary: TrainingSummary | null = parent.summaryJson
    ? TrainingSummarySchema.parse(JSON.parse(parent.summaryJson))
    : null;
  if (parentSummary) {
    const evalLoss = Math.log(input.evalPerplexity);
    const summary = TrainingSummarySchema.parse({
      ...parentSummary,
      runId: run.id,
      runName: name,
      status: 'completed',
      adapter: { ...parentSummary.adapter, sha256: archive.weightsSha256 },
      privacy: {
        ...parentSummary.privacy,
        mode: 'none',
        epsilon: null,
        rdpEpsilon: null,
        prvEpsilon: null,
        delta: null,
        noiseMultiplier: null,
        clipNorm: null,
        budget: null,
      },
      curves: { train: [], eval: [{ step: 0, loss: evalLoss, perplexity: input.evalPerplexity }] },
      finalEvalLoss: evalLoss,
      finalPerplexity: input.evalPerplexity,
      sanity: [],
      config: config as unknown as Record<string, unknown>,
      seconds: null,
      tokensPerSecond: null,
      shards: undefined,
      derivedFrom: {
        runId: parent.id,
        method: 'gradient-ascent',
        guarantee: gradientAscentGuarantee(parent, parentSummary.privacy.epsilon),
      },
    });
    store.runs.setSummary(run.id, summary);
  }
  store.runs.setStatus(run.id, 'completed');
  store.auditLog.append('train', `run:${run.id}`, {
    event: 'derived',
    parent: parent.id,
    method: 'gradient-ascent',
    privacy: 'none',
  });
  return run.id;
}
