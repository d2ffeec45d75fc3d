// N-API surface of the cxr_onednn addon. Every function takes the tfjs backend's own Float32Arrays (read and
// written in place, never copied) plus shapes, and throws a JS Error for anything it does not handle, which the
// TypeScript side turns into a fall-back to the cpu kernel. Built on node_api.h only, so the same binary loads in
// Node, in Node worker threads and in Electron.
#include <dnnl.hpp>
#include <node_api.h>

#include <malloc.h>

#include <functional>
#include <string>

#include "common.h"
#include "kernels.h"

namespace cxr {

FloatView floatArg(napi_env env, napi_value value, const char* name) {
  bool isTyped = false;
  napi_is_typedarray(env, value, &isTyped);
  if (!isTyped) throw AddonError(std::string(name) + " must be a Float32Array");
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value buffer;
  size_t offset = 0;
  if (napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &offset) != napi_ok || type != napi_float32_array)
    throw AddonError(std::string(name) + " must be a Float32Array");
  return FloatView{static_cast<float*>(data), length};
}

FloatView optionalFloatArg(napi_env env, napi_value value, const char* name) {
  napi_valuetype kind;
  napi_typeof(env, value, &kind);
  if (kind == napi_null || kind == napi_undefined) return FloatView{};
  return floatArg(env, value, name);
}

std::vector<int64_t> intsArg(napi_env env, napi_value value, const char* name) {
  bool isArray = false;
  napi_is_array(env, value, &isArray);
  if (!isArray) throw AddonError(std::string(name) + " must be an array of integers");
  uint32_t length = 0;
  napi_get_array_length(env, value, &length);
  std::vector<int64_t> out(length);
  for (uint32_t i = 0; i < length; ++i) {
    napi_value element;
    napi_get_element(env, value, i, &element);
    double v = 0;
    if (napi_get_value_double(env, element, &v) != napi_ok || v != static_cast<double>(static_cast<int64_t>(v)))
      throw AddonError(std::string(name) + " must be an array of integers");
    out[i] = static_cast<int64_t>(v);
  }
  return out;
}

double doubleArg(napi_env env, napi_value value, const char* name) {
  double v = 0;
  if (napi_get_value_double(env, value, &v) != napi_ok) throw AddonError(std::string(name) + " must be a number");
  return v;
}

int32_t intArg(napi_env env, napi_value value, const char* name) {
  double v = doubleArg(env, value, name);
  if (v != static_cast<double>(static_cast<int32_t>(v))) throw AddonError(std::string(name) + " must be an integer");
  return static_cast<int32_t>(v);
}

// Activations of a conv net are tens of megabytes each and die within a step. glibc serves such blocks with fresh
// mmap()s, and every first touch of a fresh page is a page fault the kernel zero-fills: measured here, a 25 MB
// multiply took 10-15 ms that way against 1.5 ms on recycled memory. Serving blocks up to 32 MB (glibc's ceiling)
// from the heap, and not trimming it, lets freed activations be reused by the next step.
//
// A process-wide policy, so the backend asks for it when it starts rather than the addon on load (the install
// script and the tests load the addon without meaning to change the process's allocator).
void keepFreedMemory() {
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
}

// The other half of that policy: every thread's arena keeps what it freed, so once a job's worker has ended its
// memory stays in the process (measured: a second ResNet-18 run peaked at 3.0 GB of RSS against 2.0 GB for the first).
// Called after a worker ends, it gives every arena's free pages back.
void releaseFreedMemory() { malloc_trim(0); }

namespace {

using Body = std::function<napi_value(napi_env, napi_value*)>;

int64_t elements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw AddonError("shape has a negative size");
    n *= d;
  }
  return n;
}

void expectLength(const FloatView& view, int64_t wanted, const char* name) {
  if (static_cast<int64_t>(view.length) < wanted) throw AddonError(std::string(name) + " is shorter than its shape");
}

