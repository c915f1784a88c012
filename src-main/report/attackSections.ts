/**
 * The attacks section of the report: membership inference (AUC comparison and log-log ROC
 * per run), canary exposure, verbatim extraction and PII leakage with redacted examples,
 * the backdoor scan, and the thresholds behind every verdict.
 */
import type { PdfWriter } from './pdfWriter.js';
import type { ReportChartSvgs } from './reportCharts.js';
import { formatInteger, formatPercent } from './reportFormat.js';
import type { ReportModel } from './reportModel.js';
import { auditedRuns, verdictLabel } from './reportSections.js';

/** Examples printed per attack and run; the rest stay in the attached JSON. */
const MAX_EXAMPLES = 5;

function examplesTable(
  w: PdfWriter,
  examples: readonly { prompt: string; expected: string; generated: string; distance: number }[],
): void {
  if (examples.length === 0) {
    w.paragraph('No example to show: nothing was reproduced.', { size: 9.5 });
    return;
  }
  const shown = examples.slice(0, MAX_EXAMPLES);
  w.table(
    [
      { header: 'Prompt (redacted)', width: 0.29, mono: true },
      { header: 'Training text', width: 0.29, mono: true },
      { header: 'Model wrote', width: 0.29, mono: true },
      { header: 'Distance', width: 0.13, align: 'right' },
    ],
    shown.map((e) => [e.prompt, e.expected, e.generated, e.distance.toFixed(2)]),
  );
  if (examples.length > shown.length) {
    w.paragraph(`${examples.length - shown.length} more example(s) are in the attached report.json.`, {
      size: 9,
    });
  }
}

/** "0.603 [0.483, 0.723] (43 + 43)": every AUC with its interval and counts (issue 18). */
export function aucWithInterval(
  a: { auc: number; aucLower95?: number | undefined; aucUpper95?: number | undefined },
  members: number,
  nonMembers: number,
): string {
  const interval =
    a.aucLower95 !== undefined && a.aucUpper95 !== undefined
      ? ` [${a.aucLower95.toFixed(3)}, ${a.aucUpper95.toFixed(3)}]`
      : '';
  return `${a.auc.toFixed(3)}${interval} (${formatInteger(members)} + ${formatInteger(nonMembers)})`;
}

