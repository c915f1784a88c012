/**
 * The body sections of the report (everything after the verdict page and the contents):
 * dataset, model and adapter, the privacy guarantee, training, and the empirical vs
 * theoretical ε. Each explains in plain words first, then gives exact numbers. The attacks
 * are in attackSections.ts; reproducibility, environment and signature in
 * reportRecordSections.ts.
 */
import type { Verdict } from '../audit/auditResult.js';
import type { PdfWriter } from './pdfWriter.js';
import type { ReportChartSvgs } from './reportCharts.js';
import {
  formatDelta,
  formatEpsilon,
  formatHash,
  formatInteger,
  formatPercent,
  formatSeconds,
} from './reportFormat.js';
import { isPrivateRun, type ReportModel, type ReportRun } from './reportModel.js';
import { epsilonBoundViolation } from './verdictText.js';

export const verdictLabel = (v: Verdict | null | undefined): string => (v ? v.toUpperCase() : '—');
export const auditedRuns = (model: ReportModel) =>
  model.runs.filter(
    (run): run is ReportRun & { audit: NonNullable<ReportRun['audit']> } => run.audit !== null,
  );
const runColumns = (model: ReportModel, labelHeader: string, labelWidth = 0.34) => [
  { header: labelHeader, width: labelWidth },
  ...model.runs.map((run) => ({
    header: run.training.runName,
    width: (1 - labelWidth) / model.runs.length,
    align: 'right' as const,
  })),
];

export function datasetSection(w: PdfWriter, model: ReportModel): void {
  const { dataset } = model;
  w.section('The dataset');
  w.paragraph(
    'The models were fine-tuned on the dataset below. Its fingerprint identifies the exact content: ' +
      'changing a single character of the data gives a different fingerprint. It is keyed (HMAC-SHA-256 ' +
      'under a secret held in the encrypted store), so only this store can recompute it: a plain hash ' +
      'would let someone holding the other records test whether a guessed record is in the data.',
  );
  w.keyValues([
    ['Name', dataset.name],
    ['Records', formatInteger(dataset.records)],
    ['Patients', dataset.patients === null ? 'no patient identifier' : formatInteger(dataset.patients)],
  ]);
  w.keyValues([['HMAC-SHA-256', formatHash(dataset.sha256)]], { mono: true });
  const scan = dataset.piiScan;
  w.subsection('Personal information found and removed');
  const action = {
    redacted: 'replaced by its type (e.g. [PERSON])',
    pseudonymised: 'replaced by consistent pseudonyms',
    kept: 'kept as it was',
    mixed: 'partly replaced (see the table)',
  }[scan.action];
  w.paragraph(
    `Before training, ${formatInteger(scan.recordsScanned)} records were scanned for personal information ` +
      `(names, dates, record numbers, contact details). ${formatInteger(scan.recordsWithPii)} records contained ` +
      `some; ${formatInteger(scan.entitiesFound)} items were found and ${action}.`,
  );
  w.table(
    [
      { header: 'Type', width: 0.34 },
      { header: 'Found', width: 0.22, align: 'right' },
      { header: 'Removed or replaced', width: 0.22, align: 'right' },
      { header: 'Kept', width: 0.22, align: 'right' },
    ],
    Object.entries(scan.byType)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([type, c]) => [
        type,
        formatInteger(c.found),
        formatInteger(c.redacted),
        formatInteger(c.found - c.redacted),
      ]),
  );
  if (scan.note) w.paragraph(scan.note, { size: 9.5 });
}

export function modelSection(w: PdfWriter, model: ReportModel): void {
  w.newPage();
  w.section('Base model and adapter');
  w.paragraph(
    'Each run starts from a base language model whose weights stay frozen, and trains a small LoRA ' +
      'adapter (low-rank matrices added to the attention layers). Only the adapter learns from the data, ' +
      'so the adapter is what the privacy guarantee and the attacks are about.',
  );
  const bases = new Map(model.runs.map((run) => [run.training.model.sha256, run.training.model]));
  for (const base of bases.values()) {
    w.keyValues([
      ['Base model', base.path],
      ['Architecture', base.modelType],
      ['Parameters', formatInteger(base.parameters)],
    ]);
    w.keyValues([['Weights SHA-256', formatHash(base.sha256)]], { mono: true });
  }
  w.table(runColumns(model, 'Adapter'), [
    ['LoRA rank', ...model.runs.map((r) => String(r.training.adapter.rank))],
    ['LoRA alpha', ...model.runs.map((r) => String(r.training.adapter.alpha))],
    ['Adapted modules', ...model.runs.map((r) => r.training.adapter.targetModules.join(', '))],
    ['Trainable parameters', ...model.runs.map((r) => formatInteger(r.training.adapter.trainableParameters))],
    ['Training records', ...model.runs.map((r) => formatInteger(r.training.dataset.trainRecords))],
    ['Held-out records', ...model.runs.map((r) => formatInteger(r.training.dataset.evalRecords))],
  ]);
  w.subsection('Adapter fingerprints');
  w.keyValues(
    model.runs.map((r) => [r.training.runName, formatHash(r.training.adapter.sha256)] as const),
    { mono: true, labelWidth: 120 },
  );
}

