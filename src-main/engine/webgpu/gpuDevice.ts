/**
 * Opens a WebGPU device for the fused executor on the adapter the tfjs backend uses
 * (dawn.node: Vulkan, Metal, D3D12; Mesa's OpenGL ES path on headless Linux), with the
 * adapter's own storage limits: a GPT-2-small batch binds buffers far above WebGPU's
 * 128 MiB default.
 */
import { findWebgpuAdapter } from '../webgpuBackend.js';
import { GpuRuntime } from './gpuRuntime.js';

const LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
];

let opened: Promise<GpuRuntime> | undefined;

/** The process's executor device (opened once). */
export function openGpuRuntime(): Promise<GpuRuntime> {
  opened ??= open();
  return opened;
}

async function open(): Promise<GpuRuntime> {
  const { adapter, info } = await findWebgpuAdapter();
  const requiredLimits: Record<string, number> = {};
  for (const name of LIMITS)
    if (adapter.limits[name] !== undefined) requiredLimits[name] = adapter.limits[name];
  const device = (await adapter.requestDevice({ requiredLimits })) as GPUDevice;
  return new GpuRuntime(device, info.description, adapter.features);
}

/** A fresh runtime on the shared device (its buffers are freed by its own dispose). */
export async function newGpuRuntime(): Promise<GpuRuntime> {
  const shared = await openGpuRuntime();
  return new GpuRuntime(shared.device, shared.description, shared.features);
}
