/**
 * The tensor backends Confidant can run on, fastest first. The order is the automatic
 * choice: the first available backend wins unless the user asks for one (`--backend`).
 *
 * - tensorflow: libtensorflow through @tensorflow/tfjs-node-gpu or -node (optional; their
 *               install downloads a binary, so they are never required).
 * - webgpu:     dawn.node (`webgpu` package) + @tensorflow/tfjs-backend-webgpu: Vulkan,
 *               Metal or D3D12 on real machines, any GPU vendor, no CUDA install.
 * - wasm:       @tensorflow/tfjs-backend-wasm (XNNPACK), the default CPU backend.
 * - cpu:        the pure-JavaScript fallback, always present, slowest.
 */
export const BACKEND_ORDER = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;

export type BackendName = (typeof BACKEND_ORDER)[number];

export function isBackendName(value: string): value is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(value);
}
