// Argument helpers shared by the addon's N-API entry points: typed-array views (no copy),
// non-negative integers, booleans and Float64Array shapes, each throwing a JavaScript
// TypeError/RangeError that names the argument when it does not fit.
#pragma once

#include <node_api.h>

#include <cstdint>
#include <string>
#include <vector>

namespace confidant {

#define CONFIDANT_CALL(env, expr)                                     \
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

inline bool GetTypedArray(napi_env env, napi_value value, napi_typedarray_type expected,
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

inline bool GetInt64(napi_env env, napi_value value, const char* what, int64_t* out) {
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

inline bool GetBool(napi_env env, napi_value value, bool* out) {
  return napi_get_value_bool(env, value, out) == napi_ok;
}

/** A Float64Array of non-negative integers (shapes, strides, permutations). */
inline bool GetShape(napi_env env, napi_value value, const char* what,
                     std::vector<int64_t>* out) {
  TypedView view;
  if (!GetTypedArray(env, value, napi_float64_array, what, &view)) return false;
  const double* p = static_cast<const double*>(view.data);
  out->clear();
  out->reserve(view.length);
  for (size_t i = 0; i < view.length; ++i) {
    if (!(p[i] >= 0) || p[i] > 9.0e15 || p[i] != static_cast<double>(static_cast<int64_t>(p[i]))) {
      std::string msg = std::string(what) + " must hold non-negative integers";
      napi_throw_range_error(env, nullptr, msg.c_str());
      return false;
    }
    out->push_back(static_cast<int64_t>(p[i]));
  }
  return true;
}

/** Reads argc arguments exactly; throws "<name> expects <n> arguments" otherwise. */
inline bool GetArgs(napi_env env, napi_callback_info info, size_t expected, napi_value* argv,
                    const char* name) {
  size_t argc = expected;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok ||
      argc != expected) {
    std::string msg = std::string(name) + " expects " + std::to_string(expected) + " arguments";
    napi_throw_type_error(env, nullptr, msg.c_str());
    return false;
  }
  return true;
}

}  // namespace confidant
