// Model folders at real sizes, host side: seconds to write a seeded random-weight folder
// (`confidant model random`, bf16) and to stream it back tensor by tensor (weightStream.ts)
// kept 16-bit ('stored') and quantised to NF4, each stream in its own child process so its
// peak RSS is its own; with the memory plan of the shape for reference.
// Usage: tsx bench/modelLoad.bench.ts [--model llama-1b|llama-3b|llama-8b|smollm2-135m] [--dir D]
// The folder goes to --dir (default the OS temp dir) and is deleted afterwards.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseModelConfig, planMemory, streamWeights, writeRandomModelFolder } from '../src-main/model/index';
import type { WeightFormat } from '../src-main/model/index';

// Published configs (test/fixtures/model/configs), the fields the loader reads.
const llama1b = {
  model_type: 'llama',
  vocab_size: 128256,
  hidden_size: 2048,
  intermediate_size: 8192,
  num_hidden_layers: 16,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  head_dim: 64,
  max_position_embeddings: 131072,
  rms_norm_eps: 1e-5,
  rope_theta: 500000,
  rope_scaling: {
    rope_type: 'llama3',
    factor: 32,
    low_freq_factor: 1,
    high_freq_factor: 4,
    original_max_position_embeddings: 8192,
  },
  tie_word_embeddings: true,
};
const llama3b = {
  ...llama1b,
  hidden_size: 3072,
  intermediate_size: 8192,
  num_attention_heads: 24,
  num_hidden_layers: 28,
  head_dim: 128,
};
const llama8b = {
  ...llama1b,
  hidden_size: 4096,
  intermediate_size: 14336,
  num_hidden_layers: 32,
  head_dim: 128,
  rope_scaling: { ...llama1b.rope_scaling, factor: 8 },
  tie_word_embeddings: false,
};
const smollm2 = {
  model_type: 'llama',
  vocab_size: 49152,
  hidden_size: 576,
  intermediate_size: 1536,
  num_hidden_layers: 30,
  num_attention_heads: 9,
  num_key_value_heads: 3,
  max_position_embeddings: 8192,
  rms_norm_eps: 1e-5,
  rope_theta: 100000,
  tie_word_embeddings: true,
};
const MODELS: Record<string, Record<string, unknown>> = {
  'smollm2-135m': smollm2,
  'llama-1b': llama1b,
  'llama-3b': llama3b,
  'llama-8b': llama8b,
};

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

async function child(dir: string, format: WeightFormat | 'stored'): Promise<void> {
  const start = performance.now();
  let bytes = 0;
  let tensors = 0;
  for await (const t of streamWeights(dir, { weights: format })) {
    bytes += t.data.byteLength + ('scales' in t ? t.scales.byteLength : 0);
    tensors++;
  }
  const seconds = (performance.now() - start) / 1000;
  const peakRssMB = Math.round((process.resourceUsage().maxRSS * 1024) / 2 ** 20);
  process.stdout.write(JSON.stringify({ format, seconds, tensors, hostBytes: bytes, peakRssMB }));
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child')
    return child(process.argv[3]!, process.argv[4] as WeightFormat | 'stored');
  const name = flag('--model', 'llama-1b');
  const json = MODELS[name];
  if (!json) throw new Error(`unknown --model ${name}; one of ${Object.keys(MODELS).join(', ')}`);
  const dir = mkdtempSync(join(flag('--dir', tmpdir()), 'confidant-bench-'));
  try {
    const t0 = performance.now();
    const written = await writeRandomModelFolder(json, dir, { dtype: 'BF16', seed: 1 });
    const writeSeconds = (performance.now() - t0) / 1000;
    const streams = [];
    for (const format of ['stored', 'nf4'] as const) {
      const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, '--child', dir, format], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      streams.push(r.status === 0 ? JSON.parse(r.stdout) : { format, error: `exit ${r.status}` });
    }
    const config = parseModelConfig(json);
    const plan = (weights: WeightFormat) =>
      planMemory({
        config,
        batch: 4,
        seq: 128,
        loraR: 8,
        weights,
        checkpointing: false,
        dp: false,
        deviceBytes: null,
      });
    process.stdout.write(
      `${JSON.stringify(
        {
          model: name,
          parameters: written.parameters,
          fileBytes: written.weightsBytes,
          writeSeconds,
          writeMBps: written.weightsBytes / 2 ** 20 / writeSeconds,
          streams,
          planBatch4Seq128R8: { bf16: plan('bf16').totalBytes, fp32: plan('fp32').totalBytes },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
