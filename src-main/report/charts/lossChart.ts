/** Training and held-out (eval) loss per optimizer step, every run on one chart. */
import type { TopLevelSpec } from 'vega-lite';
import type { ReportRun } from '../reportModel.js';
import { CHART_CONFIG, CHART_HEIGHT, CHART_WIDTH } from './chartTheme.js';

export function lossChartSpec(runs: readonly ReportRun[]): TopLevelSpec | null {
  const points = runs.flatMap((run) => [
    ...run.training.curves.train.map((p) => ({
      run: run.training.runName,
      split: 'training',
      step: p.step,
      loss: p.loss,
    })),
    ...run.training.curves.eval.map((p) => ({
      run: run.training.runName,
      split: 'held-out',
      step: p.step,
      loss: p.loss,
    })),
  ]);
  if (points.length === 0) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Training and held-out loss',
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    config: CHART_CONFIG,
    data: { values: points },
    mark: { type: 'line', strokeWidth: 1.6, point: false },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'Optimizer step' },
      y: { field: 'loss', type: 'quantitative', title: 'Loss (nats per token)', scale: { zero: false } },
      color: { field: 'run', type: 'nominal', title: 'Run' },
      strokeDash: { field: 'split', type: 'nominal', title: 'Split', sort: ['training', 'held-out'] },
      detail: { field: 'split', type: 'nominal' },
    },
  };
}
