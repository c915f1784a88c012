/**
 * The report's "Unlearning certificate" section (issue: unlearning): for every model that
 * forgot patients, what was done (retrain, shard retraining, or gradient ascent), the attack
 * evidence before and after, the checks, and, for DP-trained models, what DP already
 * guaranteed and what unlearning adds. Omitted when no model in the report forgot anyone.
 */
import type { UnlearningCertificate } from '../train/unlearning/unlearningCertificate.js';
import type { PdfWriter } from './pdfWriter.js';
import { formatPercent } from './reportFormat.js';
import { isPrivateRun, type ReportModel } from './reportModel.js';

const METHOD_TEXT: Record<UnlearningCertificate['method'], string> = {
  retrain: 'exact: retrained from the start without the records',
  shard: 'exact: retrained only the shards that held the records (SISA)',
  'gradient-ascent': 'approximate: gradient ascent on the records with a retain regulariser',
};

function methodDetail(c: UnlearningCertificate): string {
  if (c.method === 'shard' && c.shards) {
    const shards = c.shards.retrained.map(
      (r) => `shard ${r.index + 1} (run ${r.fromRunId} → run ${r.runId})`,
    );
    return `Retrained ${c.shards.retrained.length} of ${c.shards.total} shards: ${shards.join(', ')}; the other shards were reused unchanged.`;
  }
  if (c.method === 'retrain') return `The new adapter is run ${c.newRunId ?? '—'}.`;
  const ga = c.gradientAscent;
  const derived =
    c.newRunId !== null
      ? ` The unlearned adapter is run ${c.newRunId}, derived from run ${c.runId}; run ${c.runId}'s adapter is unchanged, and its ε covers that adapter only.`
      : '';
  return ga
    ? `${ga.steps} gradient-ascent step(s); stopped because ${ga.stoppedBecause.replaceAll('-', ' ')}; loss on the forgotten records ${ga.forgetLossBefore.toFixed(3)} → ${ga.forgetLossAfter.toFixed(3)} nats/token.${derived}`
    : derived.trim();
}

export function unlearningSection(w: PdfWriter, model: ReportModel): void {
  const runs = model.runs.filter((run) => run.unlearning);
  if (runs.length === 0) return;
  w.newPage();
  w.section('Unlearning certificate');
  w.paragraph(
    'A patient withdrew consent, so the model had to forget their records. Exact methods retrain without ' +
      'the records, so the resulting adapter never saw them; the approximate method (gradient ascent, Jang et ' +
      'al. 2022) pushes the model away from them and is judged only by the evidence. The evidence is the same ' +
      'attacks as above, on the forgotten records against records that were never trained on: after ' +
      'unlearning, an attacker should not tell them apart (membership AUC near 0.5), the records should not be ' +
      'extractable, and the model should stay as useful (held-out perplexity).',
  );
  for (const run of runs) {
    const c = run.unlearning!;
    const tone = c.verdict;
    w.callout(
      tone,
      `${run.training.runName}: ${c.forgottenRecords} record(s) of ${c.forgottenSubjects} patient(s) forgotten, ${c.verdict.toUpperCase()}`,
      [
        `Method: ${c.method} (${METHOD_TEXT[c.method]}).`,
        methodDetail(c),
        c.neverSawForgetRecords
          ? 'The adapter never saw the records: checked by construction (its training data) and by the stored training manifest of every run that built it.'
          : 'The adapter did see the records during training; the evidence below is all there is.',
        `Forget request fingerprint (SHA-256 of the record ids): ${c.forgetSetSha256.slice(0, 16)}…`,
      ].filter((line) => line !== ''),
    );
    w.table(
      [
        { header: 'Evidence', width: 0.52 },
        { header: 'Before', width: 0.24, align: 'right' },
        { header: 'After', width: 0.24, align: 'right' },
      ],
      [
        [
          'Membership AUC (larger of loss and reference attacks)',
          c.before.membershipAuc.toFixed(3),
          c.after.membershipAuc.toFixed(3),
        ],
        [
          'Membership AUC, loss attack',
          c.before.membershipAucLoss.toFixed(3),
          c.after.membershipAucLoss.toFixed(3),
        ],
        [
          'Membership AUC, reference attack',
          c.before.membershipAucReference.toFixed(3),
          c.after.membershipAucReference.toFixed(3),
        ],
        [
          'Loss on forgotten records (nats/token)',
          c.before.forgetLoss.toFixed(3),
          c.after.forgetLoss.toFixed(3),
        ],
        [
          'Loss on never-trained records (nats/token)',
          c.before.nonMemberLoss.toFixed(3),
          c.after.nonMemberLoss.toFixed(3),
        ],
        [
          'Forgotten records extracted verbatim',
          formatPercent(c.before.extractionExactRate, 0),
          formatPercent(c.after.extractionExactRate, 0),
        ],
        ['Held-out perplexity', c.before.evalPerplexity.toFixed(2), c.after.evalPerplexity.toFixed(2)],
        [
          'Perplexity on retained training records',
          c.before.retainPerplexity.toFixed(2),
          c.after.retainPerplexity.toFixed(2),
        ],
      ],
    );
    for (const check of c.checks)
      w.verdictLine(check.passed ? 'pass' : 'fail', `${check.name}: ${check.detail}`);
    w.subsection(
      isPrivateRun(run) ? 'What differential privacy already guaranteed' : 'Without differential privacy',
    );
    w.paragraph(c.explanation);
    w.paragraph(
      `Compared against ${c.nonMembers} records set aside before training${c.notTrainedOn > 0 ? `; ${c.notTrainedOn} of the named records were never trained on (evaluation split or audit holdout)` : ''}.`,
      { size: 9.5 },
    );
  }
}
