// A small pool of worker threads for the addon's memory-bound loops (elementwise, rows,
// reductions, transposes). BLAS calls use the BLAS's own pool; both run one after the
// other from the single JavaScript thread, never at the same time, so the machine's cores
// are not oversubscribed. The pool's size follows setThreads (the caller's thread count).
#pragma once

#include <cstdint>
#include <functional>

namespace confidant {

/** Threads ParallelFor may use, the calling thread included (>= 1). */
int PoolThreads();
void SetPoolThreads(int threads);

/**
 * Calls body(begin, end) on disjoint ranges covering [0, n), in parallel when n is at least
 * 2 * grain (grain: the smallest range worth a thread). Returns when every range is done.
 */
void ParallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body);

}  // namespace confidant