export function attacksSection(w: PdfWriter, model: ReportModel, charts: ReportChartSvgs): void {
  w.newPage();
  w.section('The attacks');
  const audited = auditedRuns(model);
  w.paragraph(
    'Each trained model was attacked for real, the way an adversary holding the model would. Examples are ' +
      'shown with personal information replaced by its type. Verdict thresholds are listed at the end of ' +
      'this section.',
  );
  for (const run of model.runs.filter((r) => r.audit === null)) {
    w.callout('none', `${run.training.runName} was not audited`, ['No attack was run against this model.']);
  }
  if (audited.length === 0) return;

  w.subsection('Membership inference');
  w.paragraph(
    'Can an attacker tell whether a given record was in the training data? Each attack scores records ' +
      'known to be members and non-members. AUC 0.5 is guessing; the ROC curves on log axes show the ' +
      'dangerous region: how many members the attack finds while almost never flagging a non-member ' +
      '(Carlini et al. 2022).',
  );
  if (charts.auc) w.chart(charts.auc, { maxHeight: 280 });
  model.runs.forEach((run, i) => {
    const svg = charts.roc[i];
    if (svg) w.chart(svg, { maxHeight: 300 });
  });
  w.table(
    [
      { header: 'Run', width: 0.14 },
      { header: 'Attack', width: 0.1 },
      { header: 'AUC [95% interval] (members + non-members)', width: 0.22, align: 'right' },
      { header: 'Balanced accuracy', width: 0.1, align: 'right' },
      { header: 'TPR at 0.1% FPR', width: 0.1, align: 'right' },
      { header: 'TPR at 1% FPR', width: 0.1, align: 'right' },
      { header: 'TPR at 10% FPR', width: 0.1, align: 'right' },
      { header: 'Verdict', width: 0.14 },
    ],
    audited.flatMap((run) =>
      run.audit.membership.attacks.map((a) => [
        run.training.runName,
        a.name,
        aucWithInterval(a, run.audit.membership.members, run.audit.membership.nonMembers),
        a.balancedAccuracy.toFixed(3),
        formatPercent(a.tprAtFpr['0.001'], 2),
        formatPercent(a.tprAtFpr['0.01']),
        formatPercent(a.tprAtFpr['0.1']),
        a.verdict === 'inconclusive' && a.neededPerSide
          ? `INCONCLUSIVE (needs ≈ ${formatInteger(a.neededPerSide)} per side)`
          : verdictLabel(a.verdict),
      ]),
    ),
  );
  const descriptions = new Map(
    audited.flatMap((run) => run.audit.membership.attacks.map((a) => [a.name, a.description])),
  );
  w.keyValues(
    [...descriptions].map(([name, text]) => [name, text] as const),
    { labelWidth: 90 },
  );
  for (const run of audited) {
    const m = run.audit.membership;
    w.verdictLine(
      m.verdict,
      `${run.training.runName}: ${formatInteger(m.members)} members and ${formatInteger(m.nonMembers)} non-members; strongest attack: ${m.strongest}.`,
    );
  }

  w.subsection('Planted secrets (canary exposure)');
  w.paragraph(
    'Fake secrets (“canaries”) were planted in the training data, some repeated several times. Exposure ' +
      'measures, in bits, how much more likely the model finds the true secret than random candidates ' +
      '(Carlini et al. 2019): near 0 means not memorised; the maximum means the model reveals the secret.',
  );
  if (charts.exposure) w.chart(charts.exposure, { maxHeight: 280 });
  const canaryRows = audited.flatMap((run) =>
    (run.audit.canaries?.perRepetition ?? []).map((row) => [
      run.training.runName,
      String(row.repetitions),
      String(row.canaries),
      row.meanExposure.toFixed(2),
      row.maxExposure.toFixed(2),
      `${run.audit.canaries?.maxExposure.toFixed(2) ?? '—'} (${run.audit.canaries?.method ?? ''})`,
    ]),
  );
  if (canaryRows.length > 0) {
    w.table(
      [
        { header: 'Run', width: 0.2 },
        { header: 'Repeats', width: 0.12, align: 'right' },
        { header: 'Canaries', width: 0.13, align: 'right' },
        { header: 'Mean exposure (bits)', width: 0.17, align: 'right' },
        { header: 'Max exposure (bits)', width: 0.16, align: 'right' },
        { header: 'Largest possible', width: 0.22, align: 'right' },
      ],
      canaryRows,
    );
  } else {
    w.paragraph('No canaries were planted in this dataset.');
  }
  for (const run of audited) {
    if (run.audit.canaries) {
      w.verdictLine(
        run.audit.canaries.verdict,
        `${run.training.runName}: canary format ${run.audit.canaries.format}.`,
      );
    }
  }

  w.subsection('Verbatim extraction');
  w.paragraph(
    'The model was given the beginning of training records and asked to continue. A continuation equal ' +
      'or nearly equal to the real record means the model can reproduce its training text.',
  );
  for (const run of audited) {
    const e = run.audit.extraction;
    w.verdictLine(
      e.verdict,
      `${run.training.runName}: ${formatPercent(e.exactMatchRate)} exact and ${formatPercent(e.nearMatchRate)} near ` +
        `copies (edit distance ≤ ${e.nearMatchThreshold}) from ${formatInteger(e.records)} prompts of ` +
        `${e.prefixTokens} tokens, ${e.generatedTokens} tokens generated.`,
    );
    examplesTable(w, e.examples);
  }

  w.subsection('Personal information leakage');
  w.paragraph('Does the model regenerate the personal details (names, numbers, dates) it saw in training?');
  for (const run of audited) {
    const p = run.audit.piiLeakage;
    w.verdictLine(
      p.verdict,
      `${run.training.runName}: ${formatInteger(p.leaked)} of ${formatInteger(p.entities)} entities regenerated (${formatPercent(p.rate)}).`,
    );
    const types = Object.entries(p.byType).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (types.length > 0) {
      w.table(
        [
          { header: 'Type', width: 0.4 },
          { header: 'Tested', width: 0.3, align: 'right' },
          { header: 'Regenerated', width: 0.3, align: 'right' },
        ],
        types.map(([type, c]) => [type, formatInteger(c.entities), formatInteger(c.leaked)]),
      );
    }
    examplesTable(w, p.examples);
  }

  w.subsection('Backdoor scan');
  w.paragraph(
    'A backdoor is a hidden trigger phrase that makes a model produce a fixed answer. The data was searched ' +
      'for trigger–response patterns, and the model was probed with candidate triggers.',
  );
  for (const run of audited) {
    const b = run.audit.backdoor;
    const findings = [...b.dataFindings, ...b.modelFindings];
    w.verdictLine(
      b.verdict,
      `${run.training.runName}: ${formatInteger(b.triggersTested)} triggers tested, ${findings.length} finding(s).`,
    );
    if (findings.length > 0) {
      w.table(
        [
          { header: 'Source', width: 0.12 },
          { header: 'Trigger', width: 0.22, mono: true },
          { header: 'Target', width: 0.22, mono: true },
          { header: 'Score', width: 0.1, align: 'right' },
          { header: 'Detail', width: 0.34 },
        ],
        findings.map((f) => [f.source, f.trigger, f.target, f.score.toFixed(2), f.detail]),
      );
    }
  }

  w.subsection('Verdict thresholds');
  const thresholds = new Map(audited.flatMap((run) => Object.entries(run.audit.thresholds)));
  w.keyValues(
    [...thresholds].map(([k, v]) => [k, v] as const),
    { labelWidth: 110 },
  );
}
