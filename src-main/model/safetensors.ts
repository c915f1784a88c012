/**
 * safetensors reader and writer (format: https://github.com/huggingface/safetensors,
 * "Format" section): 8 bytes little-endian u64 header length N, N bytes of JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {str: str}}`, then
 * the data section; offsets are relative to the data section.
 *
 * The header is validated before any tensor byte is read (size limits, dtypes, offsets in
 * range and non-overlapping, shapes matching byte sizes). Each tensor is then read with
 * its own positioned `read` into its own buffer, so a multi-GB file is never held twice.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { ConfidantError } from '../shared/confidantError.js';
import { bf16ToF32, f16ToF32 } from './halfFloat.js';

/** Bytes per element of each dtype the format defines. */
export const DTYPE_BYTES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
} as const;
export type SafetensorsDtype = keyof typeof DTYPE_BYTES;
/** The dtypes Confidant converts to float32 tensors. */
export const FLOAT_DTYPES: readonly SafetensorsDtype[] = ['F32', 'F16', 'BF16'];

/** Headers above this size are refused (the reference implementation uses 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

export interface TensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Absolute byte offsets in the file (header included): [begin, end). */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  readonly file: string;
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  readonly metadata: Readonly<Record<string, string>>;
}

/** A float32 tensor read from a file: data in row-major order. */
export interface FloatTensorData {
  readonly shape: number[];
  readonly data: Float32Array;
}

function corrupt(file: string, message: string, field?: string): ConfidantError {
  return new ConfidantError('SAFETENSORS_INVALID', message, {
    where: field === undefined ? { file } : { file, field },
    hint: 'The weights file is damaged or not a safetensors file. Re-copy or re-download the model folder.',
  });
}

async function readExactly(handle: FileHandle, into: Uint8Array, position: number, file: string) {
  // Positioned reads of at most 1 GiB each (a single read is limited to 2 GiB).
  const chunk = 1 << 30;
  let done = 0;
  while (done < into.byteLength) {
    const length = Math.min(chunk, into.byteLength - done);
    const { bytesRead } = await handle.read(into, done, length, position + done);
    if (bytesRead === 0) throw corrupt(file, `file ended early (truncated at byte ${position + done})`);
    done += bytesRead;
  }
}

