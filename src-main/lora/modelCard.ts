/**
 * The model card (README.md) written beside an exported adapter. PEFT's save_pretrained
 * writes a README.md model card with YAML front matter (`base_model`, `library_name: peft`)
 * that loading ignores (huggingface/peft docs/source/developer_guides/checkpoint.md, "PEFT
 * files"); ours states what a reader needs before using the adapter on patients' data: the
 * base model, the training data's name and size class (never its exact count), the privacy
 * guarantee (ε, δ, unit, accountant) or "no privacy guarantee", the audit verdicts, and the
 * fingerprint of the signed report that backs these statements. Pure text: no I/O.
 */

export type CardVerdict = 'pass' | 'warn' | 'fail' | 'inconclusive';

export interface ModelCardInput {
  readonly runId: number;
  readonly runName: string;
  readonly baseModel: { readonly name: string; readonly modelType: string; readonly sha256: string };
  readonly adapter: {
    readonly rank: number;
    readonly alpha: number;
    readonly targetModules: readonly string[];
    readonly sha256: string;
  };
  readonly dataset: { readonly name: string; readonly units: number; readonly unit: 'record' | 'patient' };
  /** Null: trained without differential privacy (or imported with no stated guarantee). */
  readonly privacy: {
    readonly epsilon: number;
    readonly delta: number;
    readonly unit: 'record' | 'patient';
    readonly accountant: string;
    readonly rdpEpsilon: number | null;
    readonly prvEpsilon: number | null;
    readonly noiseMultiplier: number | null;
    readonly clipNorm: number | null;
    readonly steps: number;
  } | null;
  /** Null: never audited. */
  readonly audit: {
    readonly overall: CardVerdict;
    readonly sections: readonly {
      readonly name: string;
      readonly verdict: CardVerdict;
      readonly detail: string;
    }[];
    readonly epsilonLowerBound: number | null;
  } | null;
  /** Null: no signed report yet. */
  readonly report: {
    readonly pdfSha256: string;
    readonly keyFingerprint: string;
    readonly createdAt: string;
  } | null;
  readonly merged: boolean;
  readonly exportedAt: string;
  readonly appVersion: string;
}

/**
 * The size class of a training set, in powers of ten: enough to judge how much data shaped
 * the adapter without publishing the exact count of a hospital's patients.
 */
export function sizeClass(units: number, unit: 'record' | 'patient'): string {
  const noun = unit === 'patient' ? 'patients' : 'records';
  if (units < 100) return `fewer than 100 ${noun}`;
  if (units >= 1_000_000) return `1,000,000 ${noun} or more`;
  const low = 10 ** Math.floor(Math.log10(units));
  return `${low.toLocaleString('en-US')}–${(low * 10).toLocaleString('en-US')} ${noun}`;
}

/** ε with enough digits to compare against a budget, never rounded down. */
function formatEpsilon(epsilon: number): string {
  const digits = epsilon < 1 ? 3 : 2;
  const factor = 10 ** digits;
  return (Math.ceil(epsilon * factor) / factor).toFixed(digits);
}

const VERDICT_WORD: Record<CardVerdict, string> = {
  pass: 'PASS',
  warn: 'WARN',
  fail: 'FAIL',
  inconclusive: 'INCONCLUSIVE',
};

/** A YAML double-quoted scalar (JSON strings are valid YAML). */
const yamlString = (s: string) => JSON.stringify(s);

