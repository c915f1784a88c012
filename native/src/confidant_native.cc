// confidant_native: batched single-precision GEMM for the tfjs `native` backend.
//
// The arrays come from JavaScript as Float32Array views; the BLAS reads and writes their
// memory directly (no copy crosses the boundary). Threading is the BLAS's own: OpenBLAS
// runs one pool of worker threads sized to the cores it may use (OPENBLAS_NUM_THREADS
// overrides it) and calls are made one after another, so the pool is never multiplied.
//
// The memory-bound kernels (elementwise.cc, rows.cc) run on the addon's own small pool
// (thread_pool.h), between BLAS calls, sized by the same setThreads.
//
// BLAS interface: the reference CBLAS (netlib, http://www.netlib.org/blas/#_cblas),
// implemented by OpenBLAS (https://www.openblas.net) and Apple Accelerate.
#include <node_api.h>

#include "elementwise.h"
#include "napi_args.h"
#include "thread_pool.h"

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

using confidant::GetBool;
using confidant::GetInt64;
using confidant::GetTypedArray;
using confidant::TypedView;
#define CALL CONFIDANT_CALL

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
    if ((m == 1 && !tb) || (n == 1 && !ta)) {
      // GEMV with beta 0 may still read y (0·NaN); the output may be a reused array.
      for (uint64_t j = 0; j < mn; ++j) ci[j] = 0.0f;
    }
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
  if (threads >= 1) confidant::SetPoolThreads(static_cast<int>(threads));
  return nullptr;
}

// setPoolThreads(n): the addon's own pool only (the BLAS's is left as it is).
napi_value SetPoolThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t threads = 0;
  if (argc != 1 || !GetInt64(env, argv[0], "threads", &threads)) return nullptr;
  if (threads >= 1) confidant::SetPoolThreads(static_cast<int>(threads));
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
      {"setPoolThreads", nullptr, SetPoolThreads, nullptr, nullptr, nullptr, napi_enumerable,
       nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"blasInfo", nullptr, BlasInfo, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"unary", nullptr, confidant::Unary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binary", nullptr, confidant::Binary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"compare", nullptr, confidant::Compare, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"softmax", nullptr, confidant::Softmax, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"reduce", nullptr, confidant::Reduce, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"transpose", nullptr, confidant::Transpose, nullptr, nullptr, nullptr, napi_enumerable,
       nullptr},
      {"gather", nullptr, confidant::Gather, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"layerNorm", nullptr, confidant::LayerNorm, nullptr, nullptr, nullptr, napi_enumerable,
       nullptr},
      {"layerNormGrad", nullptr, confidant::LayerNormGrad, nullptr, nullptr, nullptr,
       napi_enumerable, nullptr},
      {"logProbRows", nullptr, confidant::LogProbRows, nullptr, nullptr, nullptr,
       napi_enumerable, nullptr},
      {"logProbRowsGrad", nullptr, confidant::LogProbRowsGrad, nullptr, nullptr, nullptr,
       napi_enumerable, nullptr},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) {
    return nullptr;
  }
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
