/**
 * The fused WebGPU executor on the benchmark spec of DESIGN.md (random weights, seq 128,
 * LoRA r8 α16 on GPT-2's c_attn or Llama's q_proj/v_proj, AdamW; DP: record-level units,
 * flat clipping C = 1, σ = 1, noise from node:crypto):
 *
 *   node --import tsx bench/gpu.bench.ts --model gpt2-small|llama-1b|tiny --batch N --mode forward|plain|dp|matmul
 *
 * prints one JSON line: model, layers, batch, mode, tokensPerSecond, dispatchesPerStep,
 * readbackBytesPerStep, peakGpuBytes, executor, adapter (and medianMs, steps). Without
 * arguments (as `npm run bench` runs it) it measures the tiny model in every mode and
 * prints {runs: [...]}. Bundles with esbuild into one file that needs only the `webgpu`
 * package beside it (../shared/gpu/prepare.sh). 2 warm-up steps, then ≥ 5 timed ones.
 */
import { parseModelConfig } from '../src-main/model/config.js';
import type { ModelConfig } from '../src-main/model/config.js';
import { weightSpecs } from '../src-main/model/loadModel.js';
import { inverseFrequencies } from '../src-main/model/rope.js';
import { gaussianNoise } from '../src-main/dp/gaussianNoise.js';
import { FusedExecutor } from '../src-main/engine/webgpu/fusedExecutor.js';
import { newGpuRuntime } from '../src-main/engine/webgpu/gpuDevice.js';
import type { GpuRuntime } from '../src-main/engine/webgpu/gpuRuntime.js';
import { matmul, PLAIN } from '../src-main/engine/webgpu/kernels/matmulKernel.js';

const SEQ = 128;
const MODELS: Record<string, Record<string, unknown>> = {
  tiny: { model_type: 'gpt2', vocab_size: 8192, n_positions: SEQ, n_embd: 256, n_layer: 4, n_head: 4 },
  'gpt2-small': {
    model_type: 'gpt2',
    vocab_size: 50257,
    n_positions: 1024,
    n_embd: 768,
    n_layer: 12,
    n_head: 12,
  },
  'llama-1b': {
    model_type: 'llama',
    vocab_size: 128256,
    hidden_size: 2048,
    intermediate_size: 8192,
    num_hidden_layers: 16,
    num_attention_heads: 32,
    num_key_value_heads: 8,
    max_position_embeddings: 2048,
    rms_norm_eps: 1e-5,
    rope_theta: 500000,
    tie_word_embeddings: true,
  },
};

interface Args {
  model: string;
  batch: number;
  mode: 'forward' | 'plain' | 'dp' | 'matmul';
  steps: number;
}

function parseArgs(argv: string[]): Args | undefined {
  if (argv.length === 0) return undefined;
  const get = (flag: string, fallback: string): string => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
  };
  const model = get('--model', 'tiny');
  if (!MODELS[model])
    throw new Error(`--model must be one of ${Object.keys(MODELS).join(', ')} (got ${model})`);
  const mode = get('--mode', 'plain');
  if (!['forward', 'plain', 'dp', 'matmul'].includes(mode))
    throw new Error(`--mode must be forward, plain, dp or matmul (got ${mode})`);
  const batch = Number(get('--batch', '8'));
  if (!Number.isInteger(batch) || batch < 1)
    throw new Error(`--batch must be a positive integer (got ${batch})`);
  return { model, batch, mode: mode as Args['mode'], steps: Math.max(5, Number(get('--steps', '5'))) };
}

/** xorshift128+ → N(0, std²) by Box–Muller: fast seeded weights for a benchmark. */
function fillNormal(out: Float32Array, std: number, seed: number): void {
  let s0 = (seed * 0x9e3779b9) >>> 0 || 1;
  let s1 = (seed * 0x85ebca6b + 0x27d4eb2f) >>> 0 || 2;
  const next = (): number => {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    s1 = x >>> 0;
    return ((s0 + s1) >>> 0) / 4294967296;
  };
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - next())) * std;
    const t = 2 * Math.PI * next();
    out[i] = r * Math.cos(t);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(t);
  }
}

function randomWeights(config: ModelConfig): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  weightSpecs(config).forEach((spec, k) => {
    const data = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    if (spec.init === 'ones') data.fill(1);
    else if (spec.init === 'normal') fillNormal(data, 0.02, k + 1);
    weights.set(spec.name, data);
  });
  return weights;
}