// Runs one exported call with argument count checking; C++ and oneDNN errors become JS exceptions.
napi_value guarded(napi_env env, napi_callback_info info, size_t arity, const Body& body) {
  size_t argc = 12;
  napi_value argv[12];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  try {
    if (argc < arity) throw AddonError("expected " + std::to_string(arity) + " arguments");
    napi_value result = body(env, argv);
    if (result == nullptr) napi_get_undefined(env, &result);
    return result;
  } catch (const dnnl::error& e) {
    napi_throw_error(env, "ONEDNN", (std::string("oneDNN: ") + e.what()).c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, "CXR_NATIVE", e.what());
  }
  return nullptr;
}

#define EXPORT(name, arity, ...)                                                                  \
  napi_value name(napi_env env, napi_callback_info info) {                                        \
    return guarded(env, info, arity, [](napi_env env, napi_value* argv) -> napi_value __VA_ARGS__); \
  }

// conv2d(x, filter, bias|null, y, geometry[17], relu)
EXPORT(Conv2d, 6, {
  ConvGeometry g = convGeometryFrom(intsArg(env, argv[4], "geometry"));
  FloatView x = floatArg(env, argv[0], "x"), w = floatArg(env, argv[1], "filter"), y = floatArg(env, argv[3], "y");
  FloatView bias = optionalFloatArg(env, argv[2], "bias");
  expectLength(x, g.batch * g.inHeight * g.inWidth * g.inChannels, "x");
  expectLength(w, g.filterHeight * g.filterWidth * g.inChannels * g.outChannels, "filter");
  expectLength(y, g.batch * g.outHeight * g.outWidth * g.outChannels, "y");
  if (bias.data) expectLength(bias, g.outChannels, "bias");
  conv2dForward(g, x.data, w.data, bias.data, intArg(env, argv[5], "relu") != 0, y.data);
  return nullptr;
})

// conv2dBackpropInput(dy, filter, dx, geometry[17])
EXPORT(Conv2dBackpropInput, 4, {
  ConvGeometry g = convGeometryFrom(intsArg(env, argv[3], "geometry"));
  FloatView dy = floatArg(env, argv[0], "dy"), w = floatArg(env, argv[1], "filter"), dx = floatArg(env, argv[2], "dx");
  expectLength(dy, g.batch * g.outHeight * g.outWidth * g.outChannels, "dy");
  expectLength(w, g.filterHeight * g.filterWidth * g.inChannels * g.outChannels, "filter");
  expectLength(dx, g.batch * g.inHeight * g.inWidth * g.inChannels, "dx");
  conv2dBackwardData(g, dy.data, w.data, dx.data);
  return nullptr;
})

// conv2dBackpropFilter(x, dy, dFilter, geometry[17])
EXPORT(Conv2dBackpropFilter, 4, {
  ConvGeometry g = convGeometryFrom(intsArg(env, argv[3], "geometry"));
  FloatView x = floatArg(env, argv[0], "x"), dy = floatArg(env, argv[1], "dy"), dw = floatArg(env, argv[2], "dFilter");
  expectLength(x, g.batch * g.inHeight * g.inWidth * g.inChannels, "x");
  expectLength(dy, g.batch * g.outHeight * g.outWidth * g.outChannels, "dy");
  expectLength(dw, g.filterHeight * g.filterWidth * g.inChannels * g.outChannels, "dFilter");
  conv2dBackwardFilter(g, x.data, dy.data, dw.data);
  return nullptr;
})

// binary(op, a, aShape, b, bShape, out, outShape)
EXPORT(Binary, 7, {
  auto aShape = intsArg(env, argv[2], "aShape"), bShape = intsArg(env, argv[4], "bShape"), outShape = intsArg(env, argv[6], "outShape");
  FloatView a = floatArg(env, argv[1], "a"), b = floatArg(env, argv[3], "b"), out = floatArg(env, argv[5], "out");
  expectLength(a, elements(aShape), "a");
  expectLength(b, elements(bShape), "b");
  expectLength(out, elements(outShape), "out");
  int op = intArg(env, argv[0], "op");
  if (op < 0 || op > static_cast<int>(BinaryOp::Minimum)) throw AddonError("unknown binary op");
  if (elements(outShape) > 0) binary(static_cast<BinaryOp>(op), a.data, aShape, b.data, bShape, out.data, outShape);
  return nullptr;
})

