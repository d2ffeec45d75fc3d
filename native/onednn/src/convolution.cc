// Convolutions on oneDNN: forward (with optional bias and ReLU fused), and both gradients.
//
// Activations stay in tfjs's NHWC and filters in its HWIO, handed to oneDNN as user layouts so nothing is copied
// on the way in or out; only the filter is reordered into the blocked layout oneDNN's fastest kernels want.
// Primitives are built once per geometry and thread (JIT code generation costs milliseconds; a training step
// repeats the same few dozen geometries), so the cache is thread_local: Node worker threads never share one.
#include <dnnl.hpp>

#include <algorithm>
#include <memory>
#include <sstream>
#include <unordered_map>

#include "common.h"
#include "kernels.h"

namespace cxr {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

struct Context {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};

Context& context() {
  thread_local Context instance;
  return instance;
}

memory::desc activations(int64_t n, int64_t c, int64_t h, int64_t w) {
  return memory::desc({n, c, h, w}, dt::f32, tag::nhwc);
}

memory::desc filterAsStored(const ConvGeometry& g) {
  return memory::desc({g.outChannels, g.inChannels, g.filterHeight, g.filterWidth}, dt::f32, tag::hwio);
}

memory::desc filterAny(const ConvGeometry& g) {
  return memory::desc({g.outChannels, g.inChannels, g.filterHeight, g.filterWidth}, dt::f32, tag::any);
}

memory::dims strides(const ConvGeometry& g) { return {g.strideHeight, g.strideWidth}; }
// oneDNN counts dilation from 0 (no holes), tfjs from 1.
memory::dims dilations(const ConvGeometry& g) { return {g.dilationHeight - 1, g.dilationWidth - 1}; }
memory::dims padBefore(const ConvGeometry& g) { return {g.padTop, g.padLeft}; }
memory::dims padAfter(const ConvGeometry& g) { return {g.padBottom, g.padRight}; }

std::string keyOf(const char* kind, const ConvGeometry& g, int variant) {
  std::ostringstream key;
  key << kind << ':' << variant;
  for (int64_t v : {g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.outChannels,
                    g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth,
                    g.padTop, g.padLeft, g.padBottom, g.padRight})
    key << ',' << v;
  return key.str();
}

dnnl::convolution_forward::primitive_desc forwardDesc(const ConvGeometry& g, bool withBias, bool relu,
                                                      dnnl::prop_kind kind) {
  auto& ctx = context();
  memory::desc src = activations(g.batch, g.inChannels, g.inHeight, g.inWidth);
  memory::desc dst = activations(g.batch, g.outChannels, g.outHeight, g.outWidth);
  dnnl::primitive_attr attr;
  if (relu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  if (withBias) {
    memory::desc bias({g.outChannels}, dt::f32, tag::x);
    dnnl::convolution_forward::desc d(kind, dnnl::algorithm::convolution_direct, src, filterAny(g), bias, dst,
                                      strides(g), dilations(g), padBefore(g), padAfter(g));
    return dnnl::convolution_forward::primitive_desc(d, attr, ctx.engine);
  }
  dnnl::convolution_forward::desc d(kind, dnnl::algorithm::convolution_direct, src, filterAny(g), dst, strides(g),
                                    dilations(g), padBefore(g), padAfter(g));
  return dnnl::convolution_forward::primitive_desc(d, attr, ctx.engine);
}

// A filter in the layout a primitive wants: either the caller's buffer as it is, or a reorder into scratch.
struct FilterPlan {
  memory::desc wanted;
  bool reorder = false;
  dnnl::reorder toWanted;    // user HWIO -> wanted (forward, backward data)
  dnnl::reorder fromWanted;  // wanted -> user HWIO (backward filter)
};

FilterPlan planFilter(const ConvGeometry& g, const memory::desc& wanted, bool intoUser) {
  auto& ctx = context();
  FilterPlan plan;
  plan.wanted = wanted;
  memory::desc user = filterAsStored(g);
  plan.reorder = wanted != user;
  if (plan.reorder) {
    if (intoUser)
      plan.fromWanted = dnnl::reorder(dnnl::reorder::primitive_desc(ctx.engine, wanted, ctx.engine, user));
    else
      plan.toWanted = dnnl::reorder(dnnl::reorder::primitive_desc(ctx.engine, user, ctx.engine, wanted));
  }
  return plan;
}

struct Plan {
  dnnl::primitive primitive;
  FilterPlan filter;
  std::string implementation;
};

using PlanCache = std::unordered_map<std::string, std::shared_ptr<Plan>>;

PlanCache& plans() {
  thread_local PlanCache cache;
  return cache;
}

std::vector<float>& filterScratch(size_t elements) {
  thread_local std::vector<float> scratch;
  if (scratch.size() < elements) scratch.resize(elements);
  return scratch;
}

size_t filterElements(const ConvGeometry& g, const memory::desc& d) { return d.get_size() / sizeof(float); }

void check(const ConvGeometry& g) {
  for (int64_t v : {g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.outChannels,
                    g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth})
    if (v <= 0) throw AddonError("convolution geometry has a non-positive size");
  for (int64_t v : {g.padTop, g.padLeft, g.padBottom, g.padRight})
    if (v < 0) throw AddonError("convolution geometry has a negative padding");
}

}  // namespace

ConvGeometry convGeometryFrom(const std::vector<int64_t>& f) {
  if (f.size() != kConvGeometryFields) throw AddonError("convolution geometry needs 17 fields");
  ConvGeometry g{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8],
                 f[9], f[10], f[11], f[12], f[13], f[14], f[15], f[16]};
  check(g);
  return g;
}

