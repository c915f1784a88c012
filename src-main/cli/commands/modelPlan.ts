/**
 * `confidant model plan`: the device memory a LoRA fine-tuning run needs, from config.json
 * alone (src-main/model/memoryPlan.ts), whether it fits, and what would fit if it does not.
 */
import { totalmem } from 'node:os';
import { parseBackendName } from '../../engine/backendNames.js';
import type { BackendName } from '../../engine/backendNames.js';
import { planMemory, readModelConfig, suggestFits, WEIGHT_FORMATS } from '../../model/index.js';
import type { MemoryPlan, PlanSuggestion, WeightFormat } from '../../model/index.js';
import { ConfidantError } from '../../shared/confidantError.js';

export interface PlanFlags {
  model: string;
  batch: number;
  seq: number;
  loraR: number;
  weights: string;
  backend?: string;
  checkpointing?: boolean;
  fusedAttention?: boolean;
  dp: boolean;
  targets?: string;
  deviceGb?: number;
  json?: boolean;
}

/** Backends whose tensors live in host memory: the device is the machine's RAM. */
const HOST_BACKENDS: readonly BackendName[] = ['native', 'wasm', 'cpu'];

function parseWeights(value: string): WeightFormat {
  if ((WEIGHT_FORMATS as readonly string[]).includes(value)) return value as WeightFormat;
  throw new ConfidantError(
    'CLI_BAD_OPTION',
    `--weights must be one of ${WEIGHT_FORMATS.join(', ')} (got "${value}")`,
    {
      where: { field: '--weights' },
    },
  );
}

function gb(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

export interface PlanReport extends Omit<MemoryPlan, 'activationTerms'> {
  model: string;
  architecture: string;
  modelType: string;
  batch: number;
  seq: number;
  loraR: number;
  weights: WeightFormat;
  backend: BackendName | null;
  checkpointing: boolean;
  fusedAttention: boolean;
  dp: boolean;
  /** Where deviceBytes came from. */
  deviceSource: 'flag' | 'host-memory' | 'unknown';
  activationModel: MemoryPlan['activationTerms'];
  suggestions: PlanSuggestion[];
}

export async function planReport(flags: PlanFlags): Promise<PlanReport> {
  const config = await readModelConfig(flags.model);
  const weights = parseWeights(flags.weights);
  const backend = flags.backend === undefined ? null : parseBackendName(flags.backend);
  let deviceBytes: number | null = null;
  let deviceSource: PlanReport['deviceSource'] = 'unknown';
  if (flags.deviceGb !== undefined) {
    deviceBytes = Math.round(flags.deviceGb * 2 ** 30);
    deviceSource = 'flag';
  } else if (backend !== null && HOST_BACKENDS.includes(backend)) {
    deviceBytes = totalmem();
    deviceSource = 'host-memory';
  }
  const targets = flags.targets
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const input = {
    config,
    batch: flags.batch,
    seq: flags.seq,
    loraR: flags.loraR,
    weights,
    checkpointing: flags.checkpointing ?? false,
    fusedAttention: flags.fusedAttention ?? false,
    dp: flags.dp,
    deviceBytes,
    ...(targets && targets.length > 0 ? { targets } : {}),
  };
  const { activationTerms, ...plan } = planMemory(input);
  return {
    model: flags.model,
    architecture: config.architecture,
    modelType: config.modelType,
    batch: input.batch,
    seq: input.seq,
    loraR: input.loraR,
    weights,
    backend,
    checkpointing: input.checkpointing,
    fusedAttention: input.fusedAttention,
    dp: input.dp,
    ...plan,
    deviceSource,
    activationModel: activationTerms,
    suggestions: plan.fits === false ? suggestFits(input) : [],
  };
}

export function describePlan(r: PlanReport): string {
  const lines = [
    `${r.modelType}, ${(r.parameters / 1e9).toFixed(2)} B parameters; batch ${r.batch} × ${r.seq} tokens, LoRA r ${r.loraR} on ${r.targets.join(', ')} (${r.loraParameters.toLocaleString('en-US')} parameters)${r.dp ? ', DP-SGD' : ''}`,
    ...(
      [
        [`base weights (${r.weights})`, r.weightsBytes],
        ['LoRA + gradient', r.loraBytes],
        ['AdamW moments', r.optimizerBytes],
        ['DP per-example grads', r.dpBytes],
        [`activations${r.checkpointing ? ' (checkpointed)' : ''}`, r.activationBytes],
        ['runtime reserve', r.runtimeBytes],
        ['total', r.totalBytes],
        ['largest tensor', r.largestTensorBytes],
      ] as const
    ).map(([label, bytes]) => `  ${label.padEnd(28)} ${gb(bytes).padStart(11)}`),
  ];
  if (r.deviceBytes === null) {
    lines.push("Device memory unknown: pass --device-gb (the GPU's memory) to check whether it fits.");
  } else {
    lines.push(
      `Device: ${gb(r.deviceBytes)}${r.deviceSource === 'host-memory' ? ' (host memory)' : ''}: ${r.fits ? 'fits' : 'does NOT fit'}.`,
    );
  }
  if (r.fits === false) {
    if (r.suggestions.length === 0)
      lines.push('Nothing smaller fits: use a smaller model or a device with more memory.');
    for (const s of r.suggestions) lines.push(`  would fit: ${s.change} (${gb(s.totalBytes)})`);
  }
  return lines.join('\n');
}
