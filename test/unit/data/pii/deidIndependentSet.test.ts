// SPDX-License-Identifier: Apache-2.0
// The independent evaluation set of issue 20 (test/fixtures/deid/): 46 notes written by hand in
// the styles of real discharge summaries, nursing and telephone notes, radiology reports, letters
// and portal messages (US, UK, Canadian), not produced by the synthetic generator, annotated at
// character level (UTF-16 offsets). 30 notes were used to tune the recognisers ("tune"); 16 were
// never looked at while tuning ("heldout"). Before issue 20 the recognisers scored, on tune /
// heldout: name recall 0.638 / 0.556, structured recall 0.357 / 0.409.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { PiiEvaluator, PiiScanner, PII_TYPES } from '../../../../src-main/data/index';

const spanSchema = z.object({
  start: z.number().int().nonnegative(),
  end: z.number().int().positive(),
  type: z.enum(PII_TYPES),
  text: z.string().min(1),
});
const noteSchema = z.object({
  id: z.string(),
  style: z.string(),
  split: z.enum(['tune', 'heldout']),
  text: z.string(),
  spans: z.array(spanSchema),
});
type Note = z.infer<typeof noteSchema>;

const load = (part: string): Note[] =>
  readFileSync(resolve(import.meta.dirname, `../../../fixtures/deid/${part}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => noteSchema.parse(JSON.parse(line)));

const tune = load('tune');
const heldout = load('heldout');

function score(notes: readonly Note[]) {
  const scanner = new PiiScanner();
  const evaluator = new PiiEvaluator();
  for (const note of notes) evaluator.add(note.spans, scanner.scan(note.text));
  return evaluator.scores();
}

describe('the independent de-identification set', () => {
  it('has at least 40 notes in varied styles, with spans that match their text', () => {
    const notes = [...tune, ...heldout];
    expect(notes.length).toBeGreaterThanOrEqual(40);
    expect(heldout.length).toBeGreaterThanOrEqual(15);
    expect(new Set(notes.map((n) => n.id)).size).toBe(notes.length);
    expect(new Set(notes.map((n) => n.style)).size).toBeGreaterThanOrEqual(20);
    for (const note of notes) {
      for (const span of note.spans) {
        expect(note.text.slice(span.start, span.end), note.id).toBe(span.text);
      }
    }
    const types = new Set(notes.flatMap((n) => n.spans.map((s) => s.type)));
    expect(types.size).toBeGreaterThanOrEqual(15);
  });

  it('meets the issue-20 targets on the whole set: structured recall >= 0.98, name recall >= 0.95, precision >= 0.85', () => {
    const s = score([...tune, ...heldout]);
    console.log(
      JSON.stringify({
        all: {
          name: [s.NAME.precision, s.NAME.recall],
          structured: [s.STRUCTURED.precision, s.STRUCTURED.recall],
        },
      }),
    );
    expect(s.STRUCTURED.recall).toBeGreaterThanOrEqual(0.98);
    expect(s.NAME.recall).toBeGreaterThanOrEqual(0.95);
    expect(s.ALL.precision).toBeGreaterThanOrEqual(0.85);
    expect(s.NAME.precision).toBeGreaterThanOrEqual(0.85);
    expect(s.STRUCTURED.precision).toBeGreaterThanOrEqual(0.85);
  });

  it('holds on the held-out notes it was not tuned on (one structured miss of 44 allowed)', () => {
    const s = score(heldout);
    console.log(
      JSON.stringify({
        heldout: {
          name: [s.NAME.precision, s.NAME.recall],
          structured: [s.STRUCTURED.precision, s.STRUCTURED.recall],
        },
      }),
    );
    expect(s.NAME.recall).toBeGreaterThanOrEqual(0.95);
    expect(s.STRUCTURED.recall).toBeGreaterThanOrEqual(0.95);
    expect(s.ALL.precision).toBeGreaterThanOrEqual(0.85);
  });
});