void conv2dForward(const ConvGeometry& g, const float* x, const float* filter, const float* bias, bool relu, float* y) {
  auto& ctx = context();
  const bool withBias = bias != nullptr;
  std::string key = keyOf("fwd", g, (withBias ? 1 : 0) + (relu ? 2 : 0));
  auto found = plans().find(key);
  if (found == plans().end()) {
    auto pd = forwardDesc(g, withBias, relu, dnnl::prop_kind::forward_inference);
    auto plan = std::make_shared<Plan>();
    plan->primitive = dnnl::convolution_forward(pd);
    plan->filter = planFilter(g, pd.weights_desc(), false);
    plan->implementation = std::string("conv fwd ") + pd.impl_info_str();
    found = plans().emplace(key, plan).first;
  }
  Plan& plan = *found->second;
  memory userFilter(filterAsStored(g), ctx.engine, const_cast<float*>(filter));
  memory src(activations(g.batch, g.inChannels, g.inHeight, g.inWidth), ctx.engine, const_cast<float*>(x));
  memory dst(activations(g.batch, g.outChannels, g.outHeight, g.outWidth), ctx.engine, y);
  memory weights = userFilter;
  if (plan.filter.reorder) {
    weights = memory(plan.filter.wanted, ctx.engine, filterScratch(filterElements(g, plan.filter.wanted)).data());
    plan.filter.toWanted.execute(ctx.stream, userFilter, weights);
  }
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
  if (withBias)
    args.emplace(DNNL_ARG_BIAS, memory(memory::desc({g.outChannels}, dt::f32, tag::x), ctx.engine, const_cast<float*>(bias)));
  plan.primitive.execute(ctx.stream, args);
  ctx.stream.wait();
}

namespace {

// Below this many input channels oneDNN's direct backward-data kernels vectorise over almost nothing: ResNet's
// 7×7 stem on a 1-channel radiograph took 57 ms per batch of 8 that way. One GEMM into columns and a col2im
// scatter take ~8 ms for the same gradient.
constexpr int64_t kColumnsBelowChannels = 5;

void backwardDataByColumns(const ConvGeometry& g, const float* dy, const float* filter, float* dx) {
  const int64_t rows = g.batch * g.outHeight * g.outWidth;
  const int64_t taps = g.filterHeight * g.filterWidth * g.inChannels;
  thread_local std::vector<float> columns;
  if (columns.size() < static_cast<size_t>(rows * taps)) columns.resize(static_cast<size_t>(rows * taps));
  float* cols = columns.data();
  // columns[rows, taps] = dy[rows, outChannels] · filterᵀ, the filter being stored as [taps, outChannels].
  if (dnnl_sgemm('N', 'T', rows, taps, g.outChannels, 1.f, dy, g.outChannels, filter, g.outChannels, 0.f, cols, taps) !=
      dnnl_success)
    throw AddonError("sgemm failed for the backward-data columns");
  const int64_t imageSize = g.inHeight * g.inWidth * g.inChannels;
#pragma omp parallel for schedule(static)
  for (int64_t n = 0; n < g.batch; ++n) {
    float* image = dx + n * imageSize;
    std::fill(image, image + imageSize, 0.f);
    for (int64_t oh = 0; oh < g.outHeight; ++oh)
      for (int64_t ow = 0; ow < g.outWidth; ++ow) {
        const float* col = cols + ((n * g.outHeight + oh) * g.outWidth + ow) * taps;
        for (int64_t fh = 0; fh < g.filterHeight; ++fh) {
          const int64_t ih = oh * g.strideHeight - g.padTop + fh * g.dilationHeight;
          if (ih < 0 || ih >= g.inHeight) continue;
          for (int64_t fw = 0; fw < g.filterWidth; ++fw) {
            const int64_t iw = ow * g.strideWidth - g.padLeft + fw * g.dilationWidth;
            if (iw < 0 || iw >= g.inWidth) continue;
            const float* c = col + (fh * g.filterWidth + fw) * g.inChannels;
            float* d = image + (ih * g.inWidth + iw) * g.inChannels;
            for (int64_t ic = 0; ic < g.inChannels; ++ic) d[ic] += c[ic];
          }
        }
      }
  }
}

}  // namespace

