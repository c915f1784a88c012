/**
 * Shared look of every report chart: the embedded DejaVu Sans font (so the PDF and the app
 * draw the same glyphs), sizes that stay legible when a chart is printed at half a page,
 * and a colour-blind-safe palette (Okabe & Ito 2008, "Color Universal Design").
 */
import type { Config } from 'vega-lite';

export const CHART_FONT = 'DejaVu Sans';

/** Okabe–Ito colours: distinguishable with every common colour-vision deficiency. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

export const CHART_CONFIG: Config = {
  font: CHART_FONT,
  background: 'white',
  padding: 6,
  view: { stroke: '#bbbbbb' },
  axis: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal', gridColor: '#e6e6e6' },
  legend: {
    labelFontSize: 10,
    titleFontSize: 10,
    orient: 'bottom',
    direction: 'horizontal',
    columns: 2,
    labelLimit: 280,
    columnPadding: 24,
  },
  title: { fontSize: 12, fontWeight: 'bold', anchor: 'start' },
  range: { category: PALETTE },
};

/** Standard chart size in CSS pixels (the PDF scales it to the text width). */
export const CHART_WIDTH = 400;
export const CHART_HEIGHT = 230;
