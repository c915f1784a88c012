// Row and data-movement kernels of the `native` backend over float32 arrays: softmax along
// the last axis, reductions (sum, mean, max, min) over one contiguous run of axes, transpose
// by any permutation (cache-blocked when the innermost axis moves), and gather along an
// axis. Each splits its outer loop across the addon's thread pool when large enough.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "elementwise.h"
#include "napi_args.h"
#include "thread_pool.h"
#include "vector_math.h"

namespace confidant {
namespace {

constexpr int64_t kGrain = 1 << 15;

int64_t GrainRows(int64_t row_length) {
  return row_length >= kGrain ? 1 : kGrain / std::max<int64_t>(1, row_length);
}

// Sum of a contiguous run in double, four partial sums so the adds overlap.
double SumRun(const float* x, int64_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t j = 0;
  for (; j + 4 <= n; j += 4) {
    s0 += x[j];
    s1 += x[j + 1];
    s2 += x[j + 2];
    s3 += x[j + 3];
  }
  for (; j < n; ++j) s0 += x[j];
  return (s0 + s1) + (s2 + s3);
}

CONFIDANT_VECTOR_CLONES void SoftmaxRow(const float* x, float* o, int64_t n) {
  float max = -INFINITY;
  bool nan = false;
  for (int64_t j = 0; j < n; ++j) {
    max = x[j] > max ? x[j] : max;
    nan |= x[j] != x[j];
  }
  if (nan || max == INFINITY) {  // as exp(x - max) / Σ would: NaN everywhere
    for (int64_t j = 0; j < n; ++j) o[j] = NAN;
    return;
  }
  // exp first (a loop the compiler vectorises), then the sum: a float64 sum inside the
  // same loop would keep it scalar.
  for (int64_t j = 0; j < n; ++j) o[j] = ExpF(x[j] - max);
  const double sum = SumRun(o, n);
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t j = 0; j < n; ++j) o[j] *= inv;
}

float MaxRun(const float* x, int64_t n, bool is_max) {
  float m = is_max ? -INFINITY : INFINITY;
  bool nan = false;
  for (int64_t j = 0; j < n; ++j) {
    m = is_max ? (x[j] > m ? x[j] : m) : (x[j] < m ? x[j] : m);
    nan |= x[j] != x[j];
  }
  return nan ? NAN : m;
}

}  // namespace

// softmax(x, out, n): each row of n elements of x → exp(x − max) / Σ exp(x − max).
napi_value Softmax(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  TypedView x, out;
  int64_t n = 0;
  if (!GetArgs(env, info, 3, argv, "softmax") ||
      !GetTypedArray(env, argv[0], napi_float32_array, "x", &x) ||
      !GetTypedArray(env, argv[1], napi_float32_array, "out", &out) ||
      !GetInt64(env, argv[2], "n", &n)) {
    return nullptr;
  }
  if (out.length != x.length || (n == 0 ? x.length != 0 : x.length % n != 0)) {
    napi_throw_range_error(env, nullptr, "softmax: x, out and the row length do not match");
    return nullptr;
  }
  if (n == 0) return nullptr;
  const float* px = static_cast<const float*>(x.data);
  float* po = static_cast<float*>(out.data);
  ParallelFor(static_cast<int64_t>(x.length) / n, GrainRows(n), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) SoftmaxRow(px + r * n, po + r * n, n);
  });
  return nullptr;
}

