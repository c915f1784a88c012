/**
 * Writes a random-weight model folder of any supported shape (config.json,
 * model.safetensors, tokenizer.json) for tests, benchmarks and the GPU harness. Seeded and
 * streamed: each tensor is generated in chunks straight into the file in its storage dtype
 * (normal weights by table lookup, see normalTable.ts), so neither the model nor one
 * fp32 copy of it is ever held in memory. The same seed gives the same bytes.
 */
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfidantError } from '../shared/confidantError.js';
import { BYTE_LEVEL_VOCAB, byteLevelTokenizerJson } from './byteLevelTokenizer.js';
import { parseModelConfig } from './config.js';
import { f32ToBf16, f32ToF16 } from './halfFloat.js';
import { weightSpecs } from './weightSpecs.js';
import { fillFromTable, normalTable } from './normalTable.js';

export type RandomDtype = 'F32' | 'F16' | 'BF16';

const TORCH_DTYPE: Record<RandomDtype, string> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

export interface RandomModelOptions {
  readonly dtype: RandomDtype;
  readonly seed: number;
  /** Standard deviation of the weight matrices and embeddings (default 0.02, as HF's init). */
  readonly std?: number;
  /** Values per generated chunk (default 4 Mi). */
  readonly chunkValues?: number;
  /** Called after each chunk with bytes written so far and the total. */
  readonly onProgress?: (doneBytes: number, totalBytes: number) => void;
}

export interface RandomModelSummary {
  readonly parameters: number;
  readonly tensors: number;
  readonly weightsBytes: number;
}

/** The mulberry32 start state of tensor `index` under `seed` (murmur3's 32-bit finaliser). */
function tensorState(seed: number, index: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function constantBits(value: number, dtype: RandomDtype): number {
  const f = new Float32Array([value]);
  return dtype === 'BF16' ? f32ToBf16(f)[0]! : dtype === 'F16' ? f32ToF16(f)[0]! : 0;
}

/**
 * Validates `configJson` and writes `outDir/{config.json, model.safetensors, tokenizer.json}`.
 * The tokenizer is byte-level (byteLevelTokenizer.ts), so the vocabulary needs ≥ 257 ids.
 */
export async function writeRandomModelFolder(
  configJson: Record<string, unknown>,
  outDir: string,
  options: RandomModelOptions,
): Promise<RandomModelSummary> {
  const config = parseModelConfig(configJson);
  if (config.vocabSize < BYTE_LEVEL_VOCAB) {
    throw new ConfidantError(
      'MODEL_RANDOM_VOCAB',
      `vocab_size ${config.vocabSize} is too small for the byte-level tokenizer of a random model (needs ≥ ${BYTE_LEVEL_VOCAB})`,
      { where: { field: 'vocab_size' }, hint: 'Use a config with a vocabulary of at least 257 tokens.' },
    );
  }
  const specs = weightSpecs(config);
  const bytesPer = options.dtype === 'F32' ? 4 : 2;
  const header: Record<string, unknown> = {
    __metadata__: { format: 'pt', confidant: 'random', seed: String(options.seed) },
  };
  let offset = 0;
  const sizes = specs.map((s) => s.shape.reduce((a, b) => a * b, 1));
  specs.forEach((s, i) => {
    header[s.name] = {
      dtype: options.dtype,
      shape: s.shape,
      data_offsets: [offset, offset + sizes[i]! * bytesPer],
    };
    offset += sizes[i]! * bytesPer;
  });
  const totalBytes = offset;
  let json = JSON.stringify(header);
  json += ' '.repeat(Math.ceil(Buffer.byteLength(json) / 8) * 8 - Buffer.byteLength(json));

  await mkdir(outDir, { recursive: true });
  await writeFile(
    join(outDir, 'config.json'),
    `${JSON.stringify({ ...configJson, torch_dtype: TORCH_DTYPE[options.dtype] }, null, 2)}\n`,
  );
  await writeFile(join(outDir, 'tokenizer.json'), JSON.stringify(byteLevelTokenizerJson()));

  const std = options.std ?? 0.02;
  const f32Table = normalTable(std);
  const table: Float32Array | Uint16Array =
    options.dtype === 'F32' ? f32Table : options.dtype === 'BF16' ? f32ToBf16(f32Table) : f32ToF16(f32Table);
  // even, so no chunk boundary splits the two samples of one 32-bit draw
  const chunk = 2 * Math.ceil((options.chunkValues ?? 4 * 2 ** 20) / 2);
  const buffer = options.dtype === 'F32' ? new Float32Array(chunk) : new Uint16Array(chunk);
  const handle = await open(join(outDir, 'model.safetensors'), 'w');
  try {
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
    await handle.write(length);
    await handle.write(Buffer.from(json, 'utf8'));
    let done = 0;
    for (const [i, spec] of specs.entries()) {
      let state = tensorState(options.seed, i);
      for (let at = 0; at < sizes[i]!; at += chunk) {
        const view = buffer.subarray(0, Math.min(chunk, sizes[i]! - at));
        if (spec.init === 'normal') state = fillFromTable(view, table, state);
        else if (options.dtype === 'F32') view.fill(spec.init === 'ones' ? 1 : 0);
        else view.fill(spec.init === 'ones' ? constantBits(1, options.dtype) : 0);
        await handle.write(new Uint8Array(view.buffer, 0, view.byteLength));
        done += view.byteLength;
        options.onProgress?.(done, totalBytes);
      }
    }
  } finally {
    await handle.close();
  }
  return { parameters: sizes.reduce((a, b) => a + b, 0), tensors: specs.length, weightsBytes: totalBytes };
}
