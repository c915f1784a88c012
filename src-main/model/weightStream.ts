/**
 * Streams a model folder's weights tensor by tensor, for executors that upload them (the
 * WebGPU executor) and for anything else that must not hold the model twice. Each tensor is
 * read with its own positioned read into its own buffer, converted or quantised, yielded,
 * and forgotten: host memory holds about one tensor (plus its fp32 widening when it is
 * quantised), never a whole file or an fp32 copy of the model.
 *
 * Storage per `weights` format (the same as the memory plan's, memoryPlan.ts):
 * - 'stored' (default): as in the checkpoint: F32 as Float32Array, BF16/F16 as Uint16Array.
 * - 'fp32': everything widened to Float32Array.
 * - 'bf16': matrices and embeddings 16-bit: BF16 and F16 kept as stored, F32 rounded to
 *   BF16; norm scales and biases fp32.
 * - 'int8' / 'nf4': the blocks' linear matrices quantised block-wise (blockQuantisation.ts);
 *   embeddings and head 16-bit as for 'bf16'; norm scales and biases fp32.
 * 16-bit data is the checkpoint's little-endian u16 words, so a Uint16Array's buffer can
 * be uploaded as packed u32 pairs (element 2k in the low half) and unpacked in a shader.
 */
import { ConfidantError } from '../shared/confidantError.js';
import {
  dequantiseInt8,
  dequantiseNf4,
  QUANT_BLOCK_SIZE,
  quantiseInt8,
  quantiseNf4,
} from './blockQuantisation.js';
import { Checkpoint } from './checkpoint.js';
import { readModelConfig } from './config.js';
import type { ModelConfig } from './config.js';
import { bf16ToF32, f16ToF32, f32ToBf16 } from './halfFloat.js';
import { locateWeight } from './locateWeight.js';
import type { WeightFormat } from './memoryPlan.js';
import { weightSpecs } from './weightSpecs.js';

/** How a tensor is used, which decides how it is stored. */
export type WeightRole = 'block-matrix' | 'embedding' | 'vector';

interface StreamedBase {
  /** Canonical Hugging Face name (GPT-2 under `transformer.`). */
  readonly name: string;
  /** Shape as in the checkpoint (nn.Linear [out, in]; GPT-2 Conv1D [in, out]). */
  readonly shape: readonly number[];
  readonly role: WeightRole;
  /** The compute layout is the transpose of the checkpoint's (see CausalLm.weights). */
  readonly transposed: boolean;
  /** The dtype in the checkpoint. */
  readonly storedDtype: 'F32' | 'F16' | 'BF16';
}

export type StreamedTensor =
  | (StreamedBase & { readonly dtype: 'F32'; readonly data: Float32Array })
  | (StreamedBase & { readonly dtype: 'BF16' | 'F16'; readonly data: Uint16Array })
  | (StreamedBase & {
      readonly dtype: 'INT8';
      readonly data: Int8Array;
      readonly scales: Float32Array;
      readonly blockSize: number;
    })
  | (StreamedBase & {
      readonly dtype: 'NF4';
      /** Two codes a byte, element 2k in the low nibble (see blockQuantisation.ts). */
      readonly data: Uint8Array;
      readonly scales: Float32Array;
      readonly blockSize: number;
    });

export interface StreamProgress {
  readonly tensors: number;
  readonly totalTensors: number;
  /** Checkpoint bytes read so far, and in all. */
  readonly bytes: number;
  readonly totalBytes: number;
}

export interface StreamWeightsOptions {
  readonly weights?: WeightFormat | 'stored';
  readonly onProgress?: (progress: StreamProgress) => void;
}

function roleOf(name: string, shape: readonly number[]): WeightRole {
  if (shape.length === 1) return 'vector';
  return /\.(layers|h)\.\d+\./.test(name) ? 'block-matrix' : 'embedding';
}

function widen(dtype: string, bytes: Uint8Array, count: number): Float32Array {
  if (dtype === 'F32') return new Float32Array(bytes.buffer, bytes.byteOffset, count);
  const u16 = new Uint16Array(bytes.buffer, bytes.byteOffset, count);
  return dtype === 'F16' ? f16ToF32(u16) : bf16ToF32(u16);
}

