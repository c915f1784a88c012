// confidant_native: batched single-precision GEMM for the tfjs `native` backend.
//
// The arrays come from JavaScript as Float32Array views; the BLAS reads and writes their
// memory directly (no copy crosses the boundary). Threading is the BLAS's own: OpenBLAS
// runs one pool of worker threads sized to the cores it may use (OPENBLAS_NUM_THREADS
// overrides it) and calls are made one after another, so the pool is never multiplied.
//
// BLAS interface: the reference CBLAS (netlib, http://www.netlib.org/blas/#_cblas),
// implemented by OpenBLAS (https://www.openblas.net) and Apple Accelerate.
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#if defined(CONFIDANT_ACCELERATE)
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

namespace {

#define CALL(env, expr)                                               \
  do {                                                                \
    if ((expr) != napi_ok) {                                          \
      napi_throw_error((env), nullptr, "confidant_native: " #expr);   \
      return nullptr;                                                 \
    }                                                                 \
  } while (0)

struct TypedView {
  void* data = nullptr;
  size_t length = 0;
  napi_typedarray_type type = napi_int8_array;
};

bool GetTypedArray(napi_env env, napi_value value, napi_typedarray_type expected,
                   const char* what, TypedView* view) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) {
    std::string msg = std::string(what) + " must be a typed array";
    napi_throw_type_error(env, nullptr, msg.c_str());
    return false;
  }
  napi_value buffer;
  size_t byte_offset = 0;
  if (napi_get_typedarray_info(env, value, &view->type, &view->length, &view->data, &buffer,
                               &byte_offset) != napi_ok) {
    napi_throw_error(env, nullptr, "confidant_native: cannot read a typed array");
    return false;
  }
  if (view->type != expected) {
    std::string msg = std::string(what) + " has the wrong element type";
    napi_throw_type_error(env, nullptr, msg.c_str());
    return false;
  }
  return true;
}

