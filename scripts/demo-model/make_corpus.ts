// Writes the demo model's pretraining corpus: seeded synthetic clinical text from
// Confidant's own generator (fictional patients; shippable under the project's licence).
//   node --import tsx scripts/demo-model/make_corpus.ts <records> <seed> <out.jsonl>
import { writeFileSync } from 'node:fs';
import { generateSyntheticDataset } from '../../src-main/data/synthetic/syntheticDataset';

const [records = '24000', seed = '20261128', out = 'demo-corpus.jsonl'] = process.argv.slice(2);
const rows = generateSyntheticDataset({
  records: Number(records),
  seed: Number(seed),
  questionAnswerFraction: 0.2,
});
const lines = rows.map((r) => JSON.stringify({ text: r.text ?? `${r.prompt}\n${r.response}` }));
writeFileSync(out, `${lines.join('\n')}\n`);
console.log(`${rows.length} records → ${out}`);