export function adapterModelCard(input: ModelCardInput): string {
  const p = input.privacy;
  const guarantee =
    p === null
      ? 'no privacy guarantee'
      : `(ε = ${formatEpsilon(p.epsilon)}, δ = ${p.delta.toExponential(1)})-differential privacy per ${p.unit}`;
  const lines: string[] = [
    '---',
    `base_model: ${yamlString(input.baseModel.name)}`,
    input.merged ? 'library_name: transformers' : 'library_name: peft',
    'tags:',
    '  - confidant',
    '  - lora',
    ...(p === null ? [] : ['  - differential-privacy']),
    '---',
    '',
    `# ${input.runName} (Confidant run ${input.runId})`,
    '',
    input.merged
      ? `A LoRA adapter trained with Confidant, merged into the weights of ${input.baseModel.name}: this folder is a complete Hugging Face model.`
      : `A LoRA adapter for ${input.baseModel.name}, trained with Confidant, in Hugging Face PEFT format: load it with \`PeftModel.from_pretrained(base_model, this_folder)\` on the same base model.`,
    '',
    '## Privacy guarantee',
    '',
    p === null
      ? 'This adapter was trained **without differential privacy: no privacy guarantee**. It may reveal its training records; treat it as sensitive as the data itself.'
      : `**${guarantee}**, accounted with the ${p.accountant.toUpperCase()} accountant (the larger of the accountants' ε is stated).`,
    '',
  ];
  if (p !== null) {
    lines.push(
      '| | |',
      '|---|---|',
      `| ε | ${formatEpsilon(p.epsilon)} |`,
      `| δ | ${p.delta.toExponential(2)} |`,
      `| privacy unit | ${p.unit} |`,
      `| accountant | ${p.accountant} |`,
      ...(p.rdpEpsilon !== null ? [`| ε (RDP) | ${formatEpsilon(p.rdpEpsilon)} |`] : []),
      ...(p.prvEpsilon !== null ? [`| ε (PRV) | ${formatEpsilon(p.prvEpsilon)} |`] : []),
      ...(p.noiseMultiplier !== null ? [`| noise multiplier σ | ${p.noiseMultiplier.toPrecision(4)} |`] : []),
      ...(p.clipNorm !== null ? [`| clipping norm C | ${p.clipNorm} |`] : []),
      `| steps | ${p.steps} |`,
      '',
    );
  }
  lines.push(
    '## Base model',
    '',
    `- name: ${input.baseModel.name} (${input.baseModel.modelType})`,
    `- weights SHA-256: \`${input.baseModel.sha256}\``,
    '',
    '## Training data',
    '',
    `- dataset: ${input.dataset.name}`,
    `- size: ${sizeClass(input.dataset.units, input.dataset.unit)}`,
    '',
    '## Adapter',
    '',
    `- LoRA rank ${input.adapter.rank}, alpha ${input.adapter.alpha}, on ${input.adapter.targetModules.join(', ')}`,
    `- adapter_model.safetensors SHA-256: \`${input.adapter.sha256}\``,
    '',
    '## Privacy audit',
    '',
  );
  if (input.audit === null) {
    lines.push('Not audited: no attack has been run against this adapter.', '');
  } else {
    lines.push(
      `Overall verdict: **${VERDICT_WORD[input.audit.overall]}**`,
      '',
      '| attack | verdict | result |',
      '|---|---|---|',
      ...input.audit.sections.map((s) => `| ${s.name} | ${VERDICT_WORD[s.verdict]} | ${s.detail} |`),
      '',
    );
    if (input.audit.epsilonLowerBound !== null) {
      lines.push(
        `Empirical ε lower bound from the audit: ${input.audit.epsilonLowerBound.toFixed(3)}${p !== null ? ` (theoretical ε ${formatEpsilon(p.epsilon)})` : ''}.`,
        '',
      );
    }
  }
  lines.push('## Signed report', '');
  if (input.report === null) {
    lines.push('No signed report has been written for this run yet.', '');
  } else {
    lines.push(
      `The statements above are backed by the signed audit report of ${input.report.createdAt}:`,
      '',
      `- report PDF SHA-256: \`${input.report.pdfSha256}\``,
      `- signing key fingerprint (SHA-256 of the Ed25519 public key): \`${input.report.keyFingerprint}\``,
      '',
      'Verify the PDF with `confidant report verify <file>`.',
      '',
    );
  }
  lines.push(`Exported ${input.exportedAt} by Confidant ${input.appVersion}.`, '');
  return lines.join('\n');
}
