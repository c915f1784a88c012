/**
 * Which path trains: the fused WebGPU executor on the webgpu backend for the architectures
 * it has kernels for (GPT-2, the Llama family) without LoRA dropout; the tfjs reference
 * path everywhere else. The trainer and `confidant doctor` ask the same function.
 */
/** Whether training on `backend` with these options runs on the fused executor, and why not. */
export function fusedExecutorSupport(
  backend: string,
  options: { architecture: string; loraDropout: number },
): { fused: boolean; reason: string } {
  if (backend !== 'webgpu')
    return {
      fused: false,
      reason: `the ${backend} backend runs the tfjs reference path (the fused executor is WebGPU-only)`,
    };
  if (options.architecture !== 'gpt2' && options.architecture !== 'llama')
    return { fused: false, reason: `no fused kernels for the ${options.architecture} architecture` };
  if (options.loraDropout > 0)
    return { fused: false, reason: 'LoRA dropout > 0 is only implemented on the tfjs path' };
  return { fused: true, reason: 'webgpu backend, GPT-2/Llama architecture: fused WebGPU executor' };
}