/** Parses and validates the JSON header given the file size; pure (no I/O). */
export function parseHeader(file: string, headerBytes: Uint8Array, fileSize: number): SafetensorsHeader {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (error) {
    throw corrupt(file, `header is not valid UTF-8 JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw corrupt(file, 'header is not a JSON object');
  }
  const dataStart = 8 + headerBytes.byteLength;
  const dataLength = fileSize - dataStart;
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw corrupt(file, '__metadata__ must be an object of strings', name);
      }
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string') throw corrupt(file, `metadata value for "${k}" is not a string`, name);
      }
      metadata = raw as Record<string, string>;
      continue;
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw corrupt(file, `entry for tensor "${name}" is not an object`, name);
    }
    const entry = raw as Record<string, unknown>;
    const dtype = entry.dtype;
    if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) {
      throw corrupt(
        file,
        `tensor "${name}" has unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(DTYPE_BYTES).join(', ')})`,
        `${name}.dtype`,
      );
    }
    const shape = entry.shape;
    if (
      !Array.isArray(shape) ||
      shape.length > 16 ||
      !shape.every((d): d is number => Number.isSafeInteger(d) && (d as number) >= 0)
    ) {
      throw corrupt(file, `tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`, `${name}.shape`);
    }
    const offsets = entry.data_offsets;
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o): o is number => Number.isSafeInteger(o) && (o as number) >= 0)
    ) {
      throw corrupt(
        file,
        `tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`,
        `${name}.data_offsets`,
      );
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLength) {
      throw corrupt(
        file,
        `tensor "${name}" data_offsets [${begin}, ${end}] fall outside the data section (${dataLength} bytes)`,
        `${name}.data_offsets`,
      );
    }
    let elements = 1;
    for (const d of shape) {
      elements *= d;
      if (!Number.isSafeInteger(elements))
        throw corrupt(file, `tensor "${name}" shape is too large`, `${name}.shape`);
    }
    const expected = elements * DTYPE_BYTES[dtype as SafetensorsDtype];
    if (expected !== end - begin) {
      throw corrupt(
        file,
        `tensor "${name}" has shape [${shape.join(', ')}] (${expected} bytes as ${dtype}) but data_offsets span ${end - begin} bytes`,
        `${name}.data_offsets`,
      );
    }
    tensors.set(name, {
      name,
      dtype: dtype as SafetensorsDtype,
      shape,
      begin: dataStart + begin,
      end: dataStart + end,
    });
  }
  const sorted = [...tensors.values()].filter((t) => t.end > t.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.begin < prev.end) {
      throw corrupt(file, `tensors "${prev.name}" and "${cur.name}" overlap in the data section`, cur.name);
    }
  }
  return { file, tensors, metadata };
}

/** An open safetensors file: validated header, tensors read on demand. */
export class SafetensorsFile {
  private constructor(
    private readonly handle: FileHandle,
    readonly header: SafetensorsHeader,
  ) {}

  static async open(file: string): Promise<SafetensorsFile> {
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      throw new ConfidantError(
        'SAFETENSORS_UNREADABLE',
        `cannot open weights file (${(error as Error).message})`,
        {
          where: { file },
          hint: 'Check that the model folder exists and is readable.',
          cause: error,
        },
      );
    }
    try {
      const { size } = await handle.stat();
      if (size < 8) throw corrupt(file, `file is ${size} bytes, too short for a safetensors header`);
      const lengthBytes = new Uint8Array(8);
      await readExactly(handle, lengthBytes, 0, file);
      const headerLength = new DataView(lengthBytes.buffer).getBigUint64(0, true);
      if (headerLength > BigInt(MAX_HEADER_BYTES)) {
        throw corrupt(file, `header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
      }
      if (headerLength > BigInt(size - 8)) {
        throw corrupt(file, `header length ${headerLength} is larger than the file (${size} bytes)`);
      }
      const headerBytes = new Uint8Array(Number(headerLength));
      await readExactly(handle, headerBytes, 8, file);
      return new SafetensorsFile(handle, parseHeader(file, headerBytes, size));
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  get names(): string[] {
    return [...this.header.tensors.keys()];
  }

  info(name: string): TensorInfo {
    const info = this.header.tensors.get(name);
    if (!info) {
      throw new ConfidantError('SAFETENSORS_MISSING_TENSOR', `tensor "${name}" is not in this file`, {
        where: { file: this.header.file, field: name },
      });
    }
    return info;
  }

  /** Reads one tensor's bytes as stored, into its own buffer (byteOffset 0, so any typed view is aligned). */
  async readRaw(name: string): Promise<{ readonly info: TensorInfo; readonly bytes: Uint8Array }> {
    const info = this.info(name);
    const bytes = new Uint8Array(info.end - info.begin);
    await readExactly(this.handle, bytes, info.begin, this.header.file);
    return { info, bytes };
  }

  /** Reads one tensor into its own buffer and widens F16/BF16 to float32. */
  async readFloat(name: string): Promise<FloatTensorData> {
    const info = this.info(name);
    if (!FLOAT_DTYPES.includes(info.dtype)) {
      throw new ConfidantError(
        'SAFETENSORS_UNSUPPORTED_DTYPE',
        `tensor "${name}" is ${info.dtype}; Confidant reads weights stored as ${FLOAT_DTYPES.join(', ')}`,
        { where: { file: this.header.file, field: `${name}.dtype` }, hint: 'Use an unquantised checkpoint.' },
      );
    }
    const bytes = new Uint8Array(info.end - info.begin);
    await readExactly(this.handle, bytes, info.begin, this.header.file);
    const count = info.shape.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    if (info.dtype === 'F32') data = new Float32Array(bytes.buffer, 0, count);
    else if (info.dtype === 'F16') data = f16ToF32(new Uint16Array(bytes.buffer, 0, count));
    else data = bf16ToF32(new Uint16Array(bytes.buffer, 0, count));
    return { shape: [...info.shape], data };
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** A tensor to write: float32 data, stored as F32 (or F16/BF16 when given pre-converted). */
export interface TensorToWrite {
  readonly shape: readonly number[];
  readonly dtype: 'F32' | 'F16' | 'BF16';
  readonly data: Float32Array | Uint16Array;
}

/**
 * Writes tensors to a safetensors file, names in sorted order, the header padded with
 * spaces to an 8-byte boundary (as the reference writer does). Tensors are written one at
 * a time, so the file is never assembled in memory.
 */
export async function writeSafetensors(
  file: string,
  tensors: ReadonlyMap<string, TensorToWrite> | Record<string, TensorToWrite>,
  metadata?: Record<string, string>,
): Promise<void> {
  const list: [string, TensorToWrite][] =
    tensors instanceof Map
      ? [...(tensors as ReadonlyMap<string, TensorToWrite>).entries()]
      : Object.entries(tensors);
  const entries = list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new ConfidantError(
        'SAFETENSORS_WRITE',
        `tensor "${name}" has ${t.data.length} values for shape [${t.shape.join(', ')}]`,
        {
          where: { file, field: name },
        },
      );
    }
    const bytes = t.data.byteLength;
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const padded = Math.ceil(Buffer.byteLength(json) / 8) * 8;
  json += ' '.repeat(padded - Buffer.byteLength(json));
  const handle = await open(file, 'w');
  try {
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(padded));
    await handle.write(length);
    await handle.write(Buffer.from(json, 'utf8'));
    for (const [, t] of entries) {
      await handle.write(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    }
  } finally {
    await handle.close();
  }
}

