/**
 * Membership-inference AUC of every attack, runs side by side. 0.5 is random guessing
 * (the dashed rule); 1.0 means the attack tells members from non-members perfectly.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ReportRun } from '../reportModel.js';
import { CHART_CONFIG, CHART_HEIGHT, CHART_WIDTH } from './chartTheme.js';

export function aucChartSpec(runs: readonly ReportRun[]): TopLevelSpec | null {
  const rows = runs.flatMap((run) =>
    (run.audit?.membership.attacks ?? []).map((attack) => ({
      run: run.training.runName,
      attack: attack.name,
      auc: attack.auc,
      label: attack.auc.toFixed(2),
    })),
  );
  if (rows.length === 0) return null;
  const runNames = runs.map((run) => run.training.runName);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Membership-inference AUC by attack (0.5 = guessing)',
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    config: CHART_CONFIG,
    layer: [
      {
        data: { values: rows },
        encoding: {
          x: { field: 'attack', type: 'nominal', title: 'Attack', axis: { labelAngle: 0 } },
          xOffset: { field: 'run', type: 'nominal', sort: runNames },
          y: { field: 'auc', type: 'quantitative', title: 'AUC', scale: { domain: [0, 1] } },
        },
        layer: [
          {
            mark: { type: 'bar' },
            encoding: { color: { field: 'run', type: 'nominal', title: 'Run', sort: runNames } },
          },
          { mark: { type: 'text', dy: -6, fontSize: 9 }, encoding: { text: { field: 'label' } } },
        ],
      },
      {
        data: { values: [{ chance: 0.5 }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#555555' },
        encoding: { y: { field: 'chance', type: 'quantitative' } },
      },
    ],
  };
}
