/**
 * `confidant demo`: the main job on the bundled default, stage by stage, with timings and
 * progress bars: synthetic clinical notes with planted PII → encrypted import → PII scan →
 * the bundled model fine-tuned twice (non-private, and DP-SGD at ε = 3) with the same audit
 * canaries → both audited → one signed PDF report comparing them, plus its JSON. Everything
 * runs for real; a JSON summary with the headline numbers is written next to the outputs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
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
import { auditRun } from '../../audit/auditRun.js';
import type { AuditResult } from '../../audit/auditResult.js';
import type { SyntheticRecord } from '../../data/synthetic/syntheticDataset.js';
import { ed25519Signer, verifyReport, writeSignedReport } from '../../report/index.js';
import { reportModelFromStore } from '../../report/reportFromStore.js';
import { Store } from '../../store/index.js';
import { parseRunConfig } from '../../train/runConfig.js';
import { train } from '../../train/trainer.js';
import type { TrainingSummary } from '../../train/trainingSummary.js';
import { ProgressBar } from '../progressBar.js';
import { bundledModelDir } from '../../model/bundledModel.js';
import { prepareDemoFolder } from './demoOutput.js';

export interface DemoOptions {
  out: string;
  records: number;
  seed: number;
  passphrase: string;
  log: (line?: string) => void;
  /** Training passes over the data for each run (default 3). */
  epochs?: number;
  /** Tokens per training example (default 64). */
  maxSequenceLength?: number;
  /** Members and non-members scored by the membership attacks (default 100). */
  auditRecords?: number;
}

export interface DemoRunSummary {
  runId: number;
  privacy: string;
  epsilon: number | null;
  delta: number | null;
  steps: number;
  /** Wall-clock seconds; null for DP runs (timing reveals the secret batch sizes). */
  seconds: number | null;
  evalPerplexity: number;
  membershipAuc: number;
  strongestAttack: string;
  tprAt1PercentFpr: number;
  canaryExposure8x: number | null;
  maxExposure: number | null;
  extractionExactRate: number;
  epsilonLowerBound: number | null;
  overall: string;
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
  runs: { nonPrivate: DemoRunSummary; private: DemoRunSummary };
  report: { pdf: string; json: string; keyFingerprint: string; pages: number | null };
}

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
      // every fifth patient is held out for evaluation, so even a small demo has both splits
      const patientsSeen = new Map<string, number>();
      const rows = generateSyntheticDataset({ records: options.records, seed: options.seed }).map((r) => {
        if (!patientsSeen.has(r.subjectId)) patientsSeen.set(r.subjectId, patientsSeen.size);
        return {
          ...r,
          split: patientsSeen.get(r.subjectId)! % 5 === 4 ? ('validation' as const) : ('train' as const),
        };
      });
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

  const store = Store.open({
    directory: join(out, 'store'),
    passphrase: options.passphrase,
    create: true,
    kdfCost: { N: 2 ** 14, r: 8, p: 1 },
  });
  try {
    return await runStages(options, out, records, store);
  } finally {
    store.close();
  }
}

