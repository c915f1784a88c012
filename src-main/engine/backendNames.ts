import { ConfidantError } from '../shared/confidantError.js';

/**
 * The tensor backends Confidant can run on, fastest first. The order is the automatic
 * choice: the first available backend wins unless the user asks for one (`--backend`).
 *
 * - tensorflow: libtensorflow through @tensorflow/tfjs-node-gpu or -node (optional; their
 *               install downloads a binary, so they are never required).
 * - webgpu:     dawn.node (`webgpu` package) + @tensorflow/tfjs-backend-webgpu: Vulkan,
 *               Metal or D3D12 on real machines, any GPU vendor, no CUDA install.
 * - native:     the tfjs cpu kernels with matmuls through our N-API addon (native/) and a
 *               system BLAS: OpenBLAS on Linux and Windows, Accelerate on macOS.
 * - wasm:       @tensorflow/tfjs-backend-wasm (XNNPACK), the default CPU backend.
 * - cpu:        the pure-JavaScript fallback, always present, slowest.
 */
export const BACKEND_ORDER = ['tensorflow', 'webgpu', 'native', 'wasm', 'cpu'] as const;

export type BackendName = (typeof BACKEND_ORDER)[number];

export function isBackendName(value: string): value is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(value);
}

/** Parses a user-given backend name (`--backend`), failing with the list of valid names. */
export function parseBackendName(value: string, field = '--backend'): BackendName {
  const name = value.trim().toLowerCase();
  if (isBackendName(name)) return name;
  throw new ConfidantError('backend.unknown', `Unknown backend "${value}".`, {
    where: { field },
    hint: `Use one of ${BACKEND_ORDER.join(', ')}; \`confidant doctor\` shows which work on this machine.`,
  });
}