// reduce(op, x, out, outer, size, inner): x viewed as [outer, size, inner] is reduced over
// its middle axis into out [outer, inner]; op 0 sum, 1 mean, 2 max, 3 min. Sums accumulate
// in double. An empty middle axis gives 0 (sum), NaN (mean), −inf (max), +inf (min).
napi_value Reduce(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  TypedView x, out;
  int64_t op = 0, outer = 0, size = 0, inner = 0;
  if (!GetArgs(env, info, 6, argv, "reduce") || !GetInt64(env, argv[0], "op", &op) ||
      !GetTypedArray(env, argv[1], napi_float32_array, "x", &x) ||
      !GetTypedArray(env, argv[2], napi_float32_array, "out", &out) ||
      !GetInt64(env, argv[3], "outer", &outer) || !GetInt64(env, argv[4], "size", &size) ||
      !GetInt64(env, argv[5], "inner", &inner)) {
    return nullptr;
  }
  if (op > 3) {
    napi_throw_range_error(env, nullptr, "reduce: unknown op");
    return nullptr;
  }
  if (static_cast<uint64_t>(outer) * size * inner != x.length ||
      static_cast<uint64_t>(outer) * inner != out.length) {
    napi_throw_range_error(env, nullptr, "reduce: shapes and arrays do not match");
    return nullptr;
  }
  const float* px = static_cast<const float*>(x.data);
  float* po = static_cast<float*>(out.data);
  const bool is_sum = op <= 1;
  const double scale = op == 1 ? 1.0 / static_cast<double>(size) : 1.0;
  if (inner == 1) {
    ParallelFor(outer, GrainRows(size), [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const float* row = px + r * size;
        po[r] = is_sum ? static_cast<float>(size == 0 && op == 1 ? NAN : SumRun(row, size) * scale)
                       : MaxRun(row, size, op == 2);
      }
    });
    return nullptr;
  }
  // inner > 1: each outer block accumulates its size rows elementwise over inner columns;
  // the work is split over (outer block, column range) pairs.
  const int64_t col_chunk = std::max<int64_t>(64, std::min<int64_t>(inner, 4096));
  const int64_t chunks = (inner + col_chunk - 1) / col_chunk;
  ParallelFor(outer * chunks, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, size * col_chunk)),
              [&](int64_t begin, int64_t end) {
                std::vector<double> acc;
                for (int64_t u = begin; u < end; ++u) {
                  const int64_t o = u / chunks;
                  const int64_t c0 = (u % chunks) * col_chunk;
                  const int64_t w = std::min(col_chunk, inner - c0);
                  const float* base = px + o * size * inner + c0;
                  float* dst = po + o * inner + c0;
                  if (is_sum) {
                    acc.assign(w, 0.0);
                    for (int64_t s = 0; s < size; ++s) {
                      const float* row = base + s * inner;
                      for (int64_t j = 0; j < w; ++j) acc[j] += row[j];
                    }
                    for (int64_t j = 0; j < w; ++j) {
                      dst[j] = static_cast<float>(size == 0 && op == 1 ? NAN : acc[j] * scale);
                    }
                  } else {
                    const bool is_max = op == 2;
                    for (int64_t j = 0; j < w; ++j) dst[j] = is_max ? -INFINITY : INFINITY;
                    for (int64_t s = 0; s < size; ++s) {
                      const float* row = base + s * inner;
                      for (int64_t j = 0; j < w; ++j) {
                        const float v = row[j];
                        const float m = dst[j];
                        dst[j] = (v != v || m != m) ? NAN
                                 : is_max           ? (v > m ? v : m)
                                                    : (v < m ? v : m);
                      }
                    }
                  }
                }
              });
  return nullptr;
}