/**
 * The same format in memory, for small tensor sets that must never touch the disk in
 * plaintext (training checkpoints go straight into an encrypted blob). F32 only.
 */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, FloatTensorData>,
  metadata?: Record<string, string>,
): Buffer {
  const entries = [...tensors.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    if (t.shape.reduce((a, b) => a * b, 1) !== t.data.length) {
      throw new RangeError(`tensor "${name}" has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    }
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat(Math.ceil(Buffer.byteLength(json) / 8) * 8 - Buffer.byteLength(json));
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.byteLength + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.byteLength));
  headerBytes.copy(out, 8);
  let at = 8 + headerBytes.byteLength;
  for (const [, t] of entries) {
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(out, at);
    at += t.data.byteLength;
  }
  return out;
}

/** Parses an in-memory safetensors buffer (validated like a file); F32 tensors only. */
export function decodeSafetensors(
  bytes: Uint8Array,
  source: string,
): { tensors: Map<string, FloatTensorData>; metadata: Readonly<Record<string, string>> } {
  if (bytes.byteLength < 8) throw corrupt(source, 'too short for a safetensors header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, bytes.byteLength - 8))) {
    throw corrupt(source, `header length ${headerLength} does not fit the ${bytes.byteLength}-byte buffer`);
  }
  const header = parseHeader(source, bytes.subarray(8, 8 + Number(headerLength)), bytes.byteLength);
  const tensors = new Map<string, FloatTensorData>();
  for (const [name, info] of header.tensors) {
    if (info.dtype !== 'F32') throw corrupt(source, `tensor "${name}" is ${info.dtype}, expected F32`, name);
    const copy = new Uint8Array(bytes.subarray(info.begin, info.end));
    tensors.set(name, { shape: [...info.shape], data: new Float32Array(copy.buffer) });
  }
  return { tensors, metadata: header.metadata };
}
