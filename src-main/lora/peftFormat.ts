/**
 * Saving and loading adapters in Hugging Face PEFT's on-disk format, so `PeftModel.
 * from_pretrained(base, dir)` loads what Confidant trains and vice versa:
 * `adapter_config.json` (LoraConfig fields) and `adapter_model.safetensors` with keys
 * `base_model.model.<module>.lora_A.weight` [r, in] and `...lora_B.weight` [out, r]
 * (huggingface/peft: src/peft/tuners/lora/config.py, utils/save_and_load.py).
 */
import { createHash } from 'node:crypto';
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { SafetensorsFile, decodeSafetensors, encodeSafetensors, writeSafetensors } from '../model/index.js';
import type { CausalLm, TensorToWrite } from '../model/index.js';
import { ConfidantError } from '../shared/confidantError.js';
import { LoraAdapter, matchesTarget } from './loraAdapter.js';
import type { LoraOptions } from './loraAdapter.js';

const PREFIX = 'base_model.model.';

const AdapterConfigSchema = z.object({
  peft_type: z.literal('LORA'),
  task_type: z.string().nullish(),
  r: z.number().int().min(1).max(4096),
  lora_alpha: z.number().positive(),
  lora_dropout: z.number().min(0).max(0.999).default(0),
  target_modules: z.union([z.array(z.string().min(1)).min(1), z.string().min(1)]),
  fan_in_fan_out: z.boolean().default(false),
  bias: z.literal('none').default('none'),
  use_rslora: z.boolean().default(false),
  use_dora: z.literal(false).default(false),
  modules_to_save: z.array(z.string()).max(0).nullish(),
  rank_pattern: z
    .record(z.string(), z.unknown())
    .refine((r) => Object.keys(r).length === 0, 'per-module ranks are not supported')
    .nullish(),
  alpha_pattern: z
    .record(z.string(), z.unknown())
    .refine((r) => Object.keys(r).length === 0, 'per-module alphas are not supported')
    .nullish(),
  layers_to_transform: z.null().optional(),
  base_model_name_or_path: z.string().nullish(),
});

/** PEFT's adapter_config.json for an adapter. */
export function peftConfig(
  adapter: LoraAdapter,
  model: CausalLm,
  options: { baseModelNameOrPath?: string } = {},
): Record<string, unknown> {
  const o = adapter.options;
  const config = {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: options.baseModelNameOrPath ?? null,
    bias: 'none',
    fan_in_fan_out: model.config.architecture === 'gpt2',
    inference_mode: true,
    init_lora_weights: true,
    layers_pattern: null,
    layers_to_transform: null,
    lora_alpha: o.alpha,
    lora_dropout: o.dropout,
    modules_to_save: null,
    peft_type: 'LORA',
    r: o.r,
    rank_pattern: {},
    revision: null,
    target_modules: typeof o.targetModules === 'string' ? o.targetModules : [...o.targetModules],
    task_type: 'CAUSAL_LM',
    use_dora: false,
    use_rslora: o.useRslora ?? false,
  };
  return config;
}

async function adapterTensors(
  adapter: LoraAdapter,
): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const m of adapter.modules) {
    tensors.set(`${PREFIX}${m.module.name}.lora_A.weight`, {
      shape: [...m.a.shape],
      data: (await m.a.data()) as Float32Array,
    });
    tensors.set(`${PREFIX}${m.module.name}.lora_B.weight`, {
      shape: [...m.b.shape],
      data: (await m.b.data()) as Float32Array,
    });
  }
  return tensors;
}

/**
 * The adapter as one in-memory safetensors file (PEFT key names) with its
 * adapter_config.json in the metadata, for the encrypted store; never touches the disk.
 */
export async function adapterArchive(
  adapter: LoraAdapter,
  model: CausalLm,
  options: { baseModelNameOrPath?: string } = {},
): Promise<{ bytes: Buffer; config: Record<string, unknown>; weightsSha256: string }> {
  const config = peftConfig(adapter, model, options);
  const tensors = await adapterTensors(adapter);
  const weights = encodeSafetensors(tensors, { format: 'pt' });
  const bytes = encodeSafetensors(tensors, { format: 'pt', adapter_config: JSON.stringify(config) });
  return { bytes, config, weightsSha256: createHash('sha256').update(weights).digest('hex') };
}

/** Writes an archive from `adapterArchive` out as a PEFT folder. */
export async function exportAdapterArchive(
  bytes: Uint8Array,
  dir: string,
  source = 'stored adapter',
): Promise<void> {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  if (!metadata.adapter_config) {
    throw new ConfidantError('ADAPTER_CONFIG_INVALID', 'the stored adapter has no adapter_config', {
      where: { file: source },
    });
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'adapter_model.safetensors'), encodeSafetensors(tensors, { format: 'pt' }));
  await writeFile(
    join(dir, 'adapter_config.json'),
    `${JSON.stringify(JSON.parse(metadata.adapter_config), null, 2)}\n`,
  );
}

