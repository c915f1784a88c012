/** `confidant model random`: a random-weight model folder of any supported shape. */
import { readFile } from 'node:fs/promises';
import { writeRandomModelFolder } from '../../model/index.js';
import type { RandomDtype } from '../../model/index.js';
import { ConfidantError } from '../../shared/confidantError.js';
import { ProgressBar } from '../progressBar.js';

export interface RandomFlags {
  config: string;
  out: string;
  dtype: string;
  seed: number;
  std: number;
}

const DTYPES: Record<string, RandomDtype> = {
  bf16: 'BF16',
  f16: 'F16',
  fp16: 'F16',
  fp32: 'F32',
  f32: 'F32',
};

export async function runRandom(flags: RandomFlags): Promise<void> {
  const dtype = DTYPES[flags.dtype.toLowerCase()];
  if (!dtype) {
    throw new ConfidantError('CLI_BAD_OPTION', `--dtype must be bf16, f16 or fp32 (got "${flags.dtype}")`, {
      where: { field: '--dtype' },
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(flags.config, 'utf8'));
  } catch (error) {
    throw new ConfidantError(
      'MODEL_CONFIG_INVALID',
      `cannot read config.json (${(error as Error).message})`,
      {
        where: { file: flags.config },
        hint: 'Give the path of a Hugging Face config.json file.',
        cause: error,
      },
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfidantError('MODEL_CONFIG_INVALID', 'config.json is not a JSON object', {
      where: { file: flags.config },
    });
  }
  const bar = new ProgressBar('random weights');
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  const summary = await writeRandomModelFolder(json as Record<string, unknown>, flags.out, {
    dtype,
    seed: flags.seed,
    std: flags.std,
    onProgress: (done, total) => bar.update(done, total, `${mb(done)} of ${mb(total)}`),
  });
  bar.done();
  process.stdout.write(`${JSON.stringify({ out: flags.out, dtype, seed: flags.seed, ...summary })}\n`);
}