// unary(op, x, y, alpha)
EXPORT(Unary, 4, {
  FloatView x = floatArg(env, argv[1], "x"), y = floatArg(env, argv[2], "y");
  if (y.length < x.length) throw AddonError("y is shorter than x");
  int op = intArg(env, argv[0], "op");
  if (op < 0 || op > static_cast<int>(UnaryOp::Elu)) throw AddonError("unknown unary op");
  unary(static_cast<UnaryOp>(op), x.data, y.data, x.length, static_cast<float>(doubleArg(env, argv[3], "alpha")));
  return nullptr;
})

// reluGrad(dy, x, dx)
EXPORT(ReluGrad, 3, {
  FloatView dy = floatArg(env, argv[0], "dy"), x = floatArg(env, argv[1], "x"), dx = floatArg(env, argv[2], "dx");
  if (dy.length != x.length) throw AddonError("reluGrad: dy and x differ in size");
  expectLength(dx, x.length, "dx");
  reluGrad(dy.data, x.data, dx.data, x.length);
  return nullptr;
})

// batchNorm(x, channels, mean, variance, offset|null, scale|null, epsilon, y)
EXPORT(BatchNorm, 8, {
  FloatView x = floatArg(env, argv[0], "x"), y = floatArg(env, argv[7], "y");
  int32_t channels = intArg(env, argv[1], "channels");
  if (channels <= 0 || x.length % channels != 0) throw AddonError("batchNorm: channels do not divide x");
  if (y.length < x.length) throw AddonError("y is shorter than x");
  auto param = [&](napi_value v, const char* name, bool optional) {
    FloatView view = optional ? optionalFloatArg(env, v, name) : floatArg(env, v, name);
    if (view.data && view.length != 1 && view.length != static_cast<size_t>(channels))
      throw AddonError(std::string("batchNorm: ") + name + " is neither per channel nor a single value");
    return ChannelParam{view.data, view.length};
  };
  batchNormInference(x.data, x.length / channels, channels, param(argv[2], "mean", false), param(argv[3], "variance", false),
                     param(argv[4], "offset", true), param(argv[5], "scale", true),
                     static_cast<float>(doubleArg(env, argv[6], "epsilon")), y.data);
  return nullptr;
})

// batchNormTraining(x, channels, gamma|null, beta|null, epsilon, y, mean, variance)
EXPORT(BatchNormTraining, 8, {
  FloatView x = floatArg(env, argv[0], "x"), y = floatArg(env, argv[5], "y");
  FloatView mean = floatArg(env, argv[6], "mean"), variance = floatArg(env, argv[7], "variance");
  FloatView gamma = optionalFloatArg(env, argv[2], "gamma"), beta = optionalFloatArg(env, argv[3], "beta");
  int32_t channels = intArg(env, argv[1], "channels");
  if (channels <= 0 || x.length % channels != 0) throw AddonError("batchNormTraining: channels do not divide x");
  expectLength(y, x.length, "y");
  for (const FloatView* v : {&mean, &variance}) expectLength(*v, channels, "statistics");
  for (const FloatView* v : {&gamma, &beta}) if (v->data) expectLength(*v, channels, "gamma/beta");
  batchNormTraining(x.data, x.length / channels, channels, gamma.data, beta.data,
                    static_cast<float>(doubleArg(env, argv[4], "epsilon")), y.data, mean.data, variance.data);
  return nullptr;
})

