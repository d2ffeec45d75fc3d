// Max pooling and its gradient over NHWC, vectorised across channels.
#include <omp.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "common.h"
#include "kernels.h"

namespace cxr {

PoolGeometry poolGeometryFrom(const std::vector<int64_t>& f) {
  if (f.size() != kPoolGeometryFields) throw AddonError("pooling geometry needs 14 fields");
  PoolGeometry g{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13]};
  for (int64_t v : {g.batch, g.inHeight, g.inWidth, g.channels, g.outHeight, g.outWidth, g.filterHeight, g.filterWidth,
                    g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth})
    if (v <= 0) throw AddonError("pooling geometry has a non-positive size");
  if (g.inHeight * g.inWidth > INT32_MAX) throw AddonError("pooling: image too large for 32-bit pixel indices");
  return g;
}

namespace {

// The window of output cell (oh, ow) clipped to the image: padded cells never take part.
struct Window {
  int64_t h0, h1, w0, w1;  // filter taps [h0, h1) × [w0, w1)
};

Window windowOf(const PoolGeometry& g, int64_t oh, int64_t ow) {
  auto range = [](int64_t origin, int64_t taps, int64_t dilation, int64_t extent, int64_t& first, int64_t& last) {
    first = 0;
    while (first < taps && origin + first * dilation < 0) ++first;
    last = taps;
    while (last > first && origin + (last - 1) * dilation >= extent) --last;
  };
  Window w;
  range(oh * g.strideHeight - g.padTop, g.filterHeight, g.dilationHeight, g.inHeight, w.h0, w.h1);
  range(ow * g.strideWidth - g.padLeft, g.filterWidth, g.dilationWidth, g.inWidth, w.w0, w.w1);
  return w;
}

}  // namespace

void maxPool(const PoolGeometry& g, const float* x, float* y) {
  const int64_t C = g.channels;
  const int64_t rows = g.batch * g.outHeight;
#pragma omp parallel for schedule(static)
  for (int64_t row = 0; row < rows; ++row) {
    const int64_t n = row / g.outHeight, oh = row % g.outHeight;
    const float* image = x + n * g.inHeight * g.inWidth * C;
    for (int64_t ow = 0; ow < g.outWidth; ++ow) {
      float* out = y + ((n * g.outHeight + oh) * g.outWidth + ow) * C;
      for (int64_t c = 0; c < C; ++c) out[c] = -std::numeric_limits<float>::infinity();
      const Window w = windowOf(g, oh, ow);
      for (int64_t fh = w.h0; fh < w.h1; ++fh) {
        const int64_t ih = oh * g.strideHeight - g.padTop + fh * g.dilationHeight;
        for (int64_t fw = w.w0; fw < w.w1; ++fw) {
          const int64_t iw = ow * g.strideWidth - g.padLeft + fw * g.dilationWidth;
          const float* v = image + (ih * g.inWidth + iw) * C;
          // NaN never wins (as in tfjs): the comparison is false for it.
          for (int64_t c = 0; c < C; ++c) out[c] = v[c] > out[c] ? v[c] : out[c];
        }
      }
    }
  }
}

void maxPoolGrad(const PoolGeometry& g, const float* dy, const float* x, float* dx) {
  const int64_t C = g.channels;
  const int64_t imageSize = g.inHeight * g.inWidth * C;
  // Windows overlap within an image, so images (not rows) are the unit of parallel work.
#pragma omp parallel
  {
    std::vector<float> best(C), pending(C);
#pragma omp for schedule(static)
    for (int64_t n = 0; n < g.batch; ++n) {
      const float* image = x + n * imageSize;
      float* grad = dx + n * imageSize;
      std::memset(grad, 0, sizeof(float) * imageSize);
      float* bp = best.data();
      float* pp = pending.data();
      for (int64_t oh = 0; oh < g.outHeight; ++oh)
        for (int64_t ow = 0; ow < g.outWidth; ++ow) {
          const Window w = windowOf(g, oh, ow);
          const int64_t ih0 = oh * g.strideHeight - g.padTop, iw0 = ow * g.strideWidth - g.padLeft;
          for (int64_t c = 0; c < C; ++c) bp[c] = -std::numeric_limits<float>::infinity();
          for (int64_t fh = w.h0; fh < w.h1; ++fh)
            for (int64_t fw = w.w0; fw < w.w1; ++fw) {
              const float* v = image + ((ih0 + fh * g.dilationHeight) * g.inWidth + iw0 + fw * g.dilationWidth) * C;
              for (int64_t c = 0; c < C; ++c) bp[c] = v[c] > bp[c] ? v[c] : bp[c];
            }
          // Second sweep in the same row-major order: the first cell equal to the maximum takes the gradient
          // (tfjs's tie rule), branch-free so it vectorises across channels.
          const float* d = dy + ((n * g.outHeight + oh) * g.outWidth + ow) * C;
          for (int64_t c = 0; c < C; ++c) pp[c] = d[c];
          for (int64_t fh = w.h0; fh < w.h1; ++fh)
            for (int64_t fw = w.w0; fw < w.w1; ++fw) {
              const int64_t offset = ((ih0 + fh * g.dilationHeight) * g.inWidth + iw0 + fw * g.dilationWidth) * C;
              const float* __restrict v = image + offset;
              float* __restrict gp = grad + offset;
              float* __restrict pr = pp;
              const float* __restrict br = bp;
              for (int64_t c = 0; c < C; ++c) {
                // A 0/1 factor rather than a select: GCC vectorises this form only (5x faster here). It differs
                // from a select only for an infinite or NaN dy, which spreads to the window's other cells.
                const float hit = v[c] == br[c] ? 1.f : 0.f;
                const float take = hit * pr[c];
                gp[c] += take;
                pr[c] -= take;
              }
            }
        }
    }
  }
}

}  // namespace cxr