// transpose(x, out, inShape, perm): out = x with its axes permuted (out axis d is input axis
// perm[d]), as tf.transpose.
napi_value Transpose(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  TypedView x, out;
  std::vector<int64_t> shape, perm;
  if (!GetArgs(env, info, 4, argv, "transpose") ||
      !GetTypedArray(env, argv[0], napi_float32_array, "x", &x) ||
      !GetTypedArray(env, argv[1], napi_float32_array, "out", &out) ||
      !GetShape(env, argv[2], "inShape", &shape) || !GetShape(env, argv[3], "perm", &perm)) {
    return nullptr;
  }
  const int64_t rank = static_cast<int64_t>(shape.size());
  bool ok = static_cast<int64_t>(perm.size()) == rank;
  std::vector<bool> seen(rank, false);
  uint64_t total = 1;
  for (int64_t d = 0; ok && d < rank; ++d) {
    if (perm[d] >= rank || seen[perm[d]]) ok = false;
    else seen[perm[d]] = true;
    total *= shape[d];
  }
  if (!ok || total != x.length || out.length != x.length) {
    napi_throw_range_error(env, nullptr, "transpose: shape, permutation and arrays do not match");
    return nullptr;
  }
  if (total == 0) return nullptr;
  const float* px = static_cast<const float*>(x.data);
  float* po = static_cast<float*>(out.data);
  if (rank == 0) {
    po[0] = px[0];
    return nullptr;
  }
  std::vector<int64_t> in_strides(rank, 1), out_shape(rank), s(rank), out_strides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d) in_strides[d] = in_strides[d + 1] * shape[d + 1];
  for (int64_t d = 0; d < rank; ++d) {
    out_shape[d] = shape[perm[d]];
    s[d] = in_strides[perm[d]];
  }
  for (int64_t d = rank - 2; d >= 0; --d) out_strides[d] = out_strides[d + 1] * out_shape[d + 1];
  const int64_t last = rank - 1;
  if (perm[last] == last) {
    // The innermost axis stays: row copies.
    const int64_t n = out_shape[last];
    const int64_t rows = static_cast<int64_t>(total) / n;
    ParallelFor(rows, GrainRows(n), [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        int64_t rest = r, src = 0;
        for (int64_t d = last - 1; d >= 0; --d) {
          src += (rest % out_shape[d]) * s[d];
          rest /= out_shape[d];
        }
        std::memcpy(po + r * n, px + src, sizeof(float) * n);
      }
    });
    return nullptr;
  }
  // The input's innermost axis lands at output axis p: transpose 32×32 tiles of the
  // (p, last) plane so reads and writes both stay in cache, for every position of the
  // other axes.
  int64_t p = 0;
  while (perm[p] != last) ++p;
  const int64_t np = out_shape[p], nq = out_shape[last];
  const int64_t sq = s[last], op_stride = out_strides[p];
  constexpr int64_t kTile = 32;
  const int64_t p_tiles = (np + kTile - 1) / kTile;
  const int64_t planes = static_cast<int64_t>(total) / (np * nq);
  ParallelFor(planes * p_tiles, std::max<int64_t>(1, kGrain / (kTile * nq)),
              [&](int64_t begin, int64_t end) {
                for (int64_t u = begin; u < end; ++u) {
                  int64_t rest = u / p_tiles, src = 0, dst = 0;
                  for (int64_t d = last - 1; d >= 0; --d) {
                    if (d == p) continue;
                    const int64_t i = rest % out_shape[d];
                    rest /= out_shape[d];
                    src += i * s[d];
                    dst += i * out_strides[d];
                  }
                  const int64_t p0 = (u % p_tiles) * kTile;
                  const int64_t p1 = std::min(np, p0 + kTile);
                  for (int64_t q0 = 0; q0 < nq; q0 += kTile) {
                    const int64_t q1 = std::min(nq, q0 + kTile);
                    for (int64_t ip = p0; ip < p1; ++ip) {
                      const float* in = px + src + ip;  // input stride along p is 1
                      float* o = po + dst + ip * op_stride;
                      for (int64_t iq = q0; iq < q1; ++iq) o[iq] = in[iq * sq];
                    }
                  }
                }
              });
  return nullptr;
}

// gather(x, indices, out, outer, axisSize, inner): x viewed as [outer, axisSize, inner],
// out [outer, indices.length, inner] = x[:, indices[i], :]. Indices (Int32Array) outside
// [0, axisSize) throw a RangeError naming the first one, as the tfjs cpu kernel does.
napi_value Gather(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  TypedView x, idx, out;
  int64_t outer = 0, axis_size = 0, inner = 0;
  if (!GetArgs(env, info, 6, argv, "gather") ||
      !GetTypedArray(env, argv[0], napi_float32_array, "x", &x) ||
      !GetTypedArray(env, argv[1], napi_int32_array, "indices", &idx) ||
      !GetTypedArray(env, argv[2], napi_float32_array, "out", &out) ||
      !GetInt64(env, argv[3], "outer", &outer) || !GetInt64(env, argv[4], "axisSize", &axis_size) ||
      !GetInt64(env, argv[5], "inner", &inner)) {
    return nullptr;
  }
  const int64_t count = static_cast<int64_t>(idx.length);
  if (static_cast<uint64_t>(outer) * axis_size * inner != x.length ||
      static_cast<uint64_t>(outer) * count * inner != out.length) {
    napi_throw_range_error(env, nullptr, "gather: shapes and arrays do not match");
    return nullptr;
  }
  const int32_t* pi = static_cast<const int32_t*>(idx.data);
  for (int64_t i = 0; i < count; ++i) {
    if (pi[i] < 0 || pi[i] >= axis_size) {
      std::string msg = "GatherV2: the index value " + std::to_string(pi[i]) +
                        " is not in [0, " + std::to_string(axis_size - 1) + "]";
      napi_throw_range_error(env, nullptr, msg.c_str());
      return nullptr;
    }
  }
  const float* px = static_cast<const float*>(x.data);
  float* po = static_cast<float*>(out.data);
  ParallelFor(outer * count, GrainRows(inner), [&](int64_t begin, int64_t end) {
    for (int64_t u = begin; u < end; ++u) {
      const int64_t o = u / count, i = u % count;
      const float* src = px + (o * axis_size + pi[i]) * inner;
      float* dst = po + u * inner;
      if (inner == 1) *dst = *src;
      else std::memcpy(dst, src, sizeof(float) * inner);
    }
  });
  return nullptr;
}

}  // namespace confidant