// batchNormTrainingGrad(dy, x, channels, gamma|null, mean, variance, epsilon, dx, dGamma, dBeta)
EXPORT(BatchNormTrainingGrad, 10, {
  FloatView dy = floatArg(env, argv[0], "dy"), x = floatArg(env, argv[1], "x");
  FloatView gamma = optionalFloatArg(env, argv[3], "gamma");
  FloatView mean = floatArg(env, argv[4], "mean"), variance = floatArg(env, argv[5], "variance");
  FloatView dx = floatArg(env, argv[7], "dx"), dGamma = floatArg(env, argv[8], "dGamma"), dBeta = floatArg(env, argv[9], "dBeta");
  int32_t channels = intArg(env, argv[2], "channels");
  if (channels <= 0 || x.length % channels != 0) throw AddonError("batchNormTrainingGrad: channels do not divide x");
  expectLength(dy, x.length, "dy");
  expectLength(dx, x.length, "dx");
  for (const FloatView* v : {&mean, &variance, &dGamma, &dBeta}) expectLength(*v, channels, "per-channel array");
  if (gamma.data) expectLength(gamma, channels, "gamma");
  batchNormTrainingGrad(dy.data, x.data, x.length / channels, channels, gamma.data, mean.data, variance.data,
                        static_cast<float>(doubleArg(env, argv[6], "epsilon")), dx.data, dGamma.data, dBeta.data);
  return nullptr;
})

// sum(x, outer, reduce, inner, out, scale)
EXPORT(Sum, 6, {
  FloatView x = floatArg(env, argv[0], "x"), out = floatArg(env, argv[4], "out");
  int64_t outer = intArg(env, argv[1], "outer"), reduce = intArg(env, argv[2], "reduce"), inner = intArg(env, argv[3], "inner");
  if (outer < 0 || reduce < 0 || inner < 0) throw AddonError("sum: negative size");
  expectLength(x, outer * reduce * inner, "x");
  expectLength(out, outer * inner, "out");
  sumMiddle(x.data, outer, reduce, inner, out.data, doubleArg(env, argv[5], "scale"));
  return nullptr;
})

// tile(x, xShape, out, outShape)
EXPORT(Tile, 4, {
  auto xShape = intsArg(env, argv[1], "xShape"), outShape = intsArg(env, argv[3], "outShape");
  FloatView x = floatArg(env, argv[0], "x"), out = floatArg(env, argv[2], "out");
  expectLength(x, elements(xShape), "x");
  expectLength(out, elements(outShape), "out");
  if (elements(outShape) > 0) tile(x.data, xShape, out.data, outShape);
  return nullptr;
})

// pad(x, xShape, before, out, outShape, value)
EXPORT(Pad, 6, {
  auto xShape = intsArg(env, argv[1], "xShape"), before = intsArg(env, argv[2], "before"), outShape = intsArg(env, argv[4], "outShape");
  FloatView x = floatArg(env, argv[0], "x"), out = floatArg(env, argv[3], "out");
  expectLength(x, elements(xShape), "x");
  expectLength(out, elements(outShape), "out");
  if (elements(xShape) > 0) pad(x.data, xShape, before, out.data, outShape, static_cast<float>(doubleArg(env, argv[5], "value")));
  return nullptr;
})

// slice(x, xShape, begin, out, outShape)
EXPORT(Slice, 5, {
  auto xShape = intsArg(env, argv[1], "xShape"), begin = intsArg(env, argv[2], "begin"), outShape = intsArg(env, argv[4], "outShape");
  FloatView x = floatArg(env, argv[0], "x"), out = floatArg(env, argv[3], "out");
  expectLength(x, elements(xShape), "x");
  expectLength(out, elements(outShape), "out");
  if (elements(outShape) > 0) slice(x.data, xShape, begin, out.data, outShape);
  return nullptr;
})

// concat(parts: Float32Array[], widths, rows, out)
EXPORT(Concat, 4, {
  bool isArray = false;
  napi_is_array(env, argv[0], &isArray);
  if (!isArray) throw AddonError("parts must be an array of Float32Array");
  uint32_t count = 0;
  napi_get_array_length(env, argv[0], &count);
  auto widths = intsArg(env, argv[1], "widths");
  if (widths.size() != count) throw AddonError("concat: one width per part");
  int64_t rows = intArg(env, argv[2], "rows");
  if (rows < 0) throw AddonError("concat: negative rows");
  std::vector<const float*> parts(count);
  int64_t total = 0;
  for (uint32_t i = 0; i < count; ++i) {
    napi_value element;
    napi_get_element(env, argv[0], i, &element);
    FloatView part = floatArg(env, element, "part");
    expectLength(part, rows * widths[i], "part");
    parts[i] = part.data;
    total += widths[i];
  }
  FloatView out = floatArg(env, argv[3], "out");
  expectLength(out, rows * total, "out");
  concatRows(parts, widths, rows, out.data);
  return nullptr;
})

