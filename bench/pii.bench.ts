// PII recogniser precision and recall per type, and scanning speed. Prints one JSON object:
// - independent: the hand-written, hand-annotated notes of test/fixtures/deid (issue 20), the
//   part used for tuning ("tune") and the part never tuned on ("heldout");
// - synthetic: notes from Confidant's generator (names drawn by faker from eight locales, a seed
//   the recognisers were never tuned on). The generator leaves facility names unlabelled, so its
//   structured precision is also given without facility matches ("withoutFacilities");
// - maskedAnyType: the share of identifiers covered by a span of any type (what redaction hides);
// - speed: BENCH_RECORDS synthetic notes (default 10,000) scanned in one thread.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  generateSyntheticDataset,
  PiiEvaluator,
  PiiScanner,
  type PiiMatch,
  type PiiScores,
  type PiiSpan,
} from '../src-main/data/index';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 10_000);
const SEED = Number(process.env.BENCH_SEED ?? 777_001);
const round = (x: number) => Math.round(x * 1000) / 1000;
const scanner = new PiiScanner();

function summarise(scores: PiiScores) {
  return Object.fromEntries(
    Object.entries(scores)
      .filter(([, s]) => s.gold > 0 || s.predicted > 0)
      .map(([type, s]) => [
        type,
        { gold: s.gold, predicted: s.predicted, precision: round(s.precision), recall: round(s.recall) },
      ]),
  );
}

/** Share of gold spans covered by a predicted span of any type: what redaction actually hides. */
function maskedShare(pairs: ReadonlyArray<{ gold: readonly PiiSpan[]; found: readonly PiiSpan[] }>): number {
  let gold = 0;
  let masked = 0;
  for (const { gold: g, found } of pairs) {
    gold += g.length;
    masked += g.filter((s) => found.some((p) => p.start < s.end && s.start < p.end)).length;
  }
  return round(gold === 0 ? 1 : masked / gold);
}

function independent(part: 'tune' | 'heldout') {
  const file = resolve(import.meta.dirname, `../test/fixtures/deid/${part}.jsonl`);
  const notes = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { text: string; spans: PiiSpan[] });
  const evaluator = new PiiEvaluator();
  const pairs = notes.map((note) => ({ gold: note.spans, found: scanner.scan(note.text) }));
  for (const { gold, found } of pairs) evaluator.add(gold, found);
  return { notes: notes.length, maskedAnyType: maskedShare(pairs), scores: summarise(evaluator.scores()) };
}

const data = generateSyntheticDataset({ records: RECORDS, seed: SEED, questionAnswerFraction: 0.25 });
const evaluator = new PiiEvaluator();
const withoutFacilities = new PiiEvaluator();
let characters = 0;
const scanned: Array<{ gold: PiiSpan[]; found: PiiMatch[] }> = [];
const started = performance.now();
const cpuBefore = process.cpuUsage();
for (const record of data) {
  for (const field of ['text', 'prompt', 'response'] as const) {
    const text = record[field];
    if (!text) continue;
    characters += text.length;
    scanned.push({ gold: record.piiSpans.filter((s) => s.field === field), found: scanner.scan(text) });
  }
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
for (const { gold, found } of scanned) {
  evaluator.add(gold, found);
  withoutFacilities.add(
    gold,
    found.filter((m) => m.source !== 'facility'),
  );
}
const synthetic = evaluator.scores();
const adjusted = withoutFacilities.scores();

process.stdout.write(
  JSON.stringify({
    independent: { tune: independent('tune'), heldout: independent('heldout') },
    synthetic: {
      records: data.length,
      seed: SEED,
      maskedAnyType: maskedShare(scanned),
      scores: summarise(synthetic),
      withoutFacilities: {
        ADDRESS: { precision: round(adjusted.ADDRESS.precision), recall: round(adjusted.ADDRESS.recall) },
        STRUCTURED: {
          precision: round(adjusted.STRUCTURED.precision),
          recall: round(adjusted.STRUCTURED.recall),
        },
      },
    },
    speed: {
      records: data.length,
      seconds: round(seconds),
      cpuSeconds: round((cpu.user + cpu.system) / 1e6),
      recordsPerSecond: Math.round(data.length / seconds),
      megabytesPerSecond: round(characters / 2 ** 20 / seconds),
    },
  }),
);
