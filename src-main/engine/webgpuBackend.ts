/**
 * The `webgpu` tfjs backend on dawn.node (the `webgpu` npm package). Dawn picks Vulkan,
 * Metal or D3D12 on real machines. Where none exists (a headless Linux box), Mesa's
 * OpenGL ES driver is tried next: EGL_PLATFORM=surfaceless, create(['backend=opengles'])
 * and a `compatibility` feature-level adapter. That path is usually Mesa's software
 * rasteriser (llvmpipe), far slower than the CPU backends, so it is marked `software` and
 * only used when asked for by name.
 *
 * tfjs-backend-webgpu's own factory asks for a core adapter only; this module registers a
 * factory that uses the adapter found here instead.
 */
import * as tf from '@tensorflow/tfjs';

export interface WebgpuAdapterInfo {
  /** e.g. "nvidia ampere NVIDIA GeForce RTX 3060 (vulkan)". */
  description: string;
  /** True for the OpenGL ES compatibility path and for software adapters (llvmpipe, SwiftShader, WARP). */
  software: boolean;
}

interface GpuLike {
  requestAdapter(options?: { featureLevel?: string; powerPreference?: string }): Promise<AdapterLike | null>;
}

interface AdapterLike {
  info: {
    vendor?: string;
    architecture?: string;
    description?: string;
    device?: string;
    isFallbackAdapter?: boolean;
  };
  features: ReadonlySet<string>;
  limits: Record<string, number>;
  requestDevice(descriptor?: {
    requiredFeatures?: string[];
    requiredLimits?: Record<string, number>;
  }): Promise<unknown>;
}

const SOFTWARE = /llvmpipe|softpipe|lavapipe|swiftshader|microsoft basic render|warp/i;

/** The limits tfjs-backend-webgpu requests from the adapter (as its own factory does). */
const LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
];

let setup: Promise<WebgpuAdapterInfo> | undefined;

/** Finds an adapter and registers the 'webgpu' tfjs backend on it (once); throws why not. */
export function registerWebgpuBackend(): Promise<WebgpuAdapterInfo> {
  setup ??= findAndRegister();
  return setup;
}

async function findAndRegister(): Promise<WebgpuAdapterInfo> {
  const webgpu = await import('webgpu').catch((error: unknown) => {
    throw new Error(`the webgpu package (dawn.node) did not load: ${messageOf(error)}`, { cause: error });
  });
  Object.assign(globalThis, webgpu.globals);

  let gpu = webgpu.create([]) as unknown as GpuLike;
  let adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  let viaOpenGles = false;
  if (!adapter && process.platform === 'linux') {
    process.env.EGL_PLATFORM ??= 'surfaceless';
    gpu = webgpu.create(['backend=opengles']) as unknown as GpuLike;
    adapter = await gpu.requestAdapter({ featureLevel: 'compatibility' });
    viaOpenGles = adapter !== null;
  }
  if (!adapter) {
    throw new Error(
      'no GPU adapter: install the Vulkan loader and your GPU vendor’s Vulkan driver on Linux ' +
        '(`apt-get install libvulkan1 mesa-vulkan-drivers`); Metal and D3D12 are built into macOS and Windows',
    );
  }

  // tfjs-backend-webgpu checks navigator.gpu when it loads and when a backend is created.
  const nav = ((globalThis as { navigator?: object }).navigator ??= {}) as { gpu?: unknown };
  nav.gpu = gpu;
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  const found = adapter;
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    async () => {
      const requiredLimits: Record<string, number> = {};
      for (const name of LIMITS)
        if (found.limits[name] !== undefined) requiredLimits[name] = found.limits[name];
      const requiredFeatures = found.features.has('timestamp-query') ? ['timestamp-query'] : [];
      const device = await found.requestDevice({ requiredFeatures, requiredLimits });
      return new WebGPUBackend(device as ConstructorParameters<typeof WebGPUBackend>[0], found.info as never);
    },
    3,
  );

  const { vendor, architecture, description, device } = found.info;
  const words = [vendor, architecture, device, description].filter(Boolean).join(' ') || 'GPU';
  const software = viaOpenGles || found.info.isFallbackAdapter === true || SOFTWARE.test(words);
  return {
    description: viaOpenGles ? `${words} (OpenGL ES compatibility mode)` : words,
    software,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