async function runStages(
  options: DemoOptions,
  out: string,
  records: { rows: SyntheticRecord[]; file: string; patients: number },
  store: Store,
): Promise<DemoSummary> {
  const { log } = options;
  const scan = await stage(log, 2, 'importing into an encrypted store and scanning for PII', async () => {
    const imported = await importDataset(store, records.file, {
      project: 'demo',
      name: 'synthetic-notes',
      mapping: { text: 'text', subject: 'subject', split: 'split', id: 'id' },
    });
    if (!imported.dataset)
      throw new Error(`the demo dataset did not import: ${imported.issues[0]?.message ?? 'unknown problem'}`);
    const summary = scanDataset(store, imported.dataset, { examplesPerType: 1 });
    const evaluator = new PiiEvaluator();
    const scanner = new PiiScanner();
    for (const r of records.rows) {
      if (r.text === undefined) continue;
      evaluator.add(
        r.piiSpans.filter((sp) => sp.field === 'text'),
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
      lm.dispose();
      log(
        `    backend ${backend.name}; ${heldOut.length} held-out notes (${tokens} tokens): perplexity ${perplexity.toFixed(2)}`,
      );
      log(`    sample: "PROGRESS NOTE\\n${sample.replaceAll('\n', '\\n').slice(0, 160)}…"`);
      return {
        backend: backend.name,
        perplexity,
        heldOut: heldOut.length,
        sample,
        parameters: parameterCount(lm.config),
      };
    },
  );

  // both runs share everything but the privacy: same data, seed, canaries and audit design
  const base = {
    model: 'bundled',
    dataset: { id: 'synthetic-notes' },
    expectedBatchSize: 16,
    epochs: options.epochs ?? 3,
    microBatchSize: 8,
    maxSequenceLength: options.maxSequenceLength ?? 64,
    evalEveryEpoch: false,
    checkpointEverySteps: 25,
    // a learning rate high enough that the baseline visibly memorises: the point of the demo
    optimizer: { learningRate: 0.01, warmupSteps: 2, schedule: 'cosine' },
    auditHoldoutFraction: 0.2,
    canaries: { format: 'mrn', repetitions: [1, 2, 4, 8], perRepetition: 2 },
    oneRunExamples: 32,
    seed: options.seed,
  };
  const trainRun = async (n: number, title: string, privacy: Record<string, unknown>, runName: string) =>
    stage(log, n, title, async () => {
      const bar = new ProgressBar('    training');
      const result = await train({
        store,
        config: parseRunConfig({ ...base, privacy }, `demo ${runName} configuration`),
        runName,
        onEvent: (e) => {
          if (e.type === 'train.step') {
            bar.update(
              e.step,
              e.totalSteps,
              [
                e.loss !== null ? `loss ${e.loss.toFixed(3)}` : '',
                e.epsilon !== null ? `ε ${e.epsilon.toFixed(2)}` : '',
                e.tokensPerSecond !== null ? `${e.tokensPerSecond.toFixed(0)} tok/s` : '',
              ]
                .filter(Boolean)
                .join(' · '),
            );
          }
        },
      });
      bar.done();
      const s = result.summary;
      result.adapter.dispose();
      result.model.dispose();
      log(
        `    run ${s.runId}: ${s.privacy.steps} steps on ${s.dataset.trainUnits} units; eval perplexity ${Math.exp(s.baseEvalLoss).toFixed(2)} → ${s.finalPerplexity.toFixed(2)}` +
          (s.privacy.epsilon !== null
            ? `; (ε = ${s.privacy.epsilon.toFixed(2)}, δ = ${s.privacy.delta}), σ = ${s.privacy.noiseMultiplier?.toFixed(3)}`
            : '; no privacy guarantee'),
      );
      const failed = s.sanity.filter((c) => !c.passed);
      for (const c of failed) {
        const expected = s.privacy.mode === 'none' && c.name === 'eval-loss-not-worse';
        log(
          `    sanity check FAILED: ${c.name}: ${c.detail}` +
            (expected
              ? ' (expected here: the baseline is set up to overfit, so the attacks have something to find)'
              : ''),
        );
      }
      return s;
    });
  const plain = await trainRun(
    4,
    'fine-tuning without privacy (the baseline)',
    { mode: 'none' },
    'baseline-no-dp',
  );
  const dp = await trainRun(
    5,
    'fine-tuning with DP-SGD at ε = 3',
    { mode: 'target-epsilon', epsilon: 3 },
    'dp-epsilon-3',
  );

  const auditOne = async (runId: number, label: string) => {
    const bars = new Map<string, ProgressBar>();
    const result = await auditRun(store, runId, {
      maxRecords: options.auditRecords ?? 100,
      extractionRecords: 16,
      piiRecords: 16,
      onProgress: (e) => {
        let bar = bars.get(e.stage);
        if (!bar) {
          for (const b of bars.values()) b.done();
          bar = new ProgressBar(`    ${label}: ${e.stage}`);
          bars.set(e.stage, bar);
        }
        bar.update(e.done, e.total);
      },
    });
    for (const b of bars.values()) b.done();
    return result;
  };
  const audits = await stage(
    log,
    6,
    'auditing both models (membership inference, canaries, extraction, PII, ε lower bound, backdoors)',
    async () => {
      const a = await auditOne(plain.runId, 'baseline');
      const b = await auditOne(dp.runId, 'DP ε=3');
      return { plain: a, dp: b };
    },
  );

  const report = await stage(log, 7, 'writing one signed PDF report comparing them', async () => {
    const model = reportModelFromStore(store, [plain.runId, dp.runId], {
      title: 'Privacy audit: synthetic clinical notes',
      piiAction: 'kept',
      commands: ['npm run demo'],
    });
    const pdf = join(out, 'confidant-report.pdf');
    const json = join(out, 'confidant-report.json');
    const signed = await writeSignedReport(
      model,
      ed25519Signer(store.signingKeyPair().privateKey),
      pdf,
      json,
    );
    store.auditLog.append('report', pdf, {
      runs: `${plain.runId},${dp.runId}`,
      keyFingerprint: signed.keyFingerprint,
      pdfSha256: signed.pdfSha256,
    });
    const verification = verifyReport(readFileSync(pdf));
    if (!verification.valid)
      throw new Error(`the demo report does not verify: ${JSON.stringify(verification)}`);
    log(
      `    ${pdf} (${(signed.pdf.length / 1024).toFixed(0)} KiB, signed with key ${signed.keyFingerprint.slice(0, 16)}…; verified)`,
    );
    return { pdf, json, keyFingerprint: signed.keyFingerprint, pages: null };
  });

  const runSummary = (s: TrainingSummary, a: AuditResult): DemoRunSummary => {
    const strongest = a.membership.attacks.find((x) => x.name === a.membership.strongest)!;
    const eight = a.canaries?.perRepetition.find((r) => r.repetitions === 8);
    return {
      runId: s.runId,
      privacy: s.privacy.mode === 'none' ? 'none' : `DP-SGD per ${s.privacy.privacyUnit}`,
      epsilon: s.privacy.epsilon,
      delta: s.privacy.delta,
      steps: s.privacy.steps,
      seconds: s.seconds,
      evalPerplexity: s.finalPerplexity,
      membershipAuc: strongest.auc,
      strongestAttack: strongest.name,
      tprAt1PercentFpr: strongest.tprAtFpr['0.01'],
      canaryExposure8x: eight?.meanExposure ?? null,
      maxExposure: a.canaries?.maxExposure ?? null,
      extractionExactRate: a.extraction.exactMatchRate,
      epsilonLowerBound: a.epsilonLowerBound?.epsilonLowerBound ?? null,
      overall: a.overall,
    };
  };
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
    runs: { nonPrivate: runSummary(plain, audits.plain), private: runSummary(dp, audits.dp) },
    report,
  };
  writeFileSync(join(out, 'demo-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const p = summary.runs.nonPrivate;
  const d = summary.runs.private;
  const fmt = (x: number | null, digits = 2) => (x === null ? 'n/a' : x.toFixed(digits));
  log();
  log('Headline numbers (non-private → DP ε = 3):');
  log(
    `  membership-inference AUC (strongest attack): ${fmt(p.membershipAuc, 3)} → ${fmt(d.membershipAuc, 3)}   (0.5 = guessing)`,
  );
  log(
    `  TPR at 1% FPR:                                ${fmt(p.tprAt1PercentFpr, 3)} → ${fmt(d.tprAt1PercentFpr, 3)}`,
  );
  log(
    `  exposure of canaries repeated 8×:             ${fmt(p.canaryExposure8x, 1)} → ${fmt(d.canaryExposure8x, 1)} bits (of ${fmt(p.maxExposure, 1)})`,
  );
  log(
    `  verbatim extraction:                          ${fmt(p.extractionExactRate * 100, 1)}% → ${fmt(d.extractionExactRate * 100, 1)}%`,
  );
  log(`  eval perplexity:                              ${fmt(p.evalPerplexity)} → ${fmt(d.evalPerplexity)}`);
  log(
    `  guarantee:                                    none → (ε = ${fmt(d.epsilon)}, δ = ${d.delta}); measured lower bound ${fmt(d.epsilonLowerBound)}`,
  );
  log(`  audit verdicts:                               ${p.overall} → ${d.overall}`);
  log();
  log(`Outputs in ${out}:`);
  log(
    `  ${report.pdf}  (the signed report; check it: confidant report verify ${report.pdf} --store ${join(out, 'store')})`,
  );
  log(`  ${report.json}, demo-summary.json, synthetic-notes.jsonl, store/ (encrypted)`);
  return summary;
}