namespace confidant {

// layerNorm(x, gamma, beta, out, n, eps): each row of n elements of x →
// (x − mean) / sqrt(var + eps) · gamma + beta, mean and (population) variance in double
// (Ba, Kiros & Hinton 2016, "Layer Normalization").
napi_value LayerNorm(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  TypedView x, gamma, beta, out;
  int64_t n = 0;
  double eps = 0;
  if (!GetArgs(env, info, 6, argv, "layerNorm") ||
      !GetTypedArray(env, argv[0], napi_float32_array, "x", &x) ||
      !GetTypedArray(env, argv[1], napi_float32_array, "gamma", &gamma) ||
      !GetTypedArray(env, argv[2], napi_float32_array, "beta", &beta) ||
      !GetTypedArray(env, argv[3], napi_float32_array, "out", &out) ||
      !GetInt64(env, argv[4], "n", &n) || napi_get_value_double(env, argv[5], &eps) != napi_ok) {
    return nullptr;
  }
  if (n == 0 || x.length % n != 0 || out.length != x.length ||
      gamma.length != static_cast<size_t>(n) || beta.length != static_cast<size_t>(n)) {
    napi_throw_range_error(env, nullptr, "layerNorm: shapes and arrays do not match");
    return nullptr;
  }
  const float* px = static_cast<const float*>(x.data);
  const float* pg = static_cast<const float*>(gamma.data);
  const float* pb = static_cast<const float*>(beta.data);
  float* po = static_cast<float*>(out.data);
  ParallelFor(static_cast<int64_t>(x.length) / n, GrainRows(n), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* row = px + r * n;
      float* o = po + r * n;
      const double mean = SumRun(row, n) / static_cast<double>(n);
      double var = 0;
      for (int64_t j = 0; j < n; ++j) var += (row[j] - mean) * (row[j] - mean);
      const double rstd = 1.0 / std::sqrt(var / static_cast<double>(n) + eps);
      for (int64_t j = 0; j < n; ++j) {
        o[j] = static_cast<float>((row[j] - mean) * rstd * pg[j] + pb[j]);
      }
    }
  });
  return nullptr;
}

