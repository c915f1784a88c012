// Model forward and scoring throughput (tokens/s) on the native, wasm and cpu backends, for the
// `tiny` GPT-2 (4 layers, d 256, 4 heads, vocab 8192) and a random GPT-2-small (12 layers,
// d 768, 12 heads, vocab 50257), at sequence 128 and batch 8 (DESIGN.md's reference
// workload), with peak RSS; and the same forward in PyTorch (bench/peers/torch_forward.py,
// 2 threads) run by this file, reported as a ratio ours / torch.
// Each case runs in its own child process so its peak RSS is its own.
// The pure-JS cpu backend runs GPT-2-small at batch 1 (batch 8 takes many minutes);
// BENCH_FULL=1 runs it at batch 8 too.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/engine/initBackend';
import { parseModelConfig, randomModel, scoreTokenSequences } from '../src-main/model/index';

const SIZES = {
  tiny: { layers: 4, d: 256, heads: 4, vocab: 8192 },
  'gpt2-small': { layers: 12, d: 768, heads: 12, vocab: 50257 },
} as const;
type SizeName = keyof typeof SIZES;
const SEQ = 128;

interface CaseResult {
  batch: number;
  forwardTokensPerSecond: number;
  scoringTokensPerSecond: number;
  peakRssMB: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function runCase(
  backend: 'native' | 'wasm' | 'cpu',
  size: SizeName,
  batch: number,
  iters: number,
): Promise<CaseResult> {
  await initBackend(backend);
  const s = SIZES[size];
  const config = parseModelConfig({
    model_type: 'gpt2',
    vocab_size: s.vocab,
    n_positions: SEQ,
    n_embd: s.d,
    n_layer: s.layers,
    n_head: s.heads,
  });
  const model = randomModel(config, 1);
  const ids: number[][] = [];
  let x = 12345;
  for (let b = 0; b < batch; b++) {
    const row: number[] = [];
    for (let t = 0; t < SEQ; t++) row.push((x = (x * 1103515245 + 12345) % 2 ** 31) % s.vocab);
    ids.push(row);
  }
  const forwardOnce = async () => {
    const input = tf.tensor2d(ids, [batch, SEQ], 'int32');
    const logits = model.forward(input);
    await logits.data();
    tf.dispose([input, logits]);
  };
  const scoreOnce = async () => {
    await scoreTokenSequences(model, ids, { batchSize: batch });
  };
  const measure = async (fn: () => Promise<void>) => {
    if (backend !== 'cpu') await fn(); // warm-up (skipped on the slow pure-JS backend)
    const times: number[] = [];
    for (let i = 0; i < iters; i++) {
      const t0 = performance.now();
      await fn();
      times.push((performance.now() - t0) / 1000);
    }
    return median(times);
  };
  const forwardS = await measure(forwardOnce);
  const scoreS = await measure(scoreOnce);
  model.dispose();
  return {
    batch,
    forwardTokensPerSecond: Math.round((batch * SEQ) / forwardS),
    scoringTokensPerSecond: Math.round((batch * (SEQ - 1)) / scoreS),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

const self = fileURLToPath(import.meta.url);
const [, , mode, backendArg, sizeArg, batchArg, itersArg] = process.argv;

if (mode === '--case') {
  const result = await runCase(
    backendArg as 'native' | 'wasm' | 'cpu',
    sizeArg as SizeName,
    Number(batchArg),
    Number(itersArg),
  );
  process.stdout.write(JSON.stringify(result));
} else {
  const full = process.env.BENCH_FULL === '1';
  const out: Record<string, unknown> = { unit: 'tokens/s', seq: SEQ };
  for (const size of Object.keys(SIZES) as SizeName[]) {
    const s = SIZES[size];
    const row: Record<string, unknown> = {};
    const torchArgs = [s.layers, s.d, s.heads, s.vocab, SEQ, 8, size === 'tiny' ? 5 : 3].map(String);
    let torch: { forwardTokensPerSecond: number; scoringTokensPerSecond: number } | null = null;
    try {
      torch = JSON.parse(
        execFileSync(
          '/usr/bin/python3',
          [fileURLToPath(new URL('./peers/torch_forward.py', import.meta.url)), ...torchArgs],
          {
            env: {
              ...process.env,
              OMP_NUM_THREADS: '2',
              OPENBLAS_NUM_THREADS: '2',
              OMP_WAIT_POLICY: 'passive',
            },
            encoding: 'utf8',
          },
        ),
      );
      row.torch = torch;
    } catch (error) {
      row.torch = `unavailable: ${(error as Error).message.split('\n')[0]}`;
    }
    for (const backend of ['native', 'wasm', 'cpu'] as const) {
      const batch = backend === 'cpu' && size === 'gpt2-small' && !full ? 1 : 8;
      const iters = backend === 'cpu' ? 1 : size === 'tiny' ? 5 : 2;
      try {
        const r = JSON.parse(
          execFileSync(
            process.execPath,
            ['--import', 'tsx', self, '--case', backend, size, String(batch), String(iters)],
            {
              encoding: 'utf8',
              maxBuffer: 1 << 20,
              timeout: 1_200_000, // a hung backend must not hang the benchmark
            },
          ),
        ) as CaseResult;
        row[backend] = {
          ...r,
          ...(torch
            ? {
                forwardVsTorch:
                  Math.round((r.forwardTokensPerSecond / torch.forwardTokensPerSecond) * 1000) / 1000,
                scoringVsTorch:
                  Math.round((r.scoringTokensPerSecond / torch.scoringTokensPerSecond) * 1000) / 1000,
              }
            : {}),
        };
      } catch (error) {
        row[backend] = `failed: ${(error as Error).message.split('\n')[0]}`;
      }
    }
    out[size] = row;
  }
  process.stdout.write(JSON.stringify(out));
}
