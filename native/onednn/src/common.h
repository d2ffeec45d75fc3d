// Shared helpers of the cxr_onednn addon: N-API argument reading and the thread team.
#pragma once
#include <node_api.h>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace cxr {

// A float32 view of a JS Float32Array (zero-copy: the addon reads and writes the backend's own storage).
struct FloatView {
  float* data = nullptr;
  size_t length = 0;
};

// Thrown for bad arguments or unsupported shapes; the JS side catches it and falls back to the cpu kernel.
struct AddonError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

FloatView floatArg(napi_env env, napi_value value, const char* name);
// A Float32Array or null/undefined (e.g. an optional bias).
FloatView optionalFloatArg(napi_env env, napi_value value, const char* name);
std::vector<int64_t> intsArg(napi_env env, napi_value value, const char* name);
int32_t intArg(napi_env env, napi_value value, const char* name);
double doubleArg(napi_env env, napi_value value, const char* name);

// Largest shape rank the generic layout kernels accept (tfjs itself stops at 6 for most ops).
constexpr int kMaxRank = 6;

}  // namespace cxr
