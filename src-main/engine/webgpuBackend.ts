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

export interface GpuLike {
  requestAdapter(options?: { featureLevel?: string; powerPreference?: string }): Promise<AdapterLike | null>;
}

export interface AdapterLike {
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

/** A GPU adapter as dawn.node finds it, with the words that describe it. */
export interface FoundAdapter {
  readonly gpu: GpuLike;
  readonly adapter: AdapterLike;
  readonly info: WebgpuAdapterInfo;
}

let adapterSearch: Promise<FoundAdapter> | undefined;

/**
 * Finds the best adapter (once per process): the platform's native API first, then, on
 * Linux without one, Mesa's OpenGL ES compatibility path. Throws why there is none.
 */
export function findWebgpuAdapter(): Promise<FoundAdapter> {
  adapterSearch ??= searchAdapter();
  return adapterSearch;
}

async function searchAdapter(): Promise<FoundAdapter> {
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
  const { vendor, architecture, description, device } = adapter.info;
  const words = [vendor, architecture, device, description].filter(Boolean).join(' ') || 'GPU';
  const software = viaOpenGles || adapter.info.isFallbackAdapter === true || SOFTWARE.test(words);
  return {
    gpu,
    adapter,
    info: {
      description: viaOpenGles ? `${words} (OpenGL ES compatibility mode)` : words,
      software,
    },
  };
}

async function findAndRegister(): Promise<WebgpuAdapterInfo> {
  const { gpu, adapter, info } = await findWebgpuAdapter();

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

  return info;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
