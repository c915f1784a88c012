/**
 * Packs a step's examples into fixed-size micro-batches: right-padded token ids with an
 * attention mask, and dummy rows (one real token, nothing to predict, so zero loss and zero
 * gradient) filling the last micro-batch. Fixed shapes keep backends from recompiling, and
 * a step's batch size never shows up as a tensor shape. Sequence lengths are rounded up to
 * a multiple of 8 to limit the number of distinct shapes.
 */
import type { TrainingExample } from './trainingData.js';

export interface MicroBatch {
  /** [rows][time] token ids, 0-padded. */
  readonly ids: number[][];
  /** [rows][time] 1 for real tokens. */
  readonly mask: number[][];
  /** The examples of the real rows, in row order (rows beyond them are padding). */
  readonly examples: readonly TrainingExample[];
}

export function packMicroBatches(examples: readonly TrainingExample[], rows: number): MicroBatch[] {
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`micro-batch size must be ≥ 1, got ${rows}`);
  // sorting by length keeps padding low; ties by record id keep it deterministic
  const sorted = [...examples].sort((a, b) => a.ids.length - b.ids.length || a.recordId - b.recordId);
  const batches: MicroBatch[] = [];
  for (let start = 0; start < sorted.length; start += rows) {
    const group = sorted.slice(start, start + rows);
    const longest = Math.max(...group.map((e) => e.ids.length));
    const time = Math.ceil(longest / 8) * 8;
    const ids: number[][] = [];
    const mask: number[][] = [];
    for (let r = 0; r < rows; r += 1) {
      const e = group[r];
      const row = new Array<number>(time).fill(0);
      const m = new Array<number>(time).fill(0);
      if (e) {
        e.ids.forEach((id, t) => {
          row[t] = id;
          m[t] = 1;
        });
      } else {
        m[0] = 1; // a dummy row: one token of context, no target
      }
      ids.push(row);
      mask.push(m);
    }
    batches.push({ ids, mask, examples: group });
  }
  return batches;
}
