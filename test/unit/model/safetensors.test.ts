/**
 * safetensors (format spec: github.com/huggingface/safetensors): round trip, F16/BF16
 * widening against IEEE 754 reference values, sharded checkpoints, and rejection of
 * corrupt, truncated and hostile files with a ConfidantError naming the file and field.
 */
import { mkdtempSync, writeFileSync, readFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Checkpoint, SafetensorsFile, writeSafetensors } from '../../../src-main/model/index.js';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from '../../../src-main/model/halfFloat.js';
import { ConfidantError } from '../../../src-main/shared/confidantError.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'confidant-st-'));

/** A safetensors file from a raw header object and data bytes. */
function rawFile(header: unknown, data: Uint8Array, headerText?: string): Buffer {
  const json = Buffer.from(headerText ?? JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, data]);
}

async function expectRejected(bytes: Buffer, pattern: RegExp, field?: string): Promise<void> {
  const file = join(tmp(), 'model.safetensors');
  writeFileSync(file, bytes);
  const attempt = async () => {
    const st = await SafetensorsFile.open(file);
    for (const n of st.names) await st.readFloat(n);
    await st.close();
  };
  await expect(attempt()).rejects.toThrow(ConfidantError);
  const error = (await attempt().catch((e: unknown) => e)) as ConfidantError;
  expect(error.describe()).toContain(file);
  expect(error.message).toMatch(pattern);
  if (field) expect(error.options.where?.field).toBe(field);
}

describe('half-precision widening', () => {
  it('F16 bit patterns decode to their IEEE 754 values', () => {
    const bits = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x8000, 0x7c00, 0xfc00, 0x3555]);
    const got = Array.from(f16ToF32(bits));
    expect(got.slice(0, 6)).toEqual([1, -2, 65504, 2 ** -24, 2 ** -14, -0]);
    expect(got[6]).toBe(Infinity);
    expect(got[7]).toBe(-Infinity);
    expect(got[8]).toBeCloseTo(0.333251953125, 12);
    expect(Number.isNaN(f16ToF32(new Uint16Array([0x7e00]))[0])).toBe(true);
  });
  it('BF16 is the upper half of float32', () => {
    expect(Array.from(bf16ToF32(new Uint16Array([0x3f80, 0xc040, 0x4049])))).toEqual([1, -3, 3.140625]);
  });
  it('F16 and BF16 round trips are exact on representable values, rounded otherwise', () => {
    const xs = new Float32Array([0, 1, -2.5, 0.1, 1e-6, 65504, 3.14159]);
    const f16 = f16ToF32(f32ToF16(xs));
    xs.forEach((x, i) =>
      expect(Math.abs(f16[i]! - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11 + 2 ** -25),
    );
    const bf = bf16ToF32(f32ToBf16(xs));
    xs.forEach((x, i) => expect(Math.abs(bf[i]! - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -8));
  });
});

describe('safetensors round trip', () => {
  it('writes and reads F32, F16 and BF16 tensors, 8-byte aligned header, metadata kept', async () => {
    const file = join(tmp(), 'model.safetensors');
    const a = new Float32Array([1, 2, 3, 4, 5, 6]);
    await writeSafetensors(
      file,
      {
        'b.weight': { shape: [2, 3], dtype: 'F32', data: a },
        'a.half': { shape: [3], dtype: 'F16', data: f32ToF16(new Float32Array([0.5, -1, 2])) },
        'c.bf': { shape: [1, 2], dtype: 'BF16', data: f32ToBf16(new Float32Array([1, -3])) },
        empty: { shape: [0, 4], dtype: 'F32', data: new Float32Array(0) },
      },
      { format: 'pt' },
    );
    const bytes = readFileSync(file);
    expect(Number(bytes.readBigUInt64LE(0)) % 8).toBe(0);
    const st = await SafetensorsFile.open(file);
    expect(st.names.sort()).toEqual(['a.half', 'b.weight', 'c.bf', 'empty']);
    expect(st.header.metadata).toEqual({ format: 'pt' });
    expect(await st.readFloat('b.weight')).toEqual({ shape: [2, 3], data: a });
    expect(Array.from((await st.readFloat('a.half')).data)).toEqual([0.5, -1, 2]);
    expect(Array.from((await st.readFloat('c.bf')).data)).toEqual([1, -3]);
    expect((await st.readFloat('empty')).shape).toEqual([0, 4]);
    await expect(st.readFloat('nope')).rejects.toThrow(/not in this file/);
    await st.close();
  });
});