// layerNormGrad(x, gamma, dy, dx, dgamma, dbeta, n, eps): gradients of layerNorm. With
// x̂ = (x − mean)·rstd and g = dy·gamma: dx = rstd · (g − mean(g) − x̂ · mean(g·x̂)) per
// row; dgamma = Σ_rows dy·x̂, dbeta = Σ_rows dy (accumulated in double).
napi_value LayerNormGrad(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  TypedView x, gamma, dy, dx, dgamma, dbeta;
  int64_t n = 0;
  double eps = 0;
  if (!GetArgs(env, info, 8, argv, "layerNormGrad") ||
      !GetTypedArray(env, argv[0], napi_float32_array, "x", &x) ||
      !GetTypedArray(env, argv[1], napi_float32_array, "gamma", &gamma) ||
      !GetTypedArray(env, argv[2], napi_float32_array, "dy", &dy) ||
      !GetTypedArray(env, argv[3], napi_float32_array, "dx", &dx) ||
      !GetTypedArray(env, argv[4], napi_float32_array, "dgamma", &dgamma) ||
      !GetTypedArray(env, argv[5], napi_float32_array, "dbeta", &dbeta) ||
      !GetInt64(env, argv[6], "n", &n) || napi_get_value_double(env, argv[7], &eps) != napi_ok) {
    return nullptr;
  }
  const size_t un = static_cast<size_t>(n);
  if (n == 0 || x.length % n != 0 || dy.length != x.length || dx.length != x.length ||
      gamma.length != un || dgamma.length != un || dbeta.length != un) {
    napi_throw_range_error(env, nullptr, "layerNormGrad: shapes and arrays do not match");
    return nullptr;
  }
  const float* px = static_cast<const float*>(x.data);
  const float* pg = static_cast<const float*>(gamma.data);
  const float* pdy = static_cast<const float*>(dy.data);
  float* pdx = static_cast<float*>(dx.data);
  const int64_t rows = static_cast<int64_t>(x.length) / n;
  // Per-range partial sums of dgamma and dbeta, added up after the parallel pass.
  const int parts = std::max(1, PoolThreads());
  std::vector<double> partial(static_cast<size_t>(parts) * 2 * un, 0.0);
  const int64_t chunk = (rows + parts - 1) / parts;
  ParallelFor(parts, 1, [&](int64_t pbegin, int64_t pend) {
    std::vector<double> xhat(un);
    for (int64_t part = pbegin; part < pend; ++part) {
      double* dgam = partial.data() + static_cast<size_t>(part) * 2 * un;
      double* dbet = dgam + un;
      const int64_t r1 = std::min(rows, (part + 1) * chunk);
      for (int64_t r = part * chunk; r < r1; ++r) {
        const float* row = px + r * n;
        const float* d = pdy + r * n;
        const double mean = SumRun(row, n) / static_cast<double>(n);
        double var = 0;
        for (int64_t j = 0; j < n; ++j) var += (row[j] - mean) * (row[j] - mean);
        const double rstd = 1.0 / std::sqrt(var / static_cast<double>(n) + eps);
        double sum_g = 0, sum_gx = 0;
        for (int64_t j = 0; j < n; ++j) {
          xhat[j] = (row[j] - mean) * rstd;
          const double g = static_cast<double>(d[j]) * pg[j];
          sum_g += g;
          sum_gx += g * xhat[j];
          dgam[j] += static_cast<double>(d[j]) * xhat[j];
          dbet[j] += d[j];
        }
        const double mg = sum_g / static_cast<double>(n), mgx = sum_gx / static_cast<double>(n);
        float* o = pdx + r * n;
        for (int64_t j = 0; j < n; ++j) {
          o[j] = static_cast<float>(rstd * (static_cast<double>(d[j]) * pg[j] - mg - xhat[j] * mgx));
        }
      }
    }
  });
  float* pdg = static_cast<float*>(dgamma.data);
  float* pdb = static_cast<float*>(dbeta.data);
  for (size_t j = 0; j < un; ++j) {
    double g = 0, b = 0;
    for (int part = 0; part < parts; ++part) {
      g += partial[static_cast<size_t>(part) * 2 * un + j];
      b += partial[static_cast<size_t>(part) * 2 * un + un + j];
    }
    pdg[j] = static_cast<float>(g);
    pdb[j] = static_cast<float>(b);
  }
  return nullptr;
}

}  // namespace confidant