function guaranteeSentence(run: ReportRun): string {
  const p = run.training.privacy;
  const derived = run.training.derivedFrom;
  if (derived) return `${run.training.runName}: ${derived.guarantee}`;
  if (!isPrivateRun(run) || p.epsilon === null) {
    return `${run.training.runName}: no differential privacy. Nothing bounds what the model can reveal about any ${p.privacyUnit}; only the attacks below say how much it does.`;
  }
  const unit = p.privacyUnit === 'patient' ? 'patient (all of their notes together)' : 'record';
  return (
    `${run.training.runName}: whatever an attacker already knows, looking at this model can change their ` +
    `odds of telling whether any one ${unit} was in the training data by at most a factor ` +
    `e^ε = ${Math.exp(p.epsilon).toFixed(1)} (ε = ${formatEpsilon(p.epsilon)}), except with probability ` +
    `δ = ${formatDelta(p.delta)}.`
  );
}

export function privacySection(w: PdfWriter, model: ReportModel): void {
  w.newPage();
  w.section('The privacy guarantee');
  w.paragraph(
    'Differential privacy (DP-SGD, Abadi et al. 2016) limits how much any single person’s data can change ' +
      'the trained model: each training step uses a random sample of the data, caps the influence of each ' +
      'person (clipping to norm C) and adds random noise (scale σ·C). ε (“epsilon”) measures the limit: ' +
      'smaller is more private; values up to about 8 are common in practice and ε ≤ 1 is strong. δ is the ' +
      'small probability that the limit does not hold.',
  );
  w.bullets(model.runs.map(guaranteeSentence));
  w.subsection('Exact numbers');
  const p = (run: ReportRun) => run.training.privacy;
  const num = (v: number | null, digits = 4) => (v === null ? '—' : Number(v.toPrecision(digits)).toString());
  w.table(runColumns(model, 'Quantity'), [
    ['Mode', ...model.runs.map((r) => p(r).mode)],
    ['Privacy unit', ...model.runs.map((r) => p(r).privacyUnit)],
    ['ε reported (the larger of RDP and PRV)', ...model.runs.map((r) => formatEpsilon(p(r).epsilon))],
    ['ε by RDP (Mironov 2017)', ...model.runs.map((r) => num(p(r).rdpEpsilon))],
    ['ε by PRV (Gopi et al. 2021)', ...model.runs.map((r) => num(p(r).prvEpsilon))],
    ['δ', ...model.runs.map((r) => formatDelta(p(r).delta))],
    ['Noise multiplier σ', ...model.runs.map((r) => num(p(r).noiseMultiplier))],
    ['Clipping norm C', ...model.runs.map((r) => num(p(r).clipNorm))],
    ['Clipping', ...model.runs.map((r) => p(r).clipping)],
    ['Sampling rate q (Poisson)', ...model.runs.map((r) => num(p(r).samplingRate))],
    ['Expected batch size', ...model.runs.map((r) => num(p(r).expectedBatchSize))],
    ['Steps', ...model.runs.map((r) => formatInteger(p(r).steps))],
    ['Privacy units in training', ...model.runs.map((r) => formatInteger(r.training.dataset.trainUnits))],
    [
      'σ calibrated on',
      ...model.runs.map((r) =>
        p(r).mode === 'target-epsilon' ? 'max(RDP, PRV), as charged' : 'given (no target)',
      ),
    ],
    [
      'Dataset budget: ε spent / total',
      ...model.runs.map((r) => {
        const b = p(r).budget;
        return b ? `${b.spent.toFixed(2)} / ${b.epsilon.toFixed(2)}` : '—';
      }),
    ],
    [
      'Dataset budget: ε left',
      ...model.runs.map((r) => {
        const b = p(r).budget;
        return b ? b.remaining.toFixed(2) : '—';
      }),
    ],
  ]);
  for (const run of model.runs) {
    for (const note of run.training.notes ?? [])
      w.paragraph(`${run.training.runName}: ${note}`, { size: 9.5 });
  }
  coverageSubsection(w, model);
}

/** What ε covers and what it does not (issue 18): a signed report must not say more than is true. */
function coverageSubsection(w: PdfWriter, model: ReportModel): void {
  w.subsection('What ε covers, and what it does not');
  w.paragraph(
    'ε bounds what the trained adapter, and anything computed from the adapter alone (generated text, ' +
      'attacks on the model), reveals about any one training unit. Everything else in this report was ' +
      'computed from the data without noise and is NOT covered by ε:',
  );
  const recordLevel = model.runs.some((r) => isPrivateRun(r) && r.training.privacy.privacyUnit === 'record');
  w.bullets([
    'The evaluation split and the audit holdout: held-out loss and perplexity, the learning curves, and ' +
      'early stopping (which chose when to stop from them) use those records directly.',
    'The examples printed in the attack sections: extraction and PII-leakage examples quote training text ' +
      '(redacted), and were chosen by looking at the data.',
    'Counts: numbers of records, patients, training units, tokens and PII items found, and the PII scan ' +
      'statistics.',
    'The audit canaries and one-run auditing examples planted by Confidant (they are not patient data).',
    'Choices made by looking at the data before training (hyperparameters, which runs to keep).',
    'Training time and throughput: withheld for DP runs, because they reveal how many tokens each secret ' +
      'batch held.',
    'A model derived without training (gradient-ascent unlearning): its own run carries its own guarantee ' +
      'text; the parent’s ε covers the parent’s adapter only.',
    ...(recordLevel
      ? [
          'At record level, ε protects each note; a patient with k notes is protected only at about k·ε ' +
            '(group privacy). Use patient-level privacy to protect patients.',
        ]
      : []),
  ]);
}

