/**
 * ROC curves of the membership-inference attacks of one run on log-log axes, with the chance
 * diagonal. Log axes show the low-false-positive region that matters (Carlini et al. 2022,
 * "Membership Inference Attacks From First Principles"): an attack that finds a few members
 * with near certainty is dangerous even when its AUC is near 0.5.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ReportRun } from '../reportModel.js';
import { CHART_CONFIG, CHART_HEIGHT, CHART_WIDTH } from './chartTheme.js';

/** The smallest rate shown: below 1/(2n) a log axis only shows sampling noise. */
export function rocFloor(nonMembers: number): number {
  const floor = 1 / (2 * Math.max(1, nonMembers));
  return Math.max(1e-4, Math.min(1e-2, floor));
}

export function rocChartSpec(run: ReportRun): TopLevelSpec | null {
  const membership = run.audit?.membership;
  if (!membership || membership.attacks.length === 0) return null;
  const floor = rocFloor(membership.nonMembers);
  const points = membership.attacks.flatMap((attack) =>
    attack.roc.fpr.map((fpr, i) => ({
      attack: `${attack.name} (AUC ${attack.auc.toFixed(3)})`,
      fpr: Math.max(floor, fpr),
      tpr: Math.max(floor, attack.roc.tpr[i] ?? 0),
      order: i,
    })),
  );
  const axisScale = { type: 'log' as const, domain: [floor, 1] };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: `Membership inference ROC: ${run.training.runName}`,
      subtitle: 'log-log axes; dashed diagonal = random guessing',
      subtitleFontSize: 9,
    },
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    config: CHART_CONFIG,
    layer: [
      {
        data: {
          values: [
            { x: floor, y: floor, label: 'chance (random guess)' },
            { x: 1, y: 1, label: 'chance (random guess)' },
          ],
        },
        mark: { type: 'line', strokeDash: [4, 4], color: '#888888', clip: true },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: axisScale },
          y: { field: 'y', type: 'quantitative', scale: axisScale },
        },
      },
      {
        data: { values: points },
        mark: { type: 'line', clip: true, strokeWidth: 1.8 },
        encoding: {
          x: {
            field: 'fpr',
            type: 'quantitative',
            scale: axisScale,
            title: 'False positive rate (non-members flagged)',
            axis: { format: '~g' },
          },
          y: {
            field: 'tpr',
            type: 'quantitative',
            scale: axisScale,
            title: 'True positive rate (members found)',
            axis: { format: '~g' },
          },
          color: { field: 'attack', type: 'nominal', title: 'Attack' },
          order: { field: 'order', type: 'quantitative' },
        },
      },
    ],
  };
}
