// PII recogniser precision and recall per type on a labelled synthetic set (names drawn by
// faker from eight locales, a seed the recogniser was never tuned on), plus throughput.
// Prints one JSON object.
import { generateSyntheticDataset, PiiEvaluator, PiiScanner } from '../src-main/data/index';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 3_000);
const SEED = Number(process.env.BENCH_SEED ?? 777_001);
const data = generateSyntheticDataset({ records: RECORDS, seed: SEED, questionAnswerFraction: 0.25 });
const scanner = new PiiScanner();
const evaluator = new PiiEvaluator();
let characters = 0;
const started = performance.now();
const cpuBefore = process.cpuUsage();
for (const record of data) {
  for (const field of ['text', 'prompt', 'response'] as const) {
    const text = record[field];
    if (!text) continue;
    characters += text.length;
    evaluator.add(
      record.piiSpans.filter((s) => s.field === field),
      scanner.scan(text),
    );
  }
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const round = (x: number) => Math.round(x * 1000) / 1000;
const perType = Object.fromEntries(
  Object.entries(evaluator.scores()).map(([type, s]) => [
    type,
    { gold: s.gold, predicted: s.predicted, precision: round(s.precision), recall: round(s.recall) },
  ]),
);
process.stdout.write(
  JSON.stringify({
    records: data.length,
    seed: SEED,
    seconds: round(seconds),
    cpuSeconds: round((cpu.user + cpu.system) / 1e6),
    recordsPerSecond: Math.round(data.length / seconds),
    megabytesPerSecond: round(characters / 2 ** 20 / seconds),
    scores: perType,
  }),
);
