/**
 * The run configuration of `confidant train --config run.json|run.yaml`: what to train,
 * on what, with which privacy guarantee. Validated with zod; every error names the field
 * and, for files, the line, and says what to do. Unknown keys are errors (a misspelt
 * "clip_norm" must not silently fall back to a default).
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { z } from 'zod';
import { ConfidantError } from '../shared/confidantError.js';

const BackendSchema = z.enum(['auto', 'tensorflow', 'webgpu', 'native', 'wasm', 'cpu']);

const PrivacySchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('none') }).strict(),
  z
    .object({
      mode: z.literal('target-epsilon'),
      epsilon: z.number().gt(0).max(100),
      /** Default: at most 1/(10·N units). */
      delta: z.number().gt(0).lt(1).optional(),
    })
    .strict(),
  z
    .object({
      mode: z.literal('noise-multiplier'),
      noiseMultiplier: z.number().gt(0),
      delta: z.number().gt(0).lt(1).optional(),
    })
    .strict(),
]);

export const RunConfigSchema = z
  .object({
    /** A local Hugging Face folder, or "bundled" for the demo model in resources/models. */
    model: z.string().min(1),
    dataset: z
      .object({
        /** The store's dataset id (`id: 1` or `id: "1"`) or its name. */
        id: z.union([z.string().min(1), z.number().int().positive().transform(String)]),
        trainSplit: z.enum(['train', 'validation', 'test']).default('train'),
        evalSplit: z.enum(['train', 'validation', 'test']).default('validation'),
      })
      .strict(),
    lora: z
      .object({
        rank: z.number().int().min(1).max(256).default(8),
        alpha: z.number().gt(0).default(16),
        dropout: z.number().min(0).lt(1).default(0),
        targetModules: z.array(z.string().min(1)).min(1).optional(),
      })
      .strict()
      .default({ rank: 8, alpha: 16, dropout: 0 }),
    optimizer: z
      .object({
        learningRate: z.number().gt(0).max(1).default(1e-3),
        weightDecay: z.number().min(0).default(0),
        beta1: z.number().min(0).lt(1).default(0.9),
        beta2: z.number().min(0).lt(1).default(0.999),
        warmupSteps: z.number().int().min(0).default(0),
        schedule: z.enum(['cosine', 'linear', 'constant']).default('cosine'),
      })
      .strict()
      .default({
        learningRate: 1e-3,
        weightDecay: 0,
        beta1: 0.9,
        beta2: 0.999,
        warmupSteps: 0,
        schedule: 'cosine',
      }),
    privacy: PrivacySchema,
    accountant: z.enum(['rdp', 'prv']).default('rdp'),
    clipNorm: z.number().gt(0).default(1),
    clipping: z.enum(['flat', 'per-layer']).default('flat'),
    privacyUnit: z.enum(['record', 'patient']).default('record'),
    /** Poisson sampling rate q, or the expected batch size q·N (one of the two). */
    samplingRate: z.number().gt(0).max(1).optional(),
    expectedBatchSize: z.number().int().positive().optional(),
    epochs: z.number().gt(0).optional(),
    steps: z.number().int().positive().optional(),
    microBatchSize: z.number().int().positive().default(8),
    maxSequenceLength: z.number().int().min(8).max(8192).default(128),
    evalEveryEpoch: z.boolean().default(true),
    /** Fraction of training units set aside, before training, as the audit's non-members. */
    auditHoldoutFraction: z.number().min(0).max(0.5).default(0.1),
    /** Audit canaries inserted into the training data (issue: privacy audit), or none. */
    canaries: z
      .object({
        /** mrn ("MRN ####-####"), phone, or doorCode (a small enumerable space). */
        format: z.enum(['mrn', 'phone', 'doorCode']).default('mrn'),
        repetitions: z.array(z.number().int().min(1).max(64)).min(1).default([1, 2, 4, 8]),
        perRepetition: z.number().int().min(1).max(100).default(2),
      })
      .strict()
      .optional(),
    /**
     * Auditing examples for the one-run ε lower bound (Steinke, Nasr, Jagielski 2023): m
     * random canary-like notes, each inserted into training with probability ½ (0 = none).
     */
    oneRunExamples: z.number().int().min(0).max(10_000).default(0),
    evalEverySteps: z.number().int().positive().optional(),
    /** Stop when the eval loss has not improved for this many evaluations. */
    earlyStoppingPatience: z.number().int().positive().optional(),
    checkpointEverySteps: z.number().int().positive().default(50),
    backend: BackendSchema.default('auto'),
    /**
     * Train as this many disjoint shards of the privacy units (SISA, Bourtoule et al. 2021):
     * one adapter per shard, combined by averaging their weight updates, so forgetting a
     * patient retrains one shard (`confidant unlearn --method shard`). 1 = one adapter.
     */
    shards: z.number().int().min(1).max(32).default(1),
    /** Set by the sharded trainer on each shard's own run: the shard it trains (0-based). */
    shardIndex: z.number().int().min(0).optional(),
    /** Records left out of training: set by `confidant unlearn --method retrain`. */
    excludeRecordIds: z.array(z.number().int().positive()).optional(),
    /** Seeds data order, LoRA init and dropout; never the DP noise or sampling (CSPRNG). */
    seed: z.number().int().min(0).default(0),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.samplingRate === undefined) === (c.expectedBatchSize === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['samplingRate'],
        message: 'give exactly one of "samplingRate" (q) or "expectedBatchSize" (q·N)',
      });
    }
    if (c.shardIndex !== undefined && c.shardIndex >= c.shards) {
      ctx.addIssue({
        code: 'custom',
        path: ['shardIndex'],
        message: `"shardIndex" must be below "shards" (${c.shards})`,
      });
    }
    if ((c.epochs === undefined) === (c.steps === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['epochs'], message: 'give exactly one of "epochs" or "steps"' });
    }
  });

