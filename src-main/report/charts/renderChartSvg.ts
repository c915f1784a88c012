/**
 * Renders a vega-lite spec to an SVG string, headless (vega's 'none' renderer: no canvas,
 * no DOM). Text is measured with vega's built-in estimator, and the PDF draws it with the
 * embedded DejaVu Sans, so labels fit the same way on every machine.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export async function renderChartSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new View(parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
