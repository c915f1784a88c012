/**
 * Shared WGSL for one-thread-per-element kernels: a flat index over a 2D grid of
 * 64-thread workgroups (a dimension holds at most 65,535 workgroups).
 */
export const WORKGROUP = 64;
const MAX_DIM = 65535;

/** Workgroups for `threads` threads of a flat kernel. */
export function flatGrid(threads: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(threads / WORKGROUP));
  return groups <= MAX_DIM ? [groups, 1, 1] : [MAX_DIM, Math.ceil(groups / MAX_DIM), 1];
}

/** The WGSL entry point header of a flat kernel; `i` is the element index. */
export const FLAT_ENTRY = `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = (wid.y * ${MAX_DIM}u + wid.x) * ${WORKGROUP}u + lid.x;`;
