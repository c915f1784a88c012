/**
 * Every chart a report shows, rendered to SVG up front (vega renders asynchronously; pdfkit
 * lays pages out synchronously). Null where the model has nothing to plot.
 */
import {
  aucChartSpec,
  epsilonChartSpec,
  exposureChartSpec,
  lossChartSpec,
  renderChartSvg,
  rocChartSpec,
} from './charts/index.js';
import type { ReportModel } from './reportModel.js';
import type { TopLevelSpec } from 'vega-lite';

export interface ReportChartSvgs {
  loss: string | null;
  auc: string | null;
  /** One per run, in the order of `model.runs`. */
  roc: (string | null)[];
  exposure: string | null;
  epsilon: string | null;
}

const render = (spec: TopLevelSpec | null) => (spec ? renderChartSvg(spec) : Promise.resolve(null));

export async function renderReportCharts(model: ReportModel): Promise<ReportChartSvgs> {
  const [loss, auc, exposure, epsilon, ...roc] = await Promise.all([
    render(lossChartSpec(model.runs)),
    render(aucChartSpec(model.runs)),
    render(exposureChartSpec(model.runs)),
    render(epsilonChartSpec(model.runs)),
    ...model.runs.map((run) => render(rocChartSpec(run))),
  ]);
  return { loss: loss ?? null, auc: auc ?? null, exposure: exposure ?? null, epsilon: epsilon ?? null, roc };
}
