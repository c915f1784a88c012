/**
 * Page layout on top of pdfkit for the report: headings that feed the table of contents and
 * the PDF outline, paragraphs, key–value and column tables that break across pages, coloured
 * call-out boxes, vector charts (SVG drawn with svg-to-pdfkit) and the "page X of Y" footer.
 */
import type PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { FONT_BOLD, FONT_MONO, FONT_REGULAR } from './reportFonts.js';

type Doc = InstanceType<typeof PDFDocument>;

export type CalloutTone = 'pass' | 'warn' | 'fail' | 'inconclusive' | 'none' | 'info';

const TONES: Record<CalloutTone, { fill: string; stroke: string; text: string; label: string }> = {
  pass: { fill: '#e7f5ec', stroke: '#1b7f3b', text: '#0f4d24', label: 'PASS' },
  warn: { fill: '#fff4dc', stroke: '#b36b00', text: '#6b4000', label: 'WARNING' },
  fail: { fill: '#fde8e8', stroke: '#b3261e', text: '#7a1712', label: 'FAIL' },
  inconclusive: { fill: '#f1eefa', stroke: '#5b4a9b', text: '#33275e', label: 'INCONCLUSIVE' },
  none: { fill: '#eeeeee', stroke: '#666666', text: '#333333', label: 'NOT AUDITED' },
  info: { fill: '#eaf2fb', stroke: '#2b5d9b', text: '#1d3f69', label: 'NOTE' },
};

export const TEXT_COLOR = '#1a1a1a';
export const MUTED_COLOR = '#5c5c5c';

export interface TocEntry {
  title: string;
  level: 1 | 2;
  /** 0-based page index. */
  page: number;
}

export interface Column {
  header: string;
  /** Fraction of the text width. */
  width: number;
  align?: 'left' | 'right';
  mono?: boolean;
}

/**
 * pdfkit 0.17 rejects zero dash lengths, which vega writes for solid legend strokes
 * (stroke-dasharray="1,0"): drop all-solid patterns, nudge other zeros to a hair.
 */
export function sanitizeSvgForPdf(svg: string): string {
  return svg.replace(/\sstroke-dasharray="([^"]*)"/g, (whole, list: string) => {
    const values = list
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number);
    if (!values.includes(0)) return whole;
    const gaps = values.filter((_, i) => i % 2 === 1);
    if (values.some((v) => !Number.isFinite(v)) || gaps.every((g) => g === 0)) return '';
    return ` stroke-dasharray="${values.map((v) => (v === 0 ? 0.01 : v)).join(',')}"`;
  });
}

export class PdfWriter {
  readonly toc: TocEntry[] = [];
  private sectionNumber = 0;
  private subsectionNumber = 0;
  private outlineSection: PDFKit.PDFOutline | null = null;

  constructor(readonly doc: Doc) {}

  get left(): number {
    return this.doc.page.margins.left;
  }

  get width(): number {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
  }

  get bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  /** Starts a new page when fewer than `height` points are left. */
  ensureSpace(height: number): void {
    if (this.doc.y + height > this.bottom) this.doc.addPage();
  }

  newPage(): void {
    this.doc.addPage();
  }

  section(title: string): void {
    this.sectionNumber += 1;
    this.subsectionNumber = 0;
    const numbered = `${this.sectionNumber}. ${title}`;
    const destination = `section-${this.toc.length}`;
    this.toc.push({ title: numbered, level: 1, page: this.currentPage() });
    this.outlineSection = this.doc.outline.addItem(numbered);
    this.doc
      .font(FONT_BOLD)
      .fontSize(17)
      .fillColor(TEXT_COLOR)
      .text(numbered, this.left, this.doc.y, { destination });
    this.rule();
    this.doc.moveDown(0.6);
  }

  subsection(title: string): void {
    this.ensureSpace(90);
    this.subsectionNumber += 1;
    const numbered = `${this.sectionNumber}.${this.subsectionNumber} ${title}`;
    const destination = `section-${this.toc.length}`;
    this.toc.push({ title: numbered, level: 2, page: this.currentPage() });
    (this.outlineSection ?? this.doc.outline).addItem(numbered);
    this.doc.moveDown(0.4);
    this.doc
      .font(FONT_BOLD)
      .fontSize(13)
      .fillColor(TEXT_COLOR)
      .text(numbered, this.left, this.doc.y, { destination });
    this.doc.moveDown(0.3);
  }

