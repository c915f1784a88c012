// Chart specs are pure functions of the report model; they must plot exactly the model's numbers.
import { describe, expect, it } from 'vitest';
import {
  aucChartSpec,
  epsilonChartSpec,
  exposureChartSpec,
  GUARANTEE_LABEL,
  lossChartSpec,
  MEASURED_LABEL,
  renderChartSvg,
  rocChartSpec,
  rocFloor,
} from '../../../src-main/report/charts/index';
import { sanitizeSvgForPdf } from '../../../src-main/report/pdfWriter';
import { buildReportFixture } from '../../fixtures/report/reportFixture';

type Layer = {
  data?: { values?: Record<string, unknown>[] };
  encoding?: Record<string, { scale?: { type?: string } }>;
};
const layers = (spec: unknown) => (spec as { layer: Layer[] }).layer;
const values = (spec: unknown) => (spec as { data: { values: Record<string, unknown>[] } }).data.values;

describe('report charts', () => {
  const model = buildReportFixture();
  const [baseline, dp] = model.runs as [(typeof model.runs)[0], (typeof model.runs)[0]];

  it('ROC: log-log axes, a chance diagonal from the floor to (1,1), one series per attack, no zeros', () => {
    const spec = rocChartSpec(baseline);
    const [diagonal, curves] = layers(spec) as [Layer, Layer];
    const floor = rocFloor(500);
    expect(floor).toBeCloseTo(0.001, 12);
    expect(diagonal.data?.values?.map((p) => [p.x, p.y])).toEqual([
      [floor, floor],
      [1, 1],
    ]);
    expect(curves.encoding?.x?.scale?.type).toBe('log');
    expect(curves.encoding?.y?.scale?.type).toBe('log');
    const points = curves.data?.values ?? [];
    const attacks = baseline.audit!.membership.attacks;
    expect(new Set(points.map((p) => p.attack)).size).toBe(attacks.length);
    expect(points).toHaveLength(attacks.reduce((n, a) => n + a.roc.fpr.length, 0));
    for (const p of points) {
      expect(p.fpr as number).toBeGreaterThanOrEqual(floor);
      expect(p.tpr as number).toBeGreaterThanOrEqual(floor);
    }
    expect(rocChartSpec({ ...baseline, audit: null })).toBeNull();
  });

  it('exposure: every (run, repetitions) point and the ceiling at the largest possible exposure', () => {
    const spec = exposureChartSpec(model.runs);
    const [points, ceiling] = layers(spec) as [Layer, Layer];
    expect(points.data?.values).toHaveLength(10);
    const dp16 = points.data?.values?.find((p) => p.run === 'dp-eps3' && p.repetitions === 16);
    expect(dp16?.meanExposure).toBe(dp.audit!.canaries!.perRepetition[4]!.meanExposure);
    expect(ceiling.data?.values?.[0]?.ceiling).toBe(26.575);
  });

  it('loss: training and held-out points of every run', () => {
    const rows = values(lossChartSpec(model.runs));
    const expected = model.runs.reduce(
      (n, r) => n + r.training.curves.train.length + r.training.curves.eval.length,
      0,
    );
    expect(rows).toHaveLength(expected);
    expect(new Set(rows.map((r) => r.split))).toEqual(new Set(['training', 'held-out']));
  });

  it('ε: guarantee and measured bars; the non-private run has no guarantee', () => {
    const rows = values(epsilonChartSpec(model.runs));
    expect(rows).toContainEqual({ run: 'dp-eps3', kind: GUARANTEE_LABEL, epsilon: 2.9871, label: '2.99' });
    expect(rows).toContainEqual({
      run: 'baseline (no DP)',
      kind: MEASURED_LABEL,
      epsilon: 1.382,
      label: '1.38',
    });
    expect(rows.find((r) => r.run === 'baseline (no DP)' && r.kind === GUARANTEE_LABEL)?.label).toBe(
      'none (not private)',
    );
  });

  it('AUC: one bar per attack and run', () => {
    const bars = layers(aucChartSpec(model.runs))[0]!.data?.values ?? [];
    expect(bars).toHaveLength(8);
    expect(bars.find((b) => b.run === 'baseline (no DP)' && b.attack === 'reference')?.auc).toBe(0.846);
  });

  it('renders to SVG with its axis titles as text', async () => {
    const svg = await renderChartSvg(rocChartSpec(dp)!);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('False positive rate (non-members flagged)');
    expect(svg).toContain('font-family="DejaVu Sans');
  });

  it('sanitizeSvgForPdf removes solid dash patterns and keeps real ones', () => {
    expect(sanitizeSvgForPdf('<path stroke-dasharray="1,0" d=""/>')).toBe('<path d=""/>');
    expect(sanitizeSvgForPdf('<path stroke-dasharray="4,4" d=""/>')).toBe(
      '<path stroke-dasharray="4,4" d=""/>',
    );
    expect(sanitizeSvgForPdf('<path stroke-dasharray="0,4" d=""/>')).toBe(
      '<path stroke-dasharray="0.01,4" d=""/>',
    );
  });
});