/** The weights of `dir` (config.json + safetensors), one tensor at a time, in model order. */
export async function* streamWeights(
  dir: string,
  options: StreamWeightsOptions = {},
): AsyncGenerator<StreamedTensor, void, undefined> {
  const config: ModelConfig = await readModelConfig(dir);
  const format = options.weights ?? 'stored';
  const checkpoint = await Checkpoint.open(dir);
  try {
    const specs = weightSpecs(config);
    const names = specs.map((s) => locateWeight(checkpoint, config, s, dir));
    const infos = names.map((n) => checkpoint.info(n));
    const totalBytes = infos.reduce((s, i) => s + (i.end - i.begin), 0);
    let bytesRead = 0;
    for (const [k, spec] of specs.entries()) {
      const { info, bytes } = await checkpoint.readRaw(names[k]!);
      if (info.dtype !== 'F32' && info.dtype !== 'F16' && info.dtype !== 'BF16') {
        throw new ConfidantError(
          'SAFETENSORS_UNSUPPORTED_DTYPE',
          `tensor "${info.name}" is ${info.dtype}; Confidant reads weights stored as F32, F16 or BF16`,
          { where: { file: dir, field: `${info.name}.dtype` }, hint: 'Use an unquantised checkpoint.' },
        );
      }
      const count = spec.shape.reduce((a, b) => a * b, 1);
      const base: StreamedBase = {
        name: spec.name,
        shape: [...spec.shape],
        role: roleOf(spec.name, spec.shape),
        transposed: spec.transposed ?? false,
        storedDtype: info.dtype,
      };
      bytesRead += bytes.byteLength;
      yield convert(base, info.dtype, bytes, count, format);
      options.onProgress?.({ tensors: k + 1, totalTensors: specs.length, bytes: bytesRead, totalBytes });
    }
  } finally {
    await checkpoint.close();
  }
}

function convert(
  base: StreamedBase,
  dtype: 'F32' | 'F16' | 'BF16',
  bytes: Uint8Array,
  count: number,
  format: WeightFormat | 'stored',
): StreamedTensor {
  const keep16 = dtype !== 'F32';
  const asStored = (): StreamedTensor =>
    keep16
      ? { ...base, dtype, data: new Uint16Array(bytes.buffer, bytes.byteOffset, count) }
      : { ...base, dtype: 'F32', data: widen(dtype, bytes, count) };
  const as16 = (): StreamedTensor =>
    keep16 ? asStored() : { ...base, dtype: 'BF16', data: f32ToBf16(widen(dtype, bytes, count)) };
  const as32 = (): StreamedTensor => ({ ...base, dtype: 'F32', data: widen(dtype, bytes, count) });
  if (format === 'stored') return asStored();
  if (format === 'fp32' || base.role === 'vector') return as32();
  if (format === 'bf16' || base.role === 'embedding') return as16();
  const x = widen(dtype, bytes, count);
  if (format === 'int8') {
    const q = quantiseInt8(x);
    return { ...base, dtype: 'INT8', data: q.codes, scales: q.scales, blockSize: QUANT_BLOCK_SIZE };
  }
  const q = quantiseNf4(x);
  return { ...base, dtype: 'NF4', data: q.codes, scales: q.scales, blockSize: QUANT_BLOCK_SIZE };
}

/** The fp32 values a streamed tensor stands for (16-bit widened, quantised dequantised). */
export function streamedValues(t: StreamedTensor): Float32Array {
  switch (t.dtype) {
    case 'F32':
      return t.data;
    case 'BF16':
      return bf16ToF32(t.data);
    case 'F16':
      return f16ToF32(t.data);
    case 'INT8':
      return dequantiseInt8({ format: 'int8', length: t.data.length, codes: t.data, scales: t.scales });
    case 'NF4':
      return dequantiseNf4({
        format: 'nf4',
        length: t.shape.reduce((a, b) => a * b, 1),
        codes: t.data,
        scales: t.scales,
      });
    default:
      throw new Error(`unknown streamed dtype ${String((t satisfies never as { dtype: unknown }).dtype)}`);
  }
}