  paragraph(text: string, options: { size?: number; color?: string; bold?: boolean } = {}): void {
    this.doc
      .font(options.bold ? FONT_BOLD : FONT_REGULAR)
      .fontSize(options.size ?? 10.5)
      .fillColor(options.color ?? TEXT_COLOR)
      .text(text, this.left, this.doc.y, { width: this.width, lineGap: 2 });
    this.doc.moveDown(0.5);
  }

  bullets(items: readonly string[], options: { size?: number } = {}): void {
    const size = options.size ?? 10.5;
    for (const item of items) {
      this.ensureSpace(size * 2);
      const y = this.doc.y;
      this.doc
        .font(FONT_REGULAR)
        .fontSize(size)
        .fillColor(TEXT_COLOR)
        .text('•', this.left + 4, y);
      this.doc.text(item, this.left + 18, y, { width: this.width - 18, lineGap: 1.5 });
      this.doc.moveDown(0.25);
    }
    this.doc.moveDown(0.3);
  }

  /** Two columns: a label and its value; values may be monospaced (hashes). */
  keyValues(
    rows: readonly (readonly [string, string])[],
    options: { mono?: boolean; labelWidth?: number } = {},
  ): void {
    const labelWidth = options.labelWidth ?? 170;
    const valueWidth = this.width - labelWidth - 8;
    for (const [label, value] of rows) {
      this.doc.font(options.mono ? FONT_MONO : FONT_REGULAR).fontSize(options.mono ? 9 : 10);
      const valueHeight = this.doc.heightOfString(value, { width: valueWidth });
      this.doc.font(FONT_BOLD).fontSize(10);
      const labelHeight = this.doc.heightOfString(label, { width: labelWidth });
      const height = Math.max(valueHeight, labelHeight) + 5;
      this.ensureSpace(height);
      const y = this.doc.y;
      this.doc
        .font(FONT_BOLD)
        .fontSize(10)
        .fillColor(MUTED_COLOR)
        .text(label, this.left, y, { width: labelWidth });
      this.doc
        .font(options.mono ? FONT_MONO : FONT_REGULAR)
        .fontSize(options.mono ? 9 : 10)
        .fillColor(TEXT_COLOR)
        .text(value, this.left + labelWidth + 8, y, { width: valueWidth });
      this.doc.y = y + height;
    }
    this.doc.x = this.left;
    this.doc.moveDown(0.5);
  }

  /** A table with a shaded header row, repeated after a page break. */
  table(columns: readonly Column[], rows: readonly (readonly string[])[]): void {
    const pad = 4;
    const widths = columns.map((c) => c.width * this.width);
    const rowHeight = (cells: readonly string[], header: boolean) =>
      Math.max(
        ...cells.map((cell, i) => {
          const mono = columns[i]?.mono === true && !header;
          this.doc.font(header ? FONT_BOLD : mono ? FONT_MONO : FONT_REGULAR).fontSize(mono ? 8.5 : 9.5);
          return this.doc.heightOfString(cell, { width: (widths[i] ?? 50) - 2 * pad });
        }),
      ) +
      2 * pad;
    const drawRow = (cells: readonly string[], header: boolean, shade: boolean) => {
      const height = rowHeight(cells, header);
      const y = this.doc.y;
      if (header || shade) {
        this.doc.rect(this.left, y, this.width, height).fill(header ? '#dde6f0' : '#f5f7fa');
      }
      let x = this.left;
      cells.forEach((cell, i) => {
        const column = columns[i];
        const mono = column?.mono === true && !header;
        this.doc
          .font(header ? FONT_BOLD : mono ? FONT_MONO : FONT_REGULAR)
          .fontSize(mono ? 8.5 : 9.5)
          .fillColor(TEXT_COLOR)
          .text(cell, x + pad, y + pad, {
            width: (widths[i] ?? 50) - 2 * pad,
            align: column?.align ?? 'left',
          });
        x += widths[i] ?? 50;
      });
      this.doc.y = y + height;
    };
    const headers = columns.map((c) => c.header);
    this.ensureSpace(rowHeight(headers, true) + (rows[0] ? rowHeight(rows[0], false) : 0));
    drawRow(headers, true, false);
    rows.forEach((row, index) => {
      if (this.doc.y + rowHeight(row, false) > this.bottom) {
        this.doc.addPage();
        drawRow(headers, true, false);
      }
      drawRow(row, false, index % 2 === 1);
    });
    this.doc.x = this.left;
    this.doc.moveDown(0.7);
  }