// maxPool(x, y, geometry[14])
EXPORT(MaxPool, 3, {
  PoolGeometry g = poolGeometryFrom(intsArg(env, argv[2], "geometry"));
  FloatView x = floatArg(env, argv[0], "x"), y = floatArg(env, argv[1], "y");
  expectLength(x, g.batch * g.inHeight * g.inWidth * g.channels, "x");
  expectLength(y, g.batch * g.outHeight * g.outWidth * g.channels, "y");
  maxPool(g, x.data, y.data);
  return nullptr;
})

// maxPoolGrad(dy, x, dx, geometry[14])
EXPORT(MaxPoolGrad, 4, {
  PoolGeometry g = poolGeometryFrom(intsArg(env, argv[3], "geometry"));
  FloatView dy = floatArg(env, argv[0], "dy"), x = floatArg(env, argv[1], "x"), dx = floatArg(env, argv[2], "dx");
  expectLength(dy, g.batch * g.outHeight * g.outWidth * g.channels, "dy");
  expectLength(x, g.batch * g.inHeight * g.inWidth * g.channels, "x");
  expectLength(dx, g.batch * g.inHeight * g.inWidth * g.channels, "dx");
  maxPoolGrad(g, dy.data, x.data, dx.data);
  return nullptr;
})

// setThreads(n) -> the thread count now in effect
EXPORT(SetThreads, 1, {
  setThreadCount(intArg(env, argv[0], "threads"));
  napi_value out;
  napi_create_int32(env, threadCount(), &out);
  return out;
})

// keepFreedMemory()
EXPORT(KeepFreedMemory, 0, {
  keepFreedMemory();
  return nullptr;
})

// releaseFreedMemory()
EXPORT(ReleaseFreedMemory, 0, {
  releaseFreedMemory();
  return nullptr;
})

// info() -> { onednn: "2.6.3", threads, implementations: [...] }
EXPORT(Info, 0, {
  const dnnl_version_t* v = dnnl_version();
  napi_value out, version, threads, list;
  napi_create_object(env, &out);
  std::string text = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  napi_create_string_utf8(env, text.c_str(), text.size(), &version);
  napi_create_int32(env, threadCount(), &threads);
  auto implementations = convolutionImplementations();
  napi_create_array_with_length(env, implementations.size(), &list);
  for (size_t i = 0; i < implementations.size(); ++i) {
    napi_value s;
    napi_create_string_utf8(env, implementations[i].c_str(), implementations[i].size(), &s);
    napi_set_element(env, list, static_cast<uint32_t>(i), s);
  }
  napi_set_named_property(env, out, "onednn", version);
  napi_set_named_property(env, out, "threads", threads);
  napi_set_named_property(env, out, "implementations", list);
  return out;
})

}  // namespace
}  // namespace cxr

NAPI_MODULE_INIT() {
  const napi_property_descriptor properties[] = {
      {"conv2d", nullptr, cxr::Conv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropInput", nullptr, cxr::Conv2dBackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropFilter", nullptr, cxr::Conv2dBackpropFilter, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, cxr::Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, cxr::Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluGrad", nullptr, cxr::ReluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNorm", nullptr, cxr::BatchNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormTraining", nullptr, cxr::BatchNormTraining, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormTrainingGrad", nullptr, cxr::BatchNormTrainingGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sum", nullptr, cxr::Sum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tile", nullptr, cxr::Tile, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pad", nullptr, cxr::Pad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"slice", nullptr, cxr::Slice, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"concat", nullptr, cxr::Concat, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool", nullptr, cxr::MaxPool, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPoolGrad", nullptr, cxr::MaxPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, cxr::SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"keepFreedMemory", nullptr, cxr::KeepFreedMemory, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"releaseFreedMemory", nullptr, cxr::ReleaseFreedMemory, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, cxr::Info, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  return exports;
}
