/**
 * `confidant demo`: the main job on the bundled default, stage by stage, with timings.
 * Stages that are built run for real on synthetic data; the ones still to come are
 * listed as such at the end (never silently skipped). A JSON summary is written next to
 * the other outputs.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  PII_TYPES,
  PiiEvaluator,
  PiiScanner,
  generateSyntheticDataset,
  importDataset,
  scanDataset,
} from '../../data/index.js';
import { initBackend } from '../../engine/initBackend.js';
import {
  TextTokenizer,
  generateTokens,
  loadModel,
  parameterCount,
  scoreTokenSequences,
  scoringIds,
} from '../../model/index.js';
import { Store } from '../../store/index.js';
import { bundledModelDir } from '../../model/bundledModel.js';
import { prepareDemoFolder } from './demoOutput.js';

export interface DemoOptions {
  out: string;
  records: number;
  seed: number;
  passphrase: string;
  log: (line?: string) => void;
}

export interface DemoSummary {
  outputFolder: string;
  dataset: { records: number; patients: number; file: string };
  piiScan: {
    counts: Record<string, number>;
    recordsWithPii: number;
    precision: number;
    recall: number;
    structuredRecall: number;
    nameRecall: number;
  };
  model: {
    name: string;
    backend: string;
    parameters: number;
    heldOutPerplexity: number;
    heldOutRecords: number;
    sample: string;
  };
  stagesNotBuilt: string[];
}

/** What the full demo will add, in order (issue 7); each is removed from here when it lands. */
export const STAGES_NOT_BUILT = [
  'fine-tune the bundled model without privacy',
  'fine-tune the bundled model with DP at ε = 3',
  'audit both models (membership inference, canaries, extraction)',
  'write one signed PDF report comparing them',
];

async function stage<T>(
  log: DemoOptions['log'],
  n: number,
  title: string,
  work: () => Promise<T>,
): Promise<T> {
  log(`[${n}] ${title}…`);
  const started = performance.now();
  const result = await work();
  log(`    done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const { log } = options;
  const out = resolve(options.out);
  prepareDemoFolder(out);

  const records = await stage(
    log,
    1,
    `generating ${options.records} synthetic clinical records (seed ${options.seed})`,
    async () => {
      const rows = generateSyntheticDataset({ records: options.records, seed: options.seed });
      const file = join(out, 'synthetic-notes.jsonl');
      writeFileSync(
        file,
        rows
          .map((r) =>
            JSON.stringify({
              id: r.id,
              subject: r.subjectId,
              split: r.split,
              text: r.text ?? `${r.prompt}\n${r.response}`,
            }),
          )
          .join('\n') + '\n',
      );
      const patients = new Set(rows.map((r) => r.subjectId)).size;
      log(`    ${rows.length} records for ${patients} fictional patients → ${file}`);
      return { rows, file, patients };
    },
  );

  const scan = await stage(log, 2, 'importing into an encrypted store and scanning for PII', async () => {
    const store = Store.open({
      directory: join(out, 'store'),
      passphrase: options.passphrase,
      create: true,
      kdfCost: { N: 2 ** 14, r: 8, p: 1 },
    });
    try {
      const imported = await importDataset(store, records.file, {
        project: 'demo',
        name: 'synthetic-notes',
        mapping: { text: 'text', subject: 'subject', split: 'split', id: 'id' },
      });
      if (!imported.dataset)
        throw new Error(
          `the demo dataset did not import: ${imported.issues[0]?.message ?? 'unknown problem'}`,
        );
      const summary = scanDataset(store, imported.dataset, { examplesPerType: 1 });
      const evaluator = new PiiEvaluator();
      const scanner = new PiiScanner();
      for (const r of records.rows) {
        if (r.text === undefined) continue;
        evaluator.add(
          r.piiSpans.filter((s) => s.field === 'text'),
          scanner.scan(r.text),
        );
      }
      const scores = evaluator.scores();
      const found = PII_TYPES.filter((t) => summary.counts[t] > 0).map((t) => `${t} ${summary.counts[t]}`);
      log(
        `    imported ${imported.imported} records; ${summary.recordsWithPii} contain identifiers: ${found.join(', ')}`,
      );
      log(
        `    against the generator's ground truth: precision ${scores.ALL.precision.toFixed(3)}, recall ${scores.ALL.recall.toFixed(3)} ` +
          `(names ${scores.NAME.recall.toFixed(3)}, structured identifiers ${scores.STRUCTURED.recall.toFixed(3)})`,
      );
      const example = Object.values(summary.examples).flat()[0];
      if (example) log(`    example, redacted: "${example}"`);
      return { summary, scores };
    } finally {
      store.close();
    }
  });

  const model = await stage(
    log,
    3,
    'loading the bundled model and measuring it on held-out patients',
    async () => {
      const backend = await initBackend();
      const dir = bundledModelDir();
      const { model: lm } = await loadModel(dir);
      const tokenizer = await TextTokenizer.load(dir);
      const heldOut = records.rows
        .filter((r) => r.split !== 'train' && r.text !== undefined)
        .map((r) => r.text!);
      // Notes longer than the model's context are scored on their first window.
      const sequences = heldOut.map((text) =>
        scoringIds(lm, tokenizer, text).slice(0, lm.config.contextLength),
      );
      const logProbs = await scoreTokenSequences(lm, sequences, { batchSize: 8 });
      let nll = 0;
      let tokens = 0;
      for (const lp of logProbs) {
        for (const v of lp) nll -= v;
        tokens += lp.length;
      }
      const perplexity = Math.exp(nll / tokens);
      const prompt = tokenizer.encode('PROGRESS NOTE\n');
      const sampleIds = await generateTokens(lm, prompt, {
        maxNewTokens: 48,
        temperature: 0.8,
        topP: 0.95,
        seed: 1,
        stopTokens: lm.config.eosTokenIds,
      });
      const sample = tokenizer.decode(sampleIds, { skipSpecialTokens: true });
      log(
        `    backend ${backend.name}; ${heldOut.length} held-out notes (${tokens} tokens): perplexity ${perplexity.toFixed(2)}`,
      );
      log(`    sample: "PROGRESS NOTE\\n${sample.replaceAll('\n', '\\n').slice(0, 160)}…"`);
      const parameters = parameterCount(lm.config);
      return { backend: backend.name, perplexity, heldOut: heldOut.length, sample, parameters };
    },
  );

  const summary: DemoSummary = {
    outputFolder: out,
    dataset: { records: records.rows.length, patients: records.patients, file: records.file },
    piiScan: {
      counts: scan.summary.counts,
      recordsWithPii: scan.summary.recordsWithPii,
      precision: scan.scores.ALL.precision,
      recall: scan.scores.ALL.recall,
      structuredRecall: scan.scores.STRUCTURED.recall,
      nameRecall: scan.scores.NAME.recall,
    },
    model: {
      name: 'confidant-demo-gpt2',
      backend: model.backend,
      parameters: model.parameters,
      heldOutPerplexity: model.perplexity,
      heldOutRecords: model.heldOut,
      sample: model.sample,
    },
    stagesNotBuilt: STAGES_NOT_BUILT,
  };
  writeFileSync(join(out, 'demo-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log();
  log(`Outputs in ${out}: synthetic-notes.jsonl, store/ (encrypted), demo-summary.json`);
  log('Still to come in this version (see the feature table in README.md):');
  for (const s of STAGES_NOT_BUILT) log(`  [not built yet] ${s}`);
  return summary;
}