  /** A coloured box with a bold title and body text; `large` for the cover page. */
  callout(
    tone: CalloutTone,
    title: string,
    body: readonly string[],
    options: { large?: boolean; kicker?: string } = {},
  ): void {
    const colors = TONES[tone];
    const pad = options.large ? 14 : 10;
    const titleSize = options.large ? 16 : 11.5;
    const bodySize = options.large ? 10.5 : 10;
    const inner = this.width - 2 * pad - 6;
    const kicker = options.kicker ? `${colors.label} · ${options.kicker}` : null;
    this.doc.font(FONT_BOLD).fontSize(titleSize);
    let height = this.doc.heightOfString(title, { width: inner }) + 2 * pad;
    if (kicker) {
      this.doc.font(FONT_BOLD).fontSize(9);
      height += this.doc.heightOfString(kicker, { width: inner, characterSpacing: 0.6 }) + 4;
    }
    this.doc.font(FONT_REGULAR).fontSize(bodySize);
    for (const line of body) height += this.doc.heightOfString(line, { width: inner, lineGap: 1.5 }) + 4;
    this.ensureSpace(height + 8);
    const y = this.doc.y;
    this.doc.save();
    this.doc.rect(this.left, y, this.width, height).fill(colors.fill);
    this.doc.rect(this.left, y, 6, height).fill(colors.stroke);
    this.doc.restore();
    this.doc.y = y + pad;
    if (kicker) {
      this.doc
        .font(FONT_BOLD)
        .fontSize(9)
        .fillColor(colors.stroke)
        .text(kicker, this.left + 6 + pad, this.doc.y, { width: inner, characterSpacing: 0.6 });
      this.doc.y += 4;
    }
    this.doc
      .font(FONT_BOLD)
      .fontSize(titleSize)
      .fillColor(colors.text)
      .text(title, this.left + 6 + pad, this.doc.y, { width: inner });
    this.doc.moveDown(0.2);
    for (const line of body) {
      this.doc
        .font(FONT_REGULAR)
        .fontSize(bodySize)
        .fillColor(TEXT_COLOR)
        .text(line, this.left + 6 + pad, this.doc.y, { width: inner, lineGap: 1.5 });
      this.doc.moveDown(0.25);
    }
    this.doc.y = y + height + 10;
    this.doc.x = this.left;
  }

  /** A small coloured verdict label ("PASS", "FAIL"...) followed by text on the same line. */
  verdictLine(tone: CalloutTone, text: string): void {
    const colors = TONES[tone];
    this.ensureSpace(20);
    const y = this.doc.y;
    this.doc.font(FONT_BOLD).fontSize(8.5);
    const labelWidth = this.doc.widthOfString(colors.label) + 10;
    this.doc.rect(this.left, y, labelWidth, 13).fill(colors.stroke);
    this.doc.fillColor('#ffffff').text(colors.label, this.left + 5, y + 2.5, { lineBreak: false });
    this.doc
      .font(FONT_REGULAR)
      .fontSize(10)
      .fillColor(TEXT_COLOR)
      .text(text, this.left + labelWidth + 8, y + 1, { width: this.width - labelWidth - 8 });
    this.doc.x = this.left;
    this.doc.moveDown(0.4);
  }