export type RunConfig = z.output<typeof RunConfigSchema>;

/** Validates an already-parsed config object. `source` names it in errors. */
export function parseRunConfig(
  value: unknown,
  source = 'run config',
  lineOf?: (path: PropertyKey[]) => number | undefined,
): RunConfig {
  const parsed = RunConfigSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    // an unknown key is reported at its own line, not at the object holding it
    const path =
      issue.code === 'unrecognized_keys' && issue.keys.length > 0
        ? [...issue.path, issue.keys[0]!]
        : issue.path;
    const field = path.map(String).join('.') || '(top level)';
    const line = lineOf?.(path);
    return { field, line, message: issue.message };
  });
  const first = problems[0]!;
  const listing = problems
    .map((p) => `  ${p.line ? `line ${p.line}, ` : ''}${p.field}: ${p.message}`)
    .join('\n');
  throw new ConfidantError(
    'config.invalid',
    `The run configuration has ${problems.length} problem(s):\n${listing}`,
    {
      where: { file: source, ...(first.line ? { line: first.line } : {}), field: first.field },
      hint: 'Fix the fields listed above; docs/run-config.md shows every field with an example.',
    },
  );
}

/** Reads run.json / run.yaml; syntax errors and invalid fields name the file and line. */
export function loadRunConfig(file: string): RunConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfidantError(
      'config.unreadable',
      `Cannot read the run configuration: ${(error as Error).message}`,
      {
        where: { file },
        hint: 'Check the path given to --config.',
      },
    );
  }
  const lineCounter = new LineCounter();
  const isJson = extname(file).toLowerCase() === '.json';
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = lineCounter.linePos(syntax.pos[0]).line;
    throw new ConfidantError(
      'config.syntax',
      `The run configuration is not valid ${isJson ? 'JSON' : 'YAML'}: ${syntax.message.split('\n')[0]}`,
      {
        where: { file, line },
        hint: 'Fix the syntax at that line (JSON is valid YAML, so either format works).',
      },
    );
  }
  const lineOf = (path: PropertyKey[]): number | undefined => {
    for (let n = path.length; n >= 0; n -= 1) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as (string | number)[], true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return parseRunConfig(doc.toJS(), file, lineOf);
}

export interface ResolvedDelta {
  delta: number;
  warnings: string[];
}

/**
 * δ for a dataset of `units` privacy units: the user's value, or 1/(10·N) rounded down to
 * one significant digit. δ ≥ 1/N allows mechanisms that publish a whole unit's data with
 * probability δ, so it is warned about loudly.
 */
export function resolveDelta(requested: number | undefined, units: number): ResolvedDelta {
  const ceiling = 1 / (10 * units);
  const delta = requested ?? roundDownOneDigit(ceiling);
  const warnings: string[] = [];
  if (delta >= 1 / units) {
    warnings.push(
      `δ = ${delta} is at least 1/N = 1/${units}: the guarantee would allow leaking one ${units === 1 ? 'unit' : 'unit’s data'} outright. Use δ ≤ ${roundDownOneDigit(ceiling)}.`,
    );
  }
  return { delta, warnings };
}

function roundDownOneDigit(x: number): number {
  const exponent = Math.floor(Math.log10(x));
  const mantissa = Math.floor(x / 10 ** exponent);
  return Number(`${mantissa}e${exponent}`);
}
