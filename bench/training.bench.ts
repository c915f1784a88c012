// LoRA training step throughput, non-private vs DP-SGD, on the same backend in the same run
// (issue: DP training benchmark): the bundled demo model and a random-initialised
// GPT-2-small-sized model, sequence 128, batch 8, LoRA rank 8 on attention (c_attn).
// A step is what the trainer does: gradients (summed, or per-example by per-example copies),
// then (DP) per-example clipping, Gaussian noise and the average, then AdamW.
// Reports tokens/s of each, their ratio (target: a DP step costs ≤ 1.3× a non-private
// one), peak RSS of each in its own process (target: DP ≤ 1.5× non-private), and the same
// steps in PyTorch (bench/peers/torch_lora_step.py, 2 threads) as a ratio ours / torch.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../src-main/engine/initBackend';
import { LoraAdapter } from '../src-main/lora/index';
import { loadModel, parseModelConfig, randomModel } from '../src-main/model/index';
import { bundledModelDir } from '../src-main/model/bundledModel';
import { AdamW } from '../src-main/train/adamW';
import { packMicroBatches } from '../src-main/train/microBatches';
import { perExampleGradients, summedGradient } from '../src-main/train/perExampleGradients';
import { privateGradient } from '../src-main/train/privateGradient';

const SEQ = 128;
const BATCH = 8;
const MODELS = {
  bundled: { layers: 4, d: 256, heads: 4, vocab: 4096, iters: 5 },
  'gpt2-small': { layers: 12, d: 768, heads: 12, vocab: 50257, iters: 2 },
} as const;
type ModelName = keyof typeof MODELS;
type Mode = 'plain' | 'dp';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function runCase(name: ModelName, mode: Mode): Promise<Record<string, number | string>> {
  const backend = await initBackend();
  const m = MODELS[name];
  const model =
    name === 'bundled'
      ? (await loadModel(bundledModelDir())).model
      : randomModel(
          parseModelConfig({
            model_type: 'gpt2',
            vocab_size: m.vocab,
            n_positions: SEQ,
            n_embd: m.d,
            n_layer: m.layers,
            n_head: m.heads,
          }),
          1,
        );
  const adapter = LoraAdapter.create(model, { r: 8, alpha: 16, dropout: 0, targetModules: ['c_attn'] }, 0);
  const vars = adapter.trainableVariables;
  const sizes = vars.map((v) => v.size);
  const params = await Promise.all(vars.map(async (v) => ((await v.data()) as Float32Array).slice()));
  const opt = new AdamW({ beta1: 0.9, beta2: 0.999, weightDecay: 0 }, sizes);
  let x = 12345;
  const examples = Array.from({ length: BATCH }, (_, i) => ({
    recordId: i,
    unit: i,
    ids: Array.from({ length: SEQ }, () => (x = (x * 1103515245 + 12345) % 2 ** 31) % m.vocab),
  }));
  const [batch] = packMicroBatches(examples, BATCH);
  const step = async () => {
    let gradient: Float32Array[];
    if (mode === 'dp') {
      const { perRow } = await perExampleGradients(model, adapter, batch!);
      gradient = privateGradient(perRow, sizes, {
        noiseMultiplier: 1,
        clipNorm: 1,
        clipping: 'flat',
        expectedBatchSize: BATCH,
      }).gradient;
    } else {
      const { sum } = await summedGradient(model, adapter, batch!);
      gradient = sum.map((g) => g.map((v) => v / BATCH));
    }
    opt.step(params, gradient, 1e-3);
    adapter.setValues(params);
  };
  await step(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < m.iters; i++) {
    const t0 = performance.now();
    await step();
    times.push((performance.now() - t0) / 1000);
  }
  return {
    backend: backend.name,
    tokensPerSecond: Math.round((BATCH * SEQ) / median(times)),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

const self = fileURLToPath(import.meta.url);
const [, , flag, modelArg, modeArg] = process.argv;
if (flag === '--case') {
  process.stdout.write(JSON.stringify(await runCase(modelArg as ModelName, modeArg as Mode)));
} else {
  const out: Record<string, unknown> = {
    unit: 'tokens/s',
    seq: SEQ,
    batch: BATCH,
    loraRank: 8,
    target: 'c_attn',
  };
  for (const name of Object.keys(MODELS) as ModelName[]) {
    const m = MODELS[name];
    const row: Record<string, unknown> = {};
    for (const mode of ['plain', 'dp'] as const) {
      try {
        row[mode] = JSON.parse(
          execFileSync(process.execPath, ['--import', 'tsx', self, '--case', name, mode], {
            encoding: 'utf8',
            timeout: 1_800_000,
            stdio: ['ignore', 'pipe', 'ignore'],
          }),
        );
      } catch (error) {
        row[mode] = `failed: ${(error as Error).message.split('\n')[0]}`;
      }
      try {
        row[`torch_${mode}`] = JSON.parse(
          execFileSync(
            '/usr/bin/python3',
            [
              fileURLToPath(new URL('./peers/torch_lora_step.py', import.meta.url)),
              ...[m.layers, m.d, m.heads, m.vocab, SEQ, BATCH, m.iters].map(String),
              mode,
            ],
            {
              encoding: 'utf8',
              env: {
                ...process.env,
                OMP_NUM_THREADS: '2',
                OPENBLAS_NUM_THREADS: '2',
                OMP_WAIT_POLICY: 'passive',
              },
            },
          ),
        );
      } catch (error) {
        row[`torch_${mode}`] = `unavailable: ${(error as Error).message.split('\n')[0]}`;
      }
    }
    const plain = row.plain as { tokensPerSecond?: number; peakRssMB?: number };
    const dp = row.dp as { tokensPerSecond?: number; peakRssMB?: number };
    if (plain?.tokensPerSecond && dp?.tokensPerSecond) {
      row.dpStepCostRatio = +(plain.tokensPerSecond / dp.tokensPerSecond).toFixed(3);
      row.dpPeakRssRatio = +(dp.peakRssMB! / plain.peakRssMB!).toFixed(3);
    }
    for (const mode of ['plain', 'dp'] as const) {
      const ours = row[mode] as { tokensPerSecond?: number };
      const torch = row[`torch_${mode}`] as { tokensPerSecond?: number };
      if (ours?.tokensPerSecond && torch?.tokensPerSecond) {
        row[`${mode}VsTorch`] = +(ours.tokensPerSecond / torch.tokensPerSecond).toFixed(3);
      }
    }
    out[name] = row;
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}