bool GetInt64(napi_env env, napi_value value, const char* what, int64_t* out) {
  double d = 0;
  if (napi_get_value_double(env, value, &d) != napi_ok || d < 0 || d > 9.0e15 ||
      d != static_cast<double>(static_cast<int64_t>(d))) {
    std::string msg = std::string(what) + " must be a non-negative integer";
    napi_throw_type_error(env, nullptr, msg.c_str());
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

bool GetBool(napi_env env, napi_value value, bool* out) {
  return napi_get_value_bool(env, value, out) == napi_ok;
}

// gemmBatch(a, b, c, m, n, k, transposeA, transposeB, aOffsets, bOffsets)
//   For each i: c[i*m*n .. +m*n] = op(A_i) * op(B_i), row-major, where A_i starts at
//   a[aOffsets[i]] (m×k, or k×m when transposeA) and B_i at b[bOffsets[i]] (k×n, or n×k).
//   The offsets (Float64Array, element indices) let the caller express broadcast batch
//   dimensions without copying. Every access is bounds-checked before the BLAS runs.
napi_value GemmBatch(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc != 10) {
    napi_throw_type_error(env, nullptr, "gemmBatch expects 10 arguments");
    return nullptr;
  }
  TypedView a, b, c, ao, bo;
  int64_t m, n, k;
  bool ta = false, tb = false;
  if (!GetTypedArray(env, argv[0], napi_float32_array, "a", &a) ||
      !GetTypedArray(env, argv[1], napi_float32_array, "b", &b) ||
      !GetTypedArray(env, argv[2], napi_float32_array, "c", &c) ||
      !GetInt64(env, argv[3], "m", &m) || !GetInt64(env, argv[4], "n", &n) ||
      !GetInt64(env, argv[5], "k", &k) ||
      !GetTypedArray(env, argv[8], napi_float64_array, "aOffsets", &ao) ||
      !GetTypedArray(env, argv[9], napi_float64_array, "bOffsets", &bo)) {
    return nullptr;
  }
  if (!GetBool(env, argv[6], &ta) || !GetBool(env, argv[7], &tb)) {
    napi_throw_type_error(env, nullptr, "transposeA and transposeB must be booleans");
    return nullptr;
  }
  const int64_t limit = 2147483647;  // CBLAS takes int dimensions
  if (m > limit || n > limit || k > limit) {
    napi_throw_range_error(env, nullptr, "gemmBatch: a dimension exceeds 2^31-1");
    return nullptr;
  }
  const size_t count = ao.length;
  if (bo.length != count) {
    napi_throw_range_error(env, nullptr, "gemmBatch: aOffsets and bOffsets differ in length");
    return nullptr;
  }
  const uint64_t mn = static_cast<uint64_t>(m) * static_cast<uint64_t>(n);
  const uint64_t mk = static_cast<uint64_t>(m) * static_cast<uint64_t>(k);
  const uint64_t kn = static_cast<uint64_t>(k) * static_cast<uint64_t>(n);
  if (c.length < mn * count) {
    napi_throw_range_error(env, nullptr, "gemmBatch: c is too short");
    return nullptr;
  }
  const double* aoff = static_cast<const double*>(ao.data);
  const double* boff = static_cast<const double*>(bo.data);
  for (size_t i = 0; i < count; ++i) {
    if (aoff[i] < 0 || aoff[i] != static_cast<double>(static_cast<uint64_t>(aoff[i])) ||
        static_cast<uint64_t>(aoff[i]) + mk > a.length || boff[i] < 0 ||
        boff[i] != static_cast<double>(static_cast<uint64_t>(boff[i])) ||
        static_cast<uint64_t>(boff[i]) + kn > b.length) {
      napi_throw_range_error(env, nullptr, "gemmBatch: an offset points outside its array");
      return nullptr;
    }
  }
  float* pa = static_cast<float*>(a.data);
  float* pb = static_cast<float*>(b.data);
  float* pc = static_cast<float*>(c.data);
  const int im = static_cast<int>(m), in = static_cast<int>(n), ik = static_cast<int>(k);
  if (mn == 0) return nullptr;
  if (k == 0) {  // an empty sum: zeros
    for (uint64_t i = 0; i < mn * count; ++i) pc[i] = 0.0f;
    return nullptr;
  }
  const int lda = ta ? im : ik;
  const int ldb = tb ? ik : in;
  for (size_t i = 0; i < count; ++i) {
    float* ci = pc + i * mn;
    const float* ai = pa + static_cast<uint64_t>(aoff[i]);
    const float* bi = pb + static_cast<uint64_t>(boff[i]);
    if (m == 1 && !tb) {
      // Row vector times matrix: y = B^T x as a GEMV is markedly faster than a 1-row GEMM.
      cblas_sgemv(CblasRowMajor, CblasTrans, ik, in, 1.0f, bi, ldb, ai, 1, 0.0f, ci, 1);
    } else if (n == 1 && !ta) {
      cblas_sgemv(CblasRowMajor, CblasNoTrans, im, ik, 1.0f, ai, lda, bi, 1, 0.0f, ci,
                  1);
    } else {
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                  im, in, ik, 1.0f, ai, lda, bi, ldb, 0.0f, ci, in);
    }
  }
  return nullptr;
}


// unary(op, x, out): out[i] = f(x[i]) for op 0 exp, 1 log, 2 tanh, 3 sqrt, 4 rsqrt, 5 neg,
// 6 square. x and out may be the same array.
napi_value Unary(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t op = 0;
  TypedView x, out;
  if (argc != 3 || !GetInt64(env, argv[0], "op", &op) ||
      !GetTypedArray(env, argv[1], napi_float32_array, "x", &x) ||
      !GetTypedArray(env, argv[2], napi_float32_array, "out", &out)) {
    return nullptr;
  }
  if (out.length != x.length) {
    napi_throw_range_error(env, nullptr, "unary: x and out differ in length");
    return nullptr;
  }
  const float* px = static_cast<const float*>(x.data);
  float* po = static_cast<float*>(out.data);
  const size_t n = x.length;
  switch (op) {
    case 0: for (size_t i = 0; i < n; ++i) po[i] = std::exp(px[i]); break;
    case 1: for (size_t i = 0; i < n; ++i) po[i] = std::log(px[i]); break;
    case 2: for (size_t i = 0; i < n; ++i) po[i] = std::tanh(px[i]); break;
    case 3: for (size_t i = 0; i < n; ++i) po[i] = std::sqrt(px[i]); break;
    case 4: for (size_t i = 0; i < n; ++i) po[i] = 1.0f / std::sqrt(px[i]); break;
    case 5: for (size_t i = 0; i < n; ++i) po[i] = -px[i]; break;
    case 6: for (size_t i = 0; i < n; ++i) po[i] = px[i] * px[i]; break;
    default: napi_throw_range_error(env, nullptr, "unary: unknown op"); break;
  }
  return nullptr;
}