void conv2dBackwardData(const ConvGeometry& g, const float* dy, const float* filter, float* dx) {
  if (g.inChannels < kColumnsBelowChannels) return backwardDataByColumns(g, dy, filter, dx);
  auto& ctx = context();
  std::string key = keyOf("bwd-data", g, 0);
  auto found = plans().find(key);
  if (found == plans().end()) {
    auto hint = forwardDesc(g, false, false, dnnl::prop_kind::forward_training);
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct,
                                            activations(g.batch, g.inChannels, g.inHeight, g.inWidth), filterAny(g),
                                            activations(g.batch, g.outChannels, g.outHeight, g.outWidth), strides(g),
                                            dilations(g), padBefore(g), padAfter(g));
    dnnl::convolution_backward_data::primitive_desc pd(d, ctx.engine, hint);
    auto plan = std::make_shared<Plan>();
    plan->primitive = dnnl::convolution_backward_data(pd);
    plan->filter = planFilter(g, pd.weights_desc(), false);
    plan->implementation = std::string("conv bwd data ") + pd.impl_info_str();
    found = plans().emplace(key, plan).first;
  }
  Plan& plan = *found->second;
  memory userFilter(filterAsStored(g), ctx.engine, const_cast<float*>(filter));
  memory weights = userFilter;
  if (plan.filter.reorder) {
    weights = memory(plan.filter.wanted, ctx.engine, filterScratch(filterElements(g, plan.filter.wanted)).data());
    plan.filter.toWanted.execute(ctx.stream, userFilter, weights);
  }
  memory diffDst(activations(g.batch, g.outChannels, g.outHeight, g.outWidth), ctx.engine, const_cast<float*>(dy));
  memory diffSrc(activations(g.batch, g.inChannels, g.inHeight, g.inWidth), ctx.engine, dx);
  plan.primitive.execute(ctx.stream, {{DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DIFF_SRC, diffSrc}});
  ctx.stream.wait();
}

void conv2dBackwardFilter(const ConvGeometry& g, const float* x, const float* dy, float* dFilter) {
  auto& ctx = context();
  std::string key = keyOf("bwd-filter", g, 0);
  auto found = plans().find(key);
  if (found == plans().end()) {
    auto hint = forwardDesc(g, false, false, dnnl::prop_kind::forward_training);
    dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct,
                                               activations(g.batch, g.inChannels, g.inHeight, g.inWidth), filterAny(g),
                                               activations(g.batch, g.outChannels, g.outHeight, g.outWidth), strides(g),
                                               dilations(g), padBefore(g), padAfter(g));
    dnnl::convolution_backward_weights::primitive_desc pd(d, ctx.engine, hint);
    auto plan = std::make_shared<Plan>();
    plan->primitive = dnnl::convolution_backward_weights(pd);
    plan->filter = planFilter(g, pd.diff_weights_desc(), true);
    plan->implementation = std::string("conv bwd filter ") + pd.impl_info_str();
    found = plans().emplace(key, plan).first;
  }
  Plan& plan = *found->second;
  memory userFilter(filterAsStored(g), ctx.engine, dFilter);
  memory diffWeights = userFilter;
  if (plan.filter.reorder)
    diffWeights = memory(plan.filter.wanted, ctx.engine, filterScratch(filterElements(g, plan.filter.wanted)).data());
  memory src(activations(g.batch, g.inChannels, g.inHeight, g.inWidth), ctx.engine, const_cast<float*>(x));
  memory diffDst(activations(g.batch, g.outChannels, g.outHeight, g.outWidth), ctx.engine, const_cast<float*>(dy));
  plan.primitive.execute(ctx.stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_DIFF_WEIGHTS, diffWeights}});
  if (plan.filter.reorder) plan.filter.fromWanted.execute(ctx.stream, diffWeights, userFilter);
  ctx.stream.wait();
}

std::vector<std::string> convolutionImplementations() {
  std::vector<std::string> out;
  for (auto& [key, plan] : plans()) out.push_back(plan->implementation + " [" + key + "]");
  return out;
}

}  // namespace cxr
