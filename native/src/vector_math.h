// exp, tanh and the logistic sigmoid for float32 arrays, computed in double precision with
// loops the compiler vectorises (glibc's expf/tanhf are scalar calls: a tanh over a GELU
// activation took 20 ns per element). exp: Cody–Waite range reduction x = k·ln2 + r,
// |r| ≤ ln2/2, a degree-11 Taylor polynomial (truncation < 1e-14 relative) and 2^k built
// from its exponent bits (J.-M. Muller, "Elementary Functions", 3rd ed., ch. 11).
// Results are within 1 ulp of float32 of the correctly rounded value.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
// One AVX2+FMA clone and one baseline clone, chosen at load time (ifunc): the binary runs
// on any x86-64 and uses the wider vectors where the CPU has them.
#define CONFIDANT_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CONFIDANT_VECTOR_CLONES
#endif

namespace confidant {

inline double ExpCore(double y) {
  // y already clamped to [-708, 709] (2^k stays a normal double)
  const double kShift = 6755399441055744.0;  // 1.5 · 2^52: adding it rounds to an integer
  const double t = y * 1.4426950408889634 + kShift;
  const double k = t - kShift;
  const double r = (y - k * 0.6931471803691238) - k * 1.9082149292705877e-10;
  double p = 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  uint64_t bits;
  std::memcpy(&bits, &t, sizeof bits);
  // The low mantissa bits of t hold k (two's complement); (k + 1023) << 52 is 2^k.
  const uint64_t scale_bits = (bits + 1023) << 52;
  double scale;
  std::memcpy(&scale, &scale_bits, sizeof scale);
  return p * scale;
}

inline float TanhF(float xf) {
  const double x = xf;
  const double ax = std::fabs(x);
  const double y = ax > 20.0 ? 40.0 : 2.0 * ax;
  const double e = ExpCore(y);
  const double big = (e - 1.0) / (e + 1.0);
  const double x2 = x * x;
  const double small = ax * (1.0 - x2 * (1.0 / 3.0 - x2 * (2.0 / 15.0)));
  const double r = ax < 1e-3 ? small : big;
  return static_cast<float>(x < 0 ? -r : (x != x ? x : r));
}

inline float SigmoidF(float xf) {
  const double x = xf;
  const double y = x < -700.0 ? 700.0 : (x > 700.0 ? -700.0 : -x);
  const double e = ExpCore(y);
  return static_cast<float>(x != x ? x : 1.0 / (1.0 + e));
}

inline float ExpF(float xf) {
  const double x = xf;
  const double c = x > 100.0 ? 100.0 : (x < -110.0 ? -110.0 : x);  // float32's range
  const double e = ExpCore(c);
  return static_cast<float>(x > 100.0 ? HUGE_VAL : (x < -110.0 ? 0.0 : (x != x ? x : e)));
}

// GELU, tanh approximation (Hendrycks & Gimpel 2016; GPT-2's "gelu_new"):
// y = x/2 · (1 + tanh(u)), u = √(2/π) · (x + 0.044715 x³), and its derivative
// dy/dx = (1 + t)/2 + x/2 · (1 − t²) · √(2/π) · (1 + 3 · 0.044715 x²), t = tanh(u).
constexpr double kGeluC = 0.7978845608028654;  // √(2/π)
constexpr double kGeluA = 0.044715;

inline double TanhD(double x) {
  const double ax = std::fabs(x);
  const double y = ax > 20.0 ? 40.0 : 2.0 * ax;
  const double e = ExpCore(y);
  const double big = (e - 1.0) / (e + 1.0);
  const double x2 = x * x;
  const double small = ax * (1.0 - x2 * (1.0 / 3.0 - x2 * (2.0 / 15.0)));
  const double r = ax < 1e-3 ? small : big;
  return x < 0 ? -r : (x != x ? x : r);
}

inline float GeluF(float xf) {
  const double x = xf;
  const double t = TanhD(kGeluC * (x + kGeluA * x * x * x));
  return static_cast<float>(0.5 * x * (1.0 + t));
}

inline float GeluGradF(float xf, float dyf) {
  const double x = xf;
  const double t = TanhD(kGeluC * (x + kGeluA * x * x * x));
  const double d = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * kGeluC * (1.0 + 3.0 * kGeluA * x * x);
  return static_cast<float>(dyf * d);
}

}  // namespace confidant
