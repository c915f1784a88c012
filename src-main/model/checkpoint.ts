/**
 * The weights of a Hugging Face model folder: one `model.safetensors`, or shards listed in
 * `model.safetensors.index.json` (`{"metadata": {...}, "weight_map": {tensor: shard file}}`).
 * Tensors are read one at a time, on demand.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import { ConfidantError } from '../shared/confidantError.js';
import { SafetensorsFile } from './safetensors.js';
import type { FloatTensorData, TensorInfo } from './safetensors.js';

const ShardIndexSchema = z.object({
  metadata: z.record(z.string(), z.unknown()).optional(),
  weight_map: z.record(z.string(), z.string().min(1)),
});

export class Checkpoint {
  private constructor(
    readonly dir: string,
    private readonly files: ReadonlyMap<string, SafetensorsFile>,
    private readonly owner: ReadonlyMap<string, SafetensorsFile>,
  ) {}

  /** Opens `dir/model.safetensors` or the shards named by `dir/model.safetensors.index.json`. */
  static async open(dir: string): Promise<Checkpoint> {
    const single = join(dir, 'model.safetensors');
    const indexFile = join(dir, 'model.safetensors.index.json');
    if (existsSync(single)) {
      const file = await SafetensorsFile.open(single);
      return new Checkpoint(dir, new Map([[single, file]]), new Map(file.names.map((n) => [n, file])));
    }
    if (!existsSync(indexFile)) {
      throw new ConfidantError(
        'MODEL_NO_WEIGHTS',
        'no model.safetensors or model.safetensors.index.json in the model folder',
        {
          where: { file: dir },
          hint: 'Point Confidant at a Hugging Face model folder with safetensors weights (PyTorch .bin files are not read).',
        },
      );
    }
    let parsed: z.infer<typeof ShardIndexSchema>;
    try {
      const result = ShardIndexSchema.safeParse(JSON.parse(await readFile(indexFile, 'utf8')));
      if (!result.success) {
        const issue = result.error.issues[0]!;
        throw new ConfidantError('MODEL_SHARD_INDEX_INVALID', `invalid shard index: ${issue.message}`, {
          where: { file: indexFile, field: issue.path.join('.') },
        });
      }
      parsed = result.data;
    } catch (error) {
      if (error instanceof ConfidantError) throw error;
      throw new ConfidantError(
        'MODEL_SHARD_INDEX_INVALID',
        `shard index is not valid JSON (${(error as Error).message})`,
        {
          where: { file: indexFile },
        },
      );
    }
    const root = resolve(dir);
    const files = new Map<string, SafetensorsFile>();
    const owner = new Map<string, SafetensorsFile>();
    try {
      for (const [tensor, shard] of Object.entries(parsed.weight_map)) {
        const path = resolve(root, shard);
        if (!path.startsWith(root + sep) || basename(shard) !== shard) {
          throw new ConfidantError(
            'MODEL_SHARD_INDEX_INVALID',
            `shard "${shard}" is not a file inside the model folder`,
            {
              where: { file: indexFile, field: `weight_map.${tensor}` },
            },
          );
        }
        let file = files.get(path);
        if (!file) {
          file = await SafetensorsFile.open(path);
          files.set(path, file);
        }
        if (!file.header.tensors.has(tensor)) {
          throw new ConfidantError(
            'MODEL_SHARD_INDEX_INVALID',
            `tensor "${tensor}" is listed in the index but missing from ${shard}`,
            {
              where: { file: indexFile, field: `weight_map.${tensor}` },
            },
          );
        }
        owner.set(tensor, file);
      }
    } catch (error) {
      for (const f of files.values()) await f.close();
      throw error;
    }
    return new Checkpoint(dir, files, owner);
  }

  get names(): string[] {
    return [...this.owner.keys()];
  }

  has(name: string): boolean {
    return this.owner.has(name);
  }

  info(name: string): TensorInfo {
    return this.fileOf(name).info(name);
  }

  read(name: string): Promise<FloatTensorData> {
    return this.fileOf(name).readFloat(name);
  }

  /** The tensor's bytes as stored (see SafetensorsFile.readRaw). */
  readRaw(name: string): Promise<{ readonly info: TensorInfo; readonly bytes: Uint8Array }> {
    return this.fileOf(name).readRaw(name);
  }

  private fileOf(name: string): SafetensorsFile {
    const file = this.owner.get(name);
    if (!file) {
      throw new ConfidantError('MODEL_MISSING_TENSOR', `weight "${name}" is missing from the checkpoint`, {
        where: { file: this.dir, field: name },
        hint: 'The weights do not match config.json; check that the folder holds one complete model.',
      });
    }
    return file;
  }

  async close(): Promise<void> {
    for (const f of this.files.values()) await f.close();
  }
}