describe('corrupt and hostile safetensors files are rejected', () => {
  const ok = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const data8 = new Uint8Array(8);
  it('too short for a header', () => expectRejected(Buffer.from([1, 2, 3]), /too short/));
  it('header length larger than the file', async () => {
    const b = rawFile(ok, data8);
    b.writeBigUInt64LE(BigInt(b.length), 0);
    await expectRejected(b, /larger than the file/);
  });
  it('absurd header length (2^63)', async () => {
    const b = rawFile(ok, data8);
    b.writeBigUInt64LE(2n ** 63n, 0);
    await expectRejected(b, /exceeds/);
  });
  it('header that is not JSON', () =>
    expectRejected(rawFile(null, data8, '{"w": [1, 2'), /not valid UTF-8 JSON/));
  it('header that is a JSON array', () => expectRejected(rawFile([1, 2], data8), /not a JSON object/));
  it('unknown dtype', () =>
    expectRejected(rawFile({ w: { ...ok.w, dtype: 'F128' } }, data8), /unknown dtype/, 'w.dtype'));
  it('negative or fractional shape', () =>
    expectRejected(rawFile({ w: { ...ok.w, shape: [-2] } }, data8), /invalid shape/, 'w.shape'));
  it('shape that does not match the byte size', () =>
    expectRejected(
      rawFile({ w: { ...ok.w, shape: [3] } }, data8),
      /12 bytes as F32.*span 8/,
      'w.data_offsets',
    ));
  it('offsets beyond the data section', () =>
    expectRejected(
      rawFile({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, data8),
      /outside the data section/,
      'w.data_offsets',
    ));
  it('reversed offsets', () =>
    expectRejected(
      rawFile({ w: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, data8),
      /outside/,
      'w.data_offsets',
    ));
  it('overlapping tensors', () =>
    expectRejected(
      rawFile({ w: ok.w, v: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, data8),
      /overlap/,
    ));
  it('huge shape whose product overflows', () =>
    expectRejected(rawFile({ w: { ...ok.w, shape: [2 ** 40, 2 ** 40] } }, data8), /too large/, 'w.shape'));
  it('non-string metadata', () =>
    expectRejected(rawFile({ __metadata__: { a: 1 }, ...ok }, data8), /metadata/));
  it('integer tensors are refused when read as weights', () =>
    expectRejected(
      rawFile({ w: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, data8),
      /I64/,
      'w.dtype',
    ));
  it('a truncated file', async () => {
    const file = join(tmp(), 'model.safetensors');
    await writeSafetensors(file, { w: { shape: [1000], dtype: 'F32', data: new Float32Array(1000) } });
    truncateSync(file, 2000);
    await expect(SafetensorsFile.open(file)).rejects.toThrow(/outside the data section/);
  });
  it('a missing file', async () => {
    await expect(SafetensorsFile.open('/nonexistent/model.safetensors')).rejects.toMatchObject({
      code: 'SAFETENSORS_UNREADABLE',
    });
  });
});

describe('sharded checkpoints (model.safetensors.index.json)', () => {
  async function sharded() {
    const dir = tmp();
    await writeSafetensors(join(dir, 'model-00001-of-00002.safetensors'), {
      a: { shape: [2], dtype: 'F32', data: new Float32Array([1, 2]) },
    });
    await writeSafetensors(join(dir, 'model-00002-of-00002.safetensors'), {
      b: { shape: [1], dtype: 'F32', data: new Float32Array([3]) },
    });
    return dir;
  }
  it('reads tensors from their shards', async () => {
    const dir = await sharded();
    writeFileSync(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({
        metadata: { total_size: 12 },
        weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' },
      }),
    );
    const ck = await Checkpoint.open(dir);
    expect(ck.names.sort()).toEqual(['a', 'b']);
    expect(Array.from((await ck.read('b')).data)).toEqual([3]);
    await expect(Promise.resolve().then(() => ck.read('c'))).rejects.toThrow(/missing from the checkpoint/);
    await ck.close();
  });
  it('rejects a shard path outside the folder, a missing shard, a tensor not in its shard, bad JSON', async () => {
    const dir = await sharded();
    const index = join(dir, 'model.safetensors.index.json');
    writeFileSync(index, JSON.stringify({ weight_map: { a: '../evil.safetensors' } }));
    await expect(Checkpoint.open(dir)).rejects.toThrow(/not a file inside the model folder/);
    writeFileSync(index, JSON.stringify({ weight_map: { a: 'gone.safetensors' } }));
    await expect(Checkpoint.open(dir)).rejects.toMatchObject({ code: 'SAFETENSORS_UNREADABLE' });
    writeFileSync(index, JSON.stringify({ weight_map: { b: 'model-00001-of-00002.safetensors' } }));
    await expect(Checkpoint.open(dir)).rejects.toThrow(/missing from model-00001/);
    writeFileSync(index, '{"weight_map": ');
    await expect(Checkpoint.open(dir)).rejects.toMatchObject({ code: 'MODEL_SHARD_INDEX_INVALID' });
    writeFileSync(index, JSON.stringify({ weight_map: { a: 7 } }));
    await expect(Checkpoint.open(dir)).rejects.toMatchObject({
      options: { where: { field: 'weight_map.a' } },
    });
  });
  it('a folder without weights', async () => {
    await expect(Checkpoint.open(tmp())).rejects.toMatchObject({ code: 'MODEL_NO_WEIGHTS' });
  });
});
