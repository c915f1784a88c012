/**
 * The fonts embedded in every report: DejaVu Sans (regular, bold) and DejaVu Sans Mono, from
 * the dejavu-fonts-ttf package. They cover Greek (ε, δ, σ), maths symbols and typographic
 * punctuation, which the PDF standard fonts do not, and embedding them makes the PDF look
 * the same on every reader.
 */
import { createRequire } from 'node:module';

export const FONT_REGULAR = 'Sans';
export const FONT_BOLD = 'Sans-Bold';
export const FONT_MONO = 'Mono';

export interface ReportFontFiles {
  regular: string;
  bold: string;
  mono: string;
}

/** Absolute paths of the TTF files (resolved from node_modules, also inside the built app). */
export function reportFontFiles(): ReportFontFiles {
  const resolveFromHere = createRequire(import.meta.url);
  const file = (name: string) => resolveFromHere.resolve(`dejavu-fonts-ttf/ttf/${name}`);
  return {
    regular: file('DejaVuSans.ttf'),
    bold: file('DejaVuSans-Bold.ttf'),
    mono: file('DejaVuSansMono.ttf'),
  };
}
