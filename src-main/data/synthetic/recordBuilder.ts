/** Builds a text piece by piece and records the exact span of every planted identifier. */
import type { PiiSpan, PiiType } from '../pii/piiTypes.js';

export class RecordBuilder {
  private text = '';
  readonly spans: PiiSpan[] = [];

  add(...parts: string[]): this {
    this.text += parts.join('');
    return this;
  }

  pii(type: PiiType, value: string): this {
    this.spans.push({ type, start: this.text.length, end: this.text.length + value.length, text: value });
    this.text += value;
    return this;
  }

  build(): { text: string; spans: PiiSpan[] } {
    return { text: this.text, spans: [...this.spans] };
  }
}