/** Loads an archive from `adapterArchive` for `model`, with the same checks as a folder. */
export async function loadAdapterArchive(
  model: CausalLm,
  bytes: Uint8Array,
  source = 'stored adapter',
): Promise<LoraAdapter> {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  let raw: unknown;
  try {
    raw = JSON.parse(metadata.adapter_config ?? '');
  } catch {
    throw new ConfidantError('ADAPTER_CONFIG_INVALID', 'the stored adapter has no valid adapter_config', {
      where: { file: source },
    });
  }
  return adapterFromTensors(model, raw, source, source, {
    names: [...tensors.keys()],
    has: (k) => tensors.has(k),
    read: async (k) => tensors.get(k)!,
  });
}

/** Writes `dir/adapter_config.json` and `dir/adapter_model.safetensors`. */
export async function saveAdapter(
  adapter: LoraAdapter,
  model: CausalLm,
  dir: string,
  options: { baseModelNameOrPath?: string } = {},
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const config = peftConfig(adapter, model, options);
  const tensors = new Map<string, TensorToWrite>();
  for (const [name, t] of await adapterTensors(adapter)) tensors.set(name, { ...t, dtype: 'F32' });
  await writeSafetensors(join(dir, 'adapter_model.safetensors'), tensors, { format: 'pt' });
  await writeFile(join(dir, 'adapter_config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** Loads a PEFT LoRA adapter for `model`, checking every key and shape. */
export async function loadAdapter(model: CausalLm, dir: string): Promise<LoraAdapter> {
  const configFile = join(dir, 'adapter_config.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(configFile, 'utf8'));
  } catch (error) {
    throw new ConfidantError(
      'ADAPTER_CONFIG_INVALID',
      `cannot read adapter_config.json (${(error as Error).message})`,
      {
        where: { file: configFile },
        hint: 'Point at a folder saved by Confidant or by Hugging Face PEFT (LoRA).',
      },
    );
  }
  const file = join(dir, 'adapter_model.safetensors');
  const st = await SafetensorsFile.open(file);
  try {
    return await adapterFromTensors(model, raw, configFile, file, {
      names: st.names,
      has: (k) => st.header.tensors.has(k),
      read: (k) => st.readFloat(k),
    });
  } finally {
    await st.close();
  }
}

/** Where adapter tensors come from: a safetensors file or an in-memory archive. */
interface TensorSource {
  readonly names: readonly string[];
  has(name: string): boolean;
  read(name: string): Promise<{ shape: readonly number[]; data: Float32Array }>;
}

async function adapterFromTensors(
  model: CausalLm,
  raw: unknown,
  configFile: string,
  file: string,
  st: TensorSource,
): Promise<LoraAdapter> {
  const parsed = AdapterConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfidantError(
      'ADAPTER_CONFIG_INVALID',
      `unsupported or invalid adapter config: ${issue.message}`,
      {
        where: { file: configFile, field: issue.path.join('.') },
        hint: 'Confidant loads plain LoRA adapters (no DoRA, no bias training, one rank for all modules).',
      },
    );
  }
  const c = parsed.data;
  const options: LoraOptions = {
    r: c.r,
    alpha: c.lora_alpha,
    dropout: c.lora_dropout,
    targetModules: c.target_modules,
    useRslora: c.use_rslora,
  };
  const weights = new Map<string, { a: tf.Tensor2D; b: tf.Tensor2D }>();
  try {
    const known = new Set<string>();
    for (const module of model.linearModules.filter((m) => matchesTarget(m.name, c.target_modules))) {
      const pair: tf.Tensor2D[] = [];
      for (const [part, shape] of [
        ['lora_A', [c.r, module.inFeatures]],
        ['lora_B', [module.outFeatures, c.r]],
      ] as const) {
        const candidates = [
          `${PREFIX}${module.name}.${part}.weight`,
          `${PREFIX}${module.name}.${part}.default.weight`,
        ];
        const key = candidates.find((k) => st.has(k));
        if (!key) {
          throw new ConfidantError(
            'ADAPTER_MISSING_TENSOR',
            `adapter has no ${part} weight for module ${module.name}`,
            {
              where: { file, field: candidates[0]! },
              hint: 'The adapter was trained for a different base model.',
            },
          );
        }
        const t = await st.read(key);
        if (t.shape.length !== 2 || t.shape[0] !== shape[0] || t.shape[1] !== shape[1]) {
          throw new ConfidantError(
            'ADAPTER_SHAPE_MISMATCH',
            `${key} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`,
            {
              where: { file, field: key },
              hint: 'The adapter was trained for a different base model or rank.',
            },
          );
        }
        known.add(key);
        pair.push(tf.tensor2d(t.data, [shape[0], shape[1]]));
      }
      weights.set(module.name, { a: pair[0]!, b: pair[1]! });
    }
    if (weights.size === 0) {
      throw new ConfidantError('ADAPTER_EMPTY', 'no module of the model matches the adapter target_modules', {
        where: { file: configFile, field: 'target_modules' },
        hint: 'The adapter was trained for a different base model.',
      });
    }
    const extra = st.names.find((n) => !known.has(n));
    if (extra !== undefined) {
      throw new ConfidantError(
        'ADAPTER_UNEXPECTED_TENSOR',
        `adapter tensor "${extra}" does not belong to any target module of this model`,
        {
          where: { file, field: extra },
          hint: 'The adapter was trained for a different base model, or trains modules Confidant does not support.',
        },
      );
    }
  } catch (error) {
    for (const w of weights.values()) tf.dispose([w.a, w.b]);
    throw error;
  }
  return LoraAdapter.fromWeights(model, options, weights);
}