export function trainingSection(w: PdfWriter, model: ReportModel, charts: ReportChartSvgs): void {
  w.newPage();
  w.section('Training');
  w.paragraph(
    'Loss measures how surprised the model is by text (lower is better). The held-out loss is measured on ' +
      'records the model never trained on; a training loss far below it is a sign of memorisation.',
  );
  if (charts.loss) w.chart(charts.loss, { maxHeight: 300 });
  w.table(runColumns(model, 'Result'), [
    ['Status', ...model.runs.map((r) => r.training.status)],
    [
      'Held-out loss before → after',
      ...model.runs.map(
        (r) => `${r.training.baseEvalLoss.toFixed(3)} → ${r.training.finalEvalLoss.toFixed(3)}`,
      ),
    ],
    ['Held-out perplexity', ...model.runs.map((r) => r.training.finalPerplexity.toFixed(2))],
    // null for DP runs: timing depends on the secret batch composition (not covered by ε)
    [
      'Training time',
      ...model.runs.map((r) =>
        r.training.seconds === null ? 'withheld (DP)' : formatSeconds(r.training.seconds),
      ),
    ],
    [
      'Tokens per second',
      ...model.runs.map((r) =>
        r.training.tokensPerSecond === null ? 'withheld (DP)' : formatInteger(r.training.tokensPerSecond),
      ),
    ],
  ]);
  w.subsection('Sanity checks');
  for (const run of model.runs) {
    for (const check of run.training.sanity) {
      w.verdictLine(
        check.passed ? 'pass' : 'fail',
        `${run.training.runName}: ${check.name}: ${check.detail}`,
      );
    }
  }
}

export function epsilonSection(w: PdfWriter, model: ReportModel, charts: ReportChartSvgs): void {
  w.newPage();
  w.section('Measured vs guaranteed privacy loss');
  w.paragraph(
    'The guarantee (theoretical ε) is an upper bound: the most any attacker could ever learn. The audit ' +
      'also measures a lower bound (empirical ε): privacy loss an actual attack proved, from one training run ' +
      'with randomly included audit examples (Steinke, Nasr & Jagielski 2023). The measured value must stay ' +
      'below the guarantee; a measured value above it means a defect in training or accounting. An audit ' +
      'of m examples can never show more than a ceiling that grows with m: when that ceiling is below the ' +
      'guarantee, the comparison could not have failed and the audit is "not informative".',
  );
  for (const run of model.runs) {
    const violation = epsilonBoundViolation(run);
    if (violation) {
      w.callout('fail', `WARNING: ${run.training.runName} leaks more than its guarantee allows`, [
        `Measured lower bound ε ≥ ${violation.measured.toFixed(3)} exceeds the theoretical ε = ${violation.guaranteed.toFixed(3)}.`,
        'The privacy guarantee printed in this report does not hold for this model. Do not release the model; ' +
          'report this as a bug with this file attached.',
      ]);
    }
  }
  if (charts.epsilon) w.chart(charts.epsilon, { maxHeight: 220 });
  const rows = model.runs.map((run) => {
    const b = run.audit?.epsilonLowerBound ?? null;
    return [
      run.training.runName,
      formatEpsilon(run.training.privacy.epsilon),
      b ? b.epsilonLowerBound.toFixed(3) : '—',
      b?.ceiling !== undefined
        ? `${b.ceiling.toFixed(2)}${b.informative === false ? ' (not informative)' : ''}`
        : '—',
      b ? `${formatInteger(b.correct)} / ${formatInteger(b.guesses)} of ${formatInteger(b.m)}` : '—',
      b ? `${formatPercent(b.confidence, 0)}, δ ${formatDelta(b.delta)}` : '—',
      verdictLabel(b?.verdict),
    ];
  });
  w.table(
    [
      { header: 'Run', width: 0.18 },
      { header: 'Guarantee ε', width: 0.12, align: 'right' },
      { header: 'Measured ε ≥', width: 0.12, align: 'right' },
      { header: 'Most this audit can show', width: 0.16, align: 'right' },
      { header: 'Correct guesses / made, of m', width: 0.16, align: 'right' },
      { header: 'Confidence', width: 0.14, align: 'right' },
      { header: 'Verdict', width: 0.12 },
    ],
    rows,
  );
  for (const run of model.runs) {
    const b = run.audit?.epsilonLowerBound;
    if (b) w.paragraph(`${run.training.runName} (score: ${b.score}): ${b.explanation}`, { size: 9.5 });
  }
}