namespace confidant {
namespace {

CONFIDANT_VECTOR_CLONES void ExpShifted(const float* x, float* o, int64_t n, float shift) {
  for (int64_t j = 0; j < n; ++j) o[j] = ExpF(x[j] - shift);
}

// Max and log Σ exp(x − max) of a row, in double; NaN when the row holds a NaN.
void RowLogSumExp(const float* row, int64_t n, float* max_out, double* log_sum_out) {
  float max = -INFINITY;
  bool nan = false;
  for (int64_t j = 0; j < n; ++j) {
    max = row[j] > max ? row[j] : max;
    nan |= row[j] != row[j];
  }
  if (nan || max == INFINITY || max == -INFINITY) {
    *max_out = nan || max == INFINITY ? NAN : max;
    *log_sum_out = nan || max == INFINITY ? NAN : INFINITY;
    return;
  }
  // exp into a small buffer (vectorised), then the float64 sum, chunk by chunk
  constexpr int64_t kChunk = 1024;
  float buffer[kChunk];
  double sum = 0;
  for (int64_t j0 = 0; j0 < n; j0 += kChunk) {
    const int64_t w = std::min(kChunk, n - j0);
    ExpShifted(row + j0, buffer, w, max);
    sum += SumRun(buffer, w);
  }
  *max_out = max;
  *log_sum_out = std::log(sum);
}

bool CheckLogProbArgs(napi_env env, const TypedView& x, const TypedView& targets, int64_t n) {
  if (n == 0 || x.length % n != 0 || targets.length != x.length / n) {
    napi_throw_range_error(env, nullptr, "logProbRows: shapes and arrays do not match");
    return false;
  }
  const int32_t* t = static_cast<const int32_t*>(targets.data);
  for (size_t i = 0; i < targets.length; ++i) {
    if (t[i] < 0 || t[i] >= n) {
      std::string msg = "logProbRows: target " + std::to_string(t[i]) + " is not in [0, " +
                        std::to_string(n - 1) + "]";
      napi_throw_range_error(env, nullptr, msg.c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

// logProbRows(x, targets, out, n): x [rows, n] logits, targets (Int32Array) [rows];
// out[r] = x[r, targets[r]] − log Σ_j exp(x[r, j]), the log-softmax at the target.
napi_value LogProbRows(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  TypedView x, targets, out;
  int64_t n = 0;
  if (!GetArgs(env, info, 4, argv, "logProbRows") ||
      !GetTypedArray(env, argv[0], napi_float32_array, "x", &x) ||
      !GetTypedArray(env, argv[1], napi_int32_array, "targets", &targets) ||
      !GetTypedArray(env, argv[2], napi_float32_array, "out", &out) ||
      !GetInt64(env, argv[3], "n", &n) || !CheckLogProbArgs(env, x, targets, n)) {
    return nullptr;
  }
  if (out.length != targets.length) {
    napi_throw_range_error(env, nullptr, "logProbRows: out must have one entry per row");
    return nullptr;
  }
  const float* px = static_cast<const float*>(x.data);
  const int32_t* pt = static_cast<const int32_t*>(targets.data);
  float* po = static_cast<float*>(out.data);
  ParallelFor(static_cast<int64_t>(targets.length), GrainRows(n), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      float max;
      double log_sum;
      RowLogSumExp(px + r * n, n, &max, &log_sum);
      po[r] = static_cast<float>(static_cast<double>(px[r * n + pt[r]]) - max - log_sum);
    }
  });
  return nullptr;
}

// logProbRowsGrad(x, targets, dy, dx, n): the gradient of logProbRows for upstream dy [rows]:
// dx[r, j] = dy[r] · ([j = targets[r]] − softmax(x[r])_j).
napi_value LogProbRowsGrad(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  TypedView x, targets, dy, dx;
  int64_t n = 0;
  if (!GetArgs(env, info, 5, argv, "logProbRowsGrad") ||
      !GetTypedArray(env, argv[0], napi_float32_array, "x", &x) ||
      !GetTypedArray(env, argv[1], napi_int32_array, "targets", &targets) ||
      !GetTypedArray(env, argv[2], napi_float32_array, "dy", &dy) ||
      !GetTypedArray(env, argv[3], napi_float32_array, "dx", &dx) ||
      !GetInt64(env, argv[4], "n", &n) || !CheckLogProbArgs(env, x, targets, n)) {
    return nullptr;
  }
  if (dy.length != targets.length || dx.length != x.length) {
    napi_throw_range_error(env, nullptr, "logProbRowsGrad: shapes and arrays do not match");
    return nullptr;
  }
  const float* px = static_cast<const float*>(x.data);
  const int32_t* pt = static_cast<const int32_t*>(targets.data);
  const float* pdy = static_cast<const float*>(dy.data);
  float* pdx = static_cast<float*>(dx.data);
  ParallelFor(static_cast<int64_t>(targets.length), GrainRows(n), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* row = px + r * n;
      float* o = pdx + r * n;
      const float g = pdy[r];
      if (g == 0.0f) {  // padding and the last position: no gradient (and no exp to compute)
        std::memset(o, 0, sizeof(float) * n);
        continue;
      }
      float max;
      double log_sum;
      RowLogSumExp(row, n, &max, &log_sum);
      const float shift = static_cast<float>(max + log_sum);
      ExpShifted(row, o, n, shift);
      for (int64_t j = 0; j < n; ++j) o[j] *= -g;
      o[pt[r]] += g;
    }
  });
  return nullptr;
}

}  // namespace confidant