  /** Draws an SVG chart as vectors, scaled to fit the text width (and at most `maxHeight`). */
  chart(svg: string, options: { maxHeight?: number } = {}): void {
    const size = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
    const svgWidth = Number(size?.[1] ?? 500);
    const svgHeight = Number(size?.[2] ?? 300);
    const scale = Math.min(this.width / svgWidth, (options.maxHeight ?? 330) / svgHeight, 1.15);
    const width = svgWidth * scale;
    const height = svgHeight * scale;
    this.ensureSpace(height + 8);
    const y = this.doc.y;
    // svg-to-pdfkit sizes the drawing from the root width/height, not from its options:
    // restate them in points (the viewBox keeps vega's pixel coordinates).
    const sized = sanitizeSvgForPdf(svg).replace(
      /^(<svg[^>]*?\s)width="[\d.]+"(\s[^>]*?)height="[\d.]+"/,
      `$1width="${width.toFixed(3)}"$2height="${height.toFixed(3)}"`,
    );
    SVGtoPDF(this.doc, sized, this.left + (this.width - width) / 2, y, {
      width,
      height,
      assumePt: true,
      fontCallback: (_family, bold) => (bold ? FONT_BOLD : FONT_REGULAR),
    });
    this.doc.x = this.left;
    this.doc.y = y + height + 8;
  }

  rule(): void {
    const y = this.doc.y + 2;
    this.doc
      .moveTo(this.left, y)
      .lineTo(this.left + this.width, y)
      .lineWidth(0.6)
      .strokeColor('#9aa7b5')
      .stroke();
    this.doc.y = y + 2;
  }

  currentPage(): number {
    const range = this.doc.bufferedPageRange();
    return range.start + range.count - 1;
  }

  /** Writes the table of contents on page `page` (a page left empty for it). */
  writeToc(page: number): void {
    this.doc.switchToPage(page);
    this.doc.x = this.left;
    this.doc.y = this.doc.page.margins.top;
    this.doc.font(FONT_BOLD).fontSize(20).fillColor(TEXT_COLOR).text('Contents', this.left, this.doc.y);
    this.rule();
    this.doc.moveDown(0.8);
    for (const [index, entry] of this.toc.entries()) {
      const indent = entry.level === 1 ? 0 : 18;
      const size = entry.level === 1 ? 11.5 : 10;
      const font = entry.level === 1 ? FONT_BOLD : FONT_REGULAR;
      const y = this.doc.y;
      const pageLabel = String(entry.page + 1);
      this.doc.font(font).fontSize(size).fillColor(TEXT_COLOR);
      const titleWidth = this.doc.widthOfString(entry.title);
      const numberWidth = this.doc.widthOfString(pageLabel);
      this.doc.text(entry.title, this.left + indent, y, { lineBreak: false });
      const dotsStart = this.left + indent + titleWidth + 6;
      const dotsEnd = this.left + this.width - numberWidth - 6;
      if (dotsEnd > dotsStart) {
        this.doc
          .moveTo(dotsStart, y + size * 0.8)
          .lineTo(dotsEnd, y + size * 0.8)
          .dash(0.5, { space: 2.5 })
          .lineWidth(0.8)
          .strokeColor('#9aa7b5')
          .stroke()
          .undash();
      }
      this.doc.text(pageLabel, this.left + this.width - numberWidth, y, { lineBreak: false });
      this.doc.goTo(this.left, y, this.width, size + 2, `section-${index}`);
      this.doc.y = y + size + (entry.level === 1 ? 9 : 6);
    }
  }

  /** "Page X of Y" and a running title at the foot of every page. */
  writeFooters(title: string): void {
    const range = this.doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      this.doc.switchToPage(i);
      const bottomMargin = this.doc.page.margins.bottom;
      this.doc.page.margins.bottom = 0;
      const y = this.doc.page.height - 34;
      this.doc
        .font(FONT_REGULAR)
        .fontSize(8.5)
        .fillColor(MUTED_COLOR)
        .text(title, this.left, y, { width: this.width * 0.7, lineBreak: false, ellipsis: true });
      this.doc.text(`Page ${i + 1} of ${range.count}`, this.left, y, {
        width: this.width,
        align: 'right',
        lineBreak: false,
      });
      this.doc.page.margins.bottom = bottomMargin;
    }
  }
}