function loraModules(config: ModelConfig): { name: string; inFeatures: number; outFeatures: number }[] {
  const out: { name: string; inFeatures: number; outFeatures: number }[] = [];
  for (let i = 0; i < config.nLayers; i++) {
    if (config.architecture === 'gpt2') {
      out.push({
        name: `transformer.h.${i}.attn.c_attn`,
        inFeatures: config.dModel,
        outFeatures: 3 * config.dModel,
      });
    } else {
      const p = `model.layers.${i}.self_attn`;
      out.push({
        name: `${p}.q_proj`,
        inFeatures: config.dModel,
        outFeatures: config.nHeads * config.headDim,
      });
      out.push({
        name: `${p}.v_proj`,
        inFeatures: config.dModel,
        outFeatures: config.nKvHeads * config.headDim,
      });
    }
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function measureMatmul(rt: GpuRuntime, size: number, iters: number): Promise<number> {
  const a = rt.buffer(size * size, 'mm.a');
  const b = rt.buffer(size * size, 'mm.b');
  const c = rt.buffer(size * size, 'mm.c');
  const d = matmul(
    rt,
    PLAIN,
    { m: size, n: size, k: size, lda: size, ldb: size, ldc: size },
    { a, b, c },
    `mm${size}`,
  );
  const reps = 10;
  const times: number[] = [];
  for (let i = 0; i < iters + 1; i++) {
    const t0 = performance.now();
    rt.run(Array.from({ length: reps }, () => d).flat());
    await rt.finish();
    if (i > 0) times.push((performance.now() - t0) / reps);
  }
  return (2 * size ** 3) / (median(times) / 1000) / 1e9;
}

async function runCase(args: Args): Promise<Record<string, unknown>> {
  const rt = await newGpuRuntime();
  const base = {
    model: args.model,
    batch: args.batch,
    mode: args.mode,
    executor: 'fused',
    adapter: rt.description,
  };
  if (args.mode === 'matmul') {
    const g1024 = await measureMatmul(rt, 1024, args.steps);
    const g4096 = await measureMatmul(rt, rt.description.includes('OpenGL ES') ? 1024 : 4096, args.steps);
    rt.dispose();
    return { ...base, gflops1024: Math.round(g1024), gflops4096: Math.round(g4096) };
  }
  const config = parseModelConfig(MODELS[args.model]!);
  const t0 = performance.now();
  const weights = randomWeights(config);
  const modules = loraModules(config);
  const r = 8;
  const executor = FusedExecutor.create(
    rt,
    { config, weights },
    { modules, r, scale: 16 / r },
    { rows: args.batch, maxTime: SEQ },
    config.architecture === 'llama'
      ? inverseFrequencies(config.headDim, config.ropeTheta, config.ropeScaling)
      : undefined,
  );
  weights.clear();
  executor.setParams(
    modules.flatMap((m, k) => {
      const a = new Float32Array(r * m.inFeatures);
      fillNormal(a, 1 / Math.sqrt(m.inFeatures), 1000 + k);
      const b = new Float32Array(m.outFeatures * r);
      fillNormal(b, 0.01, 2000 + k);
      return [a, b];
    }),
  );
  await rt.finish();
  const setupSeconds = (performance.now() - t0) / 1000;
  const ids = Array.from({ length: args.batch }, (_, b) =>
    Array.from({ length: SEQ }, (_, t) => (b * 7919 + t * 104729) % config.vocabSize),
  );
  const batch = { ids, mask: ids.map((row) => row.map(() => 1)) };
  const sizes = executor.layout.tensors.map((t) => t.length);
  const adam = { lr: 1e-4, beta1: 0.9, beta2: 0.999, weightDecay: 0 };
  let step = 0;
  const once = async (): Promise<void> => {
    step += 1;
    if (args.mode === 'forward') await executor.logProbs(batch);
    else if (args.mode === 'plain') await executor.plainStep([batch], args.batch, adam, step);
    else
      await executor.privateStep({
        batches: [{ batch, slots: ids.map((_, i) => i) }],
        units: args.batch,
        clipNorm: 1,
        clipping: 'flat',
        noiseMultiplier: 1,
        expectedBatchSize: args.batch,
        noise: sizes.map((n) => gaussianNoise(n, 1)),
        adam,
        step,
      });
    await rt.finish();
  };
  await once();
  await once();
  const before = { ...rt.counters };
  const times: number[] = [];
  for (let i = 0; i < args.steps; i++) {
    const s = performance.now();
    await once();
    times.push(performance.now() - s);
  }
  const ms = median(times);
  const result = {
    ...base,
    layers: config.nLayers,
    seq: SEQ,
    tokensPerSecond: Math.round((args.batch * SEQ) / (ms / 1000)),
    medianMs: Number(ms.toFixed(2)),
    steps: args.steps,
    dispatchesPerStep: (rt.counters.dispatches - before.dispatches) / args.steps,
    dispatchesPerLayer: Number(
      ((rt.counters.dispatches - before.dispatches) / args.steps / config.nLayers).toFixed(1),
    ),
    readbackBytesPerStep: (rt.counters.readbackBytes - before.readbackBytes) / args.steps,
    uploadBytesPerStep: (rt.counters.uploadBytes - before.uploadBytes) / args.steps,
    peakGpuBytes: executor.gpuBytes,
    setupSeconds: Number(setupSeconds.toFixed(1)),
  };
  executor.dispose();
  return result;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args) {
    process.stdout.write(`${JSON.stringify(await runCase(args))}\n`);
    return;
  }
  const runs: Record<string, unknown>[] = [];
  for (const mode of ['forward', 'plain', 'dp', 'matmul'] as const) {
    runs.push(await runCase({ model: 'tiny', batch: 2, mode, steps: 5 }));
  }
  process.stdout.write(`${JSON.stringify({ runs })}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stdout.write(
      `${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`,
    );
    process.exit(1);
  },
);
