// Elementwise kernels of the `native` backend: unary functions, broadcasting binary
// arithmetic and broadcasting comparisons over float32 arrays, split across the addon's
// thread pool (thread_pool.h) when large enough.
#include "elementwise.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "napi_args.h"
#include "thread_pool.h"
#include "vector_math.h"

namespace confidant {
namespace {

constexpr int64_t kGrain = 1 << 15;  // elements per thread below which threads do not pay

CONFIDANT_VECTOR_CLONES void ExpLoop(const float* x, float* o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = ExpF(x[i]);
}
CONFIDANT_VECTOR_CLONES void TanhLoop(const float* x, float* o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = TanhF(x[i]);
}
CONFIDANT_VECTOR_CLONES void SigmoidLoop(const float* x, float* o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = SigmoidF(x[i]);
}
CONFIDANT_VECTOR_CLONES void SqrtLoop(const float* x, float* o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = std::sqrt(x[i]);
}
CONFIDANT_VECTOR_CLONES void RsqrtLoop(const float* x, float* o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = 1.0f / std::sqrt(x[i]);
}
CONFIDANT_VECTOR_CLONES void NegLoop(const float* x, float* o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = -x[i];
}
CONFIDANT_VECTOR_CLONES void SquareLoop(const float* x, float* o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = x[i] * x[i];
}
CONFIDANT_VECTOR_CLONES void GeluLoop(const float* x, float* o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = GeluF(x[i]);
}
void LogLoop(const float* x, float* o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = std::log(x[i]);
}

// The innermost loop of a broadcast binary op, one variant per stride pattern so the
// common ones vectorise. Out is float (arithmetic) or uint8 (comparisons, tfjs's bool).
template <typename Out, typename F>
CONFIDANT_VECTOR_CLONES void InnerLoop(const float* pa, const float* pb, Out* o, int64_t n,
                                       int64_t stepA, int64_t stepB, F f) {
  if (stepA == 1 && stepB == 1) {
    for (int64_t j = 0; j < n; ++j) o[j] = f(pa[j], pb[j]);
  } else if (stepA == 1 && stepB == 0) {
    const float vb = pb[0];
    for (int64_t j = 0; j < n; ++j) o[j] = f(pa[j], vb);
  } else if (stepA == 0 && stepB == 1) {
    const float va = pa[0];
    for (int64_t j = 0; j < n; ++j) o[j] = f(va, pb[j]);
  } else {
    for (int64_t j = 0; j < n; ++j) o[j] = f(pa[j * stepA], pb[j * stepB]);
  }
}

// out[row-major over shape] = f(a[·], b[·]) with per-dimension strides sa/sb; rows (all
// dimensions but the last) are split over the pool, each range starting its own odometer.
template <typename Out, typename F>
void BinaryRows(const float* a, const float* b, Out* out, const std::vector<int64_t>& shape,
                const std::vector<int64_t>& sa, const std::vector<int64_t>& sb, F f) {
  const size_t rank = shape.size();
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  if (total == 0) return;
  const int64_t n = rank == 0 ? 1 : shape[rank - 1];
  const int64_t stepA = rank == 0 ? 0 : sa[rank - 1];
  const int64_t stepB = rank == 0 ? 0 : sb[rank - 1];
  const int64_t rows = total / n;
  const int64_t grain = n >= kGrain ? 1 : kGrain / n;
  ParallelFor(rows, grain, [&](int64_t begin, int64_t end) {
    std::vector<int64_t> index(rank, 0);
    int64_t ia = 0, ib = 0;
    int64_t rest = begin;
    for (int64_t d = static_cast<int64_t>(rank) - 2; d >= 0; --d) {
      index[d] = rest % shape[d];
      rest /= shape[d];
      ia += index[d] * sa[d];
      ib += index[d] * sb[d];
    }
    Out* o = out + begin * n;
    for (int64_t row = begin; row < end; ++row, o += n) {
      InnerLoop(a + ia, b + ib, o, n, stepA, stepB, f);
      for (int64_t d = static_cast<int64_t>(rank) - 2; d >= 0; --d) {
        ia += sa[d];
        ib += sb[d];
        if (++index[d] < shape[d]) break;
        ia -= sa[d] * shape[d];
        ib -= sb[d] * shape[d];
        index[d] = 0;
      }
    }
  });
}

// Validates outShape/aStrides/bStrides against the arrays: every reachable index in bounds.
bool CheckBroadcast(napi_env env, const char* name, const TypedView& a, const TypedView& b,
                    size_t out_length, const std::vector<int64_t>& shape,
                    const std::vector<int64_t>& sa, const std::vector<int64_t>& sb) {
  int64_t total = 1, maxA = 0, maxB = 0;
  bool ok = sa.size() == shape.size() && sb.size() == shape.size();
  for (size_t d = 0; ok && d < shape.size(); ++d) {
    total *= shape[d];
    if (shape[d] > 0) {
      maxA += sa[d] * (shape[d] - 1);
      maxB += sb[d] * (shape[d] - 1);
    }
  }
  if (!ok || static_cast<uint64_t>(total) != out_length ||
      (total > 0 && (static_cast<uint64_t>(maxA) >= a.length ||
                     static_cast<uint64_t>(maxB) >= b.length))) {
    std::string msg = std::string(name) + ": shapes, strides and arrays do not match";
    napi_throw_range_error(env, nullptr, msg.c_str());
    return false;
  }
  return true;
}

}  // namespace

// unary(op, x, out): out[i] = f(x[i]) for op 0 exp, 1 log, 2 tanh, 3 sqrt, 4 rsqrt, 5 neg,
// 6 square, 7 sigmoid, 8 GELU (tanh approximation). x and out may be the same array.
napi_value Unary(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int64_t op = 0;
  TypedView x, out;
  if (!GetArgs(env, info, 3, argv, "unary") || !GetInt64(env, argv[0], "op", &op) ||
      !GetTypedArray(env, argv[1], napi_float32_array, "x", &x) ||
      !GetTypedArray(env, argv[2], napi_float32_array, "out", &out)) {
    return nullptr;
  }
  if (out.length != x.length) {
    napi_throw_range_error(env, nullptr, "unary: x and out differ in length");
    return nullptr;
  }
  using Loop = void (*)(const float*, float*, int64_t);
  static const Loop kLoops[] = {ExpLoop, LogLoop, TanhLoop, SqrtLoop,
                                RsqrtLoop, NegLoop, SquareLoop, SigmoidLoop, GeluLoop};
  if (op < 0 || op >= static_cast<int64_t>(sizeof(kLoops) / sizeof(kLoops[0]))) {
    napi_throw_range_error(env, nullptr, "unary: unknown op");
    return nullptr;
  }
  const Loop loop = kLoops[op];
  const float* px = static_cast<const float*>(x.data);
  float* po = static_cast<float*>(out.data);
  ParallelFor(static_cast<int64_t>(x.length), kGrain,
              [&](int64_t begin, int64_t end) { loop(px + begin, po + begin, end - begin); });
  return nullptr;
}

// binary(op, a, b, out, outShape, aStrides, bStrides): out = a op b with broadcasting, for
// op 0 add, 1 sub, 2 mul, 3 div, 4 pow, 5 maximum, 6 minimum, 7 squared difference,
// 8 GELU gradient (a: the GELU's input x, b: the upstream gradient dy).
// Strides are per output dimension, 0 where that operand broadcasts (Float64Arrays).
napi_value Binary(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  int64_t op = 0;
  TypedView a, b, out;
  std::vector<int64_t> shape, sa, sb;
  if (!GetArgs(env, info, 7, argv, "binary") || !GetInt64(env, argv[0], "op", &op) ||
      !GetTypedArray(env, argv[1], napi_float32_array, "a", &a) ||
      !GetTypedArray(env, argv[2], napi_float32_array, "b", &b) ||
      !GetTypedArray(env, argv[3], napi_float32_array, "out", &out) ||
      !GetShape(env, argv[4], "outShape", &shape) || !GetShape(env, argv[5], "aStrides", &sa) ||
      !GetShape(env, argv[6], "bStrides", &sb) ||
      !CheckBroadcast(env, "binary", a, b, out.length, shape, sa, sb)) {
    return nullptr;
  }
  const float* pa = static_cast<const float*>(a.data);
  const float* pb = static_cast<const float*>(b.data);
  float* po = static_cast<float*>(out.data);
  switch (op) {
    case 0: BinaryRows(pa, pb, po, shape, sa, sb, [](float x, float y) { return x + y; }); break;
    case 1: BinaryRows(pa, pb, po, shape, sa, sb, [](float x, float y) { return x - y; }); break;
    case 2: BinaryRows(pa, pb, po, shape, sa, sb, [](float x, float y) { return x * y; }); break;
    case 3: BinaryRows(pa, pb, po, shape, sa, sb, [](float x, float y) { return x / y; }); break;
    case 4:
      BinaryRows(pa, pb, po, shape, sa, sb, [](float x, float y) {
        return y == 2.0f ? x * x : y == 3.0f ? x * x * x : std::pow(x, y);
      });
      break;
    case 5:
      BinaryRows(pa, pb, po, shape, sa, sb,
                 [](float x, float y) { return x > y || x != x ? x : y; });
      break;
    case 6:
      BinaryRows(pa, pb, po, shape, sa, sb,
                 [](float x, float y) { return x < y || x != x ? x : y; });
      break;
    case 7:
      BinaryRows(pa, pb, po, shape, sa, sb, [](float x, float y) { return (x - y) * (x - y); });
      break;
    case 8:
      BinaryRows(pa, pb, po, shape, sa, sb, [](float x, float dy) { return GeluGradF(x, dy); });
      break;
    default: napi_throw_range_error(env, nullptr, "binary: unknown op"); break;
  }
  return nullptr;
}

// compare(op, a, b, out, outShape, aStrides, bStrides): out (Uint8Array, tfjs's bool) =
// a op b with broadcasting, op 0 ==, 1 !=, 2 <, 3 <=, 4 >, 5 >=.
napi_value Compare(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  int64_t op = 0;
  TypedView a, b, out;
  std::vector<int64_t> shape, sa, sb;
  if (!GetArgs(env, info, 7, argv, "compare") || !GetInt64(env, argv[0], "op", &op) ||
      !GetTypedArray(env, argv[1], napi_float32_array, "a", &a) ||
      !GetTypedArray(env, argv[2], napi_float32_array, "b", &b) ||
      !GetTypedArray(env, argv[3], napi_uint8_array, "out", &out) ||
      !GetShape(env, argv[4], "outShape", &shape) || !GetShape(env, argv[5], "aStrides", &sa) ||
      !GetShape(env, argv[6], "bStrides", &sb) ||
      !CheckBroadcast(env, "compare", a, b, out.length, shape, sa, sb)) {
    return nullptr;
  }
  const float* pa = static_cast<const float*>(a.data);
  const float* pb = static_cast<const float*>(b.data);
  uint8_t* po = static_cast<uint8_t*>(out.data);
  using U = uint8_t;
  switch (op) {
    case 0: BinaryRows(pa, pb, po, shape, sa, sb, [](float x, float y) { return U(x == y); }); break;
    case 1: BinaryRows(pa, pb, po, shape, sa, sb, [](float x, float y) { return U(x != y); }); break;
    case 2: BinaryRows(pa, pb, po, shape, sa, sb, [](float x, float y) { return U(x < y); }); break;
    case 3: BinaryRows(pa, pb, po, shape, sa, sb, [](float x, float y) { return U(x <= y); }); break;
    case 4: BinaryRows(pa, pb, po, shape, sa, sb, [](float x, float y) { return U(x > y); }); break;
    case 5: BinaryRows(pa, pb, po, shape, sa, sb, [](float x, float y) { return U(x >= y); }); break;
    default: napi_throw_range_error(env, nullptr, "compare: unknown op"); break;
  }
  return nullptr;
}

}  // namespace confidant
