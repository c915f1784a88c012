/**
 * Canary exposure against the number of times each canary was repeated in the training
 * data (Carlini et al. 2019, "The Secret Sharer"). Exposure is in bits; the dashed line is
 * the largest exposure possible (log2 of the number of candidate secrets), reached when the
 * model ranks the true secret first.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ReportRun } from '../reportModel.js';
import { CHART_CONFIG, CHART_HEIGHT, CHART_WIDTH } from './chartTheme.js';

export function exposureChartSpec(runs: readonly ReportRun[]): TopLevelSpec | null {
  const withCanaries = runs.filter((run) => run.audit?.canaries);
  if (withCanaries.length === 0) return null;
  const points = withCanaries.flatMap((run) =>
    (run.audit?.canaries?.perRepetition ?? []).map((row) => ({
      run: run.training.runName,
      repetitions: row.repetitions,
      meanExposure: row.meanExposure,
      maxExposure: row.maxExposure,
    })),
  );
  const ceiling = Math.max(...withCanaries.map((run) => run.audit?.canaries?.maxExposure ?? 0));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Canary exposure by number of repetitions',
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    config: CHART_CONFIG,
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', point: true, strokeWidth: 1.8 },
        encoding: {
          x: {
            field: 'repetitions',
            type: 'ordinal',
            title: 'Times each canary appears in the training data',
            axis: { labelAngle: 0 },
          },
          y: {
            field: 'meanExposure',
            type: 'quantitative',
            title: 'Mean exposure (bits)',
            scale: { domain: [0, Math.max(1, ceiling)] },
          },
          color: { field: 'run', type: 'nominal', title: 'Run' },
        },
      },
      {
        data: { values: [{ ceiling, label: `largest possible: ${ceiling.toFixed(1)} bits` }] },
        layer: [
          {
            mark: { type: 'rule', strokeDash: [4, 4], color: '#888888' },
            encoding: { y: { field: 'ceiling', type: 'quantitative' } },
          },
          {
            mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#555555', fontSize: 10, x: 0 },
            encoding: { y: { field: 'ceiling', type: 'quantitative' }, text: { field: 'label' } },
          },
        ],
      },
    ],
  };
}