template <typename F>
void BinaryRows(const float* a, const float* b, float* out, const std::vector<int64_t>& shape,
                const std::vector<int64_t>& sa, const std::vector<int64_t>& sb, F f) {
  const size_t rank = shape.size();
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  if (total == 0) return;
  const int64_t n = rank == 0 ? 1 : shape[rank - 1];
  const int64_t stepA = rank == 0 ? 0 : sa[rank - 1];
  const int64_t stepB = rank == 0 ? 0 : sb[rank - 1];
  const int64_t rows = total / n;
  std::vector<int64_t> index(rank, 0);
  int64_t ia = 0, ib = 0;
  float* o = out;
  for (int64_t row = 0; row < rows; ++row, o += n) {
    const float* pa = a + ia;
    const float* pb = b + ib;
    // Separate loops per stride pattern so the compiler vectorises the common ones.
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
    for (int64_t d = static_cast<int64_t>(rank) - 2; d >= 0; --d) {
      ia += sa[d];
      ib += sb[d];
      if (++index[d] < shape[d]) break;
      ia -= sa[d] * shape[d];
      ib -= sb[d] * shape[d];
      index[d] = 0;
    }
  }
}

bool GetShape(napi_env env, napi_value value, const char* what, std::vector<int64_t>* out) {
  TypedView view;
  if (!GetTypedArray(env, value, napi_float64_array, what, &view)) return false;
  const double* p = static_cast<const double*>(view.data);
  out->assign(p, p + view.length);
  return true;
}

// binary(op, a, b, out, outShape, aStrides, bStrides): out = a op b with broadcasting, for
// op 0 add, 1 sub, 2 mul, 3 div, 4 pow. Strides are per output dimension, 0 where that
// operand broadcasts (Float64Arrays). Every reachable element is bounds-checked first.
napi_value Binary(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t op = 0;
  TypedView a, b, out;
  std::vector<int64_t> shape, sa, sb;
  if (argc != 7 || !GetInt64(env, argv[0], "op", &op) ||
      !GetTypedArray(env, argv[1], napi_float32_array, "a", &a) ||
      !GetTypedArray(env, argv[2], napi_float32_array, "b", &b) ||
      !GetTypedArray(env, argv[3], napi_float32_array, "out", &out) ||
      !GetShape(env, argv[4], "outShape", &shape) || !GetShape(env, argv[5], "aStrides", &sa) ||
      !GetShape(env, argv[6], "bStrides", &sb)) {
    return nullptr;
  }
  int64_t total = 1, maxA = 0, maxB = 0;
  bool ok = sa.size() == shape.size() && sb.size() == shape.size();
  for (size_t d = 0; ok && d < shape.size(); ++d) {
    if (shape[d] < 0 || sa[d] < 0 || sb[d] < 0) ok = false;
    total *= shape[d];
    if (shape[d] > 0) {
      maxA += sa[d] * (shape[d] - 1);
      maxB += sb[d] * (shape[d] - 1);
    }
  }
  if (!ok || static_cast<uint64_t>(total) != out.length ||
      (total > 0 && (static_cast<uint64_t>(maxA) >= a.length ||
                     static_cast<uint64_t>(maxB) >= b.length))) {
    napi_throw_range_error(env, nullptr, "binary: shapes, strides and arrays do not match");
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
    default: napi_throw_range_error(env, nullptr, "binary: unknown op"); break;
  }
  return nullptr;
}

napi_value GetThreads(napi_env env, napi_callback_info /*info*/) {
  napi_value result;
#if defined(CONFIDANT_OPENBLAS)
  CALL(env, napi_create_int32(env, openblas_get_num_threads(), &result));
#else
  CALL(env, napi_create_int32(env, 0, &result));  // Accelerate manages its own threads
#endif
  return result;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t threads = 0;
  if (argc != 1 || !GetInt64(env, argv[0], "threads", &threads)) return nullptr;
#if defined(CONFIDANT_OPENBLAS)
  if (threads >= 1 && threads <= 4096) openblas_set_num_threads(static_cast<int>(threads));
#endif
  return nullptr;
}

napi_value BlasInfo(napi_env env, napi_callback_info /*info*/) {
  std::string text;
#if defined(CONFIDANT_OPENBLAS)
  text = openblas_get_config();
#elif defined(CONFIDANT_ACCELERATE)
  text = "Apple Accelerate";
#else
  text = "CBLAS";
#endif
  napi_value result;
  CALL(env, napi_create_string_utf8(env, text.c_str(), text.size(), &result));
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"gemmBatch", nullptr, GemmBatch, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"getThreads", nullptr, GetThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"blasInfo", nullptr, BlasInfo, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) {
    return nullptr;
  }
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
