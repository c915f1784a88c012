/**
 * WGSL for a sum over a 256-thread workgroup (`t` is the thread's local index), shared by
 * the norm and DP kernels, written out inline (a helper function with barriers computed wrong
 * results on Mesa's llvmpipe when called twice), each reduction with its own array.
 */
export function reduceSum(array: string, value: string, result: string): string {
  return `${array}[t] = ${value};
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (t < s) { ${array}[t] = ${array}[t] + ${array}[t + s]; }
    workgroupBarrier();
  }
  let ${result} = ${array}[0];`;
}
