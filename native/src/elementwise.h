// N-API entry points of elementwise.cc and rows.cc (registered in confidant_native.cc).
#pragma once

#include <node_api.h>

namespace confidant {

napi_value Unary(napi_env env, napi_callback_info info);
napi_value Binary(napi_env env, napi_callback_info info);
napi_value Compare(napi_env env, napi_callback_info info);
napi_value Softmax(napi_env env, napi_callback_info info);
napi_value Reduce(napi_env env, napi_callback_info info);
napi_value Transpose(napi_env env, napi_callback_info info);
napi_value Gather(napi_env env, napi_callback_info info);
napi_value LayerNorm(napi_env env, napi_callback_info info);
napi_value LayerNormGrad(napi_env env, napi_callback_info info);
napi_value LogProbRows(napi_env env, napi_callback_info info);
napi_value LogProbRowsGrad(napi_env env, napi_callback_info info);

}  // namespace confidant
