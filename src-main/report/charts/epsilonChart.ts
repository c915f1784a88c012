/**
 * The privacy guarantee (the accountant's ε, an upper bound on leakage) next to what the
 * audit measured (the one-run empirical ε lower bound, Steinke, Nasr & Jagielski 2023).
 * The measured bar must stay below the guarantee; a non-private run has no guarantee bar.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ReportRun } from '../reportModel.js';
import { CHART_CONFIG, CHART_WIDTH } from './chartTheme.js';

export const GUARANTEE_LABEL = 'guarantee (theoretical ε)';
export const MEASURED_LABEL = 'measured lower bound (empirical ε)';

export function epsilonChartSpec(runs: readonly ReportRun[]): TopLevelSpec | null {
  const rows = runs.flatMap((run) => {
    const out: { run: string; kind: string; epsilon: number; label: string }[] = [];
    const theoretical = run.training.privacy.epsilon;
    out.push(
      theoretical === null
        ? { run: run.training.runName, kind: GUARANTEE_LABEL, epsilon: 0, label: 'none (not private)' }
        : {
            run: run.training.runName,
            kind: GUARANTEE_LABEL,
            epsilon: theoretical,
            label: theoretical.toFixed(2),
          },
    );
    const bound = run.audit?.epsilonLowerBound;
    if (bound) {
      out.push({
        run: run.training.runName,
        kind: MEASURED_LABEL,
        epsilon: bound.epsilonLowerBound,
        label: bound.epsilonLowerBound.toFixed(2),
      });
    }
    return out;
  });
  if (!runs.some((run) => run.audit?.epsilonLowerBound)) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Privacy loss: guaranteed maximum vs measured minimum',
    width: CHART_WIDTH,
    height: { step: 22 },
    config: CHART_CONFIG,
    data: { values: rows },
    encoding: {
      y: { field: 'run', type: 'nominal', title: null },
      yOffset: { field: 'kind', type: 'nominal', sort: [GUARANTEE_LABEL, MEASURED_LABEL] },
      x: { field: 'epsilon', type: 'quantitative', title: 'ε (lower is more private)' },
    },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          color: {
            field: 'kind',
            type: 'nominal',
            title: null,
            sort: [GUARANTEE_LABEL, MEASURED_LABEL],
            scale: { range: ['#0072B2', '#D55E00'] },
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 },
        encoding: { text: { field: 'label' } },
      },
    ],
  };
}
