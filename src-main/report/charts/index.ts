/** Vega-lite specs of every report chart (pure functions of the report model) and the SVG renderer. */
export { aucChartSpec } from './aucChart.js';
export { CHART_CONFIG, CHART_FONT, PALETTE } from './chartTheme.js';
export { epsilonChartSpec, GUARANTEE_LABEL, MEASURED_LABEL } from './epsilonChart.js';
export { exposureChartSpec } from './exposureChart.js';
export { lossChartSpec } from './lossChart.js';
export { renderChartSvg } from './renderChartSvg.js';
export { rocChartSpec, rocFloor } from './rocChart.js';
