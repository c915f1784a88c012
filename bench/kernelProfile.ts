// Kernel-level profile of one LoRA training step (non-private or DP) on the `native`
// backend: every kernel registered for the backend is wrapped with a timer, and the
// totals per kernel name (ms, calls) are printed as ONE JSON object, largest first.
// Nested kernel calls (e.g. _FusedMatMul calling Add) are counted in both.
// Usage: node --import tsx bench/kernelProfile.ts [bundled|gpt2-small] [plain|dp]
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/engine/initBackend';
import { float32PoolOf } from '../src-main/engine/nativeBufferPool';
import { LoraAdapter } from '../src-main/lora/index';
import { loadModel, parseModelConfig, randomModel } from '../src-main/model/index';
import { bundledModelDir } from '../src-main/model/bundledModel';
import { packMicroBatches } from '../src-main/train/microBatches';
import { perExampleGradients, summedGradient } from '../src-main/train/perExampleGradients';

const SEQ = 128;
const BATCH = Number(process.env.PROFILE_BATCH ?? 8);
const [, , modelArg = 'bundled', modeArg = 'plain'] = process.argv;

const backend = await initBackend('native');
if (process.env.PROFILE_POOL_THREADS) {
  const { loadNativeAddon } = await import('../src-main/engine/nativeAddon');
  const status = loadNativeAddon();
  if (status.available) {
    (status.addon as unknown as { setPoolThreads(n: number): void }).setPoolThreads(
      Number(process.env.PROFILE_POOL_THREADS),
    );
  }
}
const totals = new Map<string, { ms: number; calls: number }>();
const detailed = new Map<string, { ms: number; calls: number }>();
const DETAIL = process.env.PROFILE_DETAIL === '1';
for (const config of tf.getKernelsForBackend(backend.name)) {
  const inner = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel({
    ...config,
    kernelFunc: (args) => {
      const t0 = performance.now();
      const out = inner(args);
      const entry = totals.get(config.kernelName) ?? { ms: 0, calls: 0 };
      entry.ms += performance.now() - t0;
      entry.calls += 1;
      totals.set(config.kernelName, entry);
      if (DETAIL) {
        const key = `${config.kernelName} ${Object.values(args.inputs)
          .map((t) => (t ? `${t.dtype}[${t.shape.join(',')}]` : '-'))
          .join(' ')} ${JSON.stringify(args.attrs ?? {}).slice(0, 60)}`;
        const d = detailed.get(key) ?? { ms: 0, calls: 0 };
        d.ms += performance.now() - t0;
        d.calls += 1;
        detailed.set(key, d);
      }
      return out;
    },
  });
}
const vocab = modelArg === 'bundled' ? 4096 : 50257;
const model =
  modelArg === 'bundled'
    ? (await loadModel(bundledModelDir())).model
    : randomModel(
        parseModelConfig({
          model_type: 'gpt2',
          vocab_size: vocab,
          n_positions: SEQ,
          n_embd: 768,
          n_layer: 12,
          n_head: 12,
        }),
        1,
      );
const adapter = LoraAdapter.create(model, { r: 8, alpha: 16, dropout: 0, targetModules: ['c_attn'] }, 0);
let x = 12345;
const examples = Array.from({ length: BATCH }, (_, i) => ({
  recordId: i,
  unit: i,
  ids: Array.from({ length: SEQ }, () => (x = (x * 1103515245 + 12345) % 2 ** 31) % vocab),
}));
const [batch] = packMicroBatches(examples, BATCH);
const step = async () =>
  modeArg === 'dp' ? perExampleGradients(model, adapter, batch!) : summedGradient(model, adapter, batch!);
await step(); // warm-up
totals.clear();
detailed.clear();
const t0 = performance.now();
await step();
const stepMs = performance.now() - t0;
const pool = float32PoolOf(tf.backend());
const kernelMs = [...totals.values()].reduce((s, e) => s + e.ms, 0);
process.stdout.write(
  `${JSON.stringify(
    {
      model: modelArg,
      mode: modeArg,
      stepMs: Math.round(stepMs),
      kernelMsWithNesting: Math.round(kernelMs),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      ...(pool
        ? {
            poolReused: pool.reused,
            poolAllocated: pool.allocated,
            poolHeldMB: Math.round(pool.pooledElements / 262144),
          }
        : {}),
      kernels: Object.fromEntries(
        [...totals.entries()]
          .sort((a, b) => b[1].ms - a[1].ms)
          .map(([k, e]) => [k, { ms: Math.round(e.ms * 10) / 10, calls: e.calls }]),
      ),
      ...(DETAIL
        ? {
            detail: [...detailed.entries()]
              .sort((a, b) => b[1].ms - a[1].ms)
              .slice(0, 40)
              .map(([k, e]) => `${(Math.round(e.ms * 10) / 10).toFixed(1)} ms ×${e.calls} ${k}`),
          }
        : {}),
    },
    null,
    1,
  )}\n`,
);
