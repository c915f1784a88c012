/**
 * Builds the fused WebGPU executor (engine/webgpu) for a loaded model and its LoRA adapter:
 * the frozen weights read once from the model's tensors, the adapter's modules, rank and
 * scale, RoPE's frequencies for the Llama family. When training uses it and why not, is
 * engine/webgpu/executorSupport.ts's answer (also shown by `confidant doctor`).
 */
import type { LoraAdapter } from '../lora/index.js';
import type { CausalLm } from '../model/index.js';
import { inverseFrequencies } from '../model/rope.js';
import { FusedExecutor } from '../engine/webgpu/fusedExecutor.js';
import { newGpuRuntime } from '../engine/webgpu/gpuDevice.js';

export async function fusedExecutorFor(
  model: CausalLm,
  adapter: LoraAdapter,
  shape: { rows: number; maxTime: number },
): Promise<FusedExecutor> {
  const weights = new Map<string, Float32Array>();
  for (const [name, t] of model.weights) weights.set(name, (await t.data()) as Float32Array);
  const c = model.config;
  const rt = await newGpuRuntime();
  const executor = FusedExecutor.create(
    rt,
    { config: c, weights },
    {
      modules: adapter.modules.map((m) => ({
        name: m.module.name,
        inFeatures: m.module.inFeatures,
        outFeatures: m.module.outFeatures,
      })),
      r: adapter.options.r,
      scale: adapter.scale,
    },
    shape,
    c.architecture === 'llama' ? inverseFrequencies(c.headDim, c.ropeTheta, c.ropeScaling) : undefined,
  );
  const params: Float32Array[] = [];
  for (const m of adapter.modules)
    params.push((await m.a.data()) as Float32Array, (await m.b.data()) as Float32Array);
  executor.setParams(params);
  return executor;
}
