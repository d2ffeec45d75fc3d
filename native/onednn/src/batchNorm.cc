// Batch normalisation in training mode as two fused kernels, forward (batch statistics and the normalised output)
// and backward (all three gradients), replacing the dozen element-wise ops tfjs composes it from.
//
// Statistics are accumulated in double in one pass over shifted values; the variance is the biased one tfjs uses
// for normalising and for its moving average.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common.h"
#include "kernels.h"

namespace cxr {
namespace {

// Per-channel sums of f(row, c) over all rows, split across threads with private accumulators.
template <typename F>
void channelSums(int64_t rows, int64_t channels, int outputs, F accumulate, std::vector<double>& result) {
  const int threads = omp_get_max_threads();
  std::vector<double> partial(static_cast<size_t>(threads) * outputs * channels, 0.0);
#pragma omp parallel if (rows * channels >= (1 << 15))
  {
    double* acc = partial.data() + static_cast<size_t>(omp_get_thread_num()) * outputs * channels;
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; ++r) accumulate(r, acc);
  }
  result.assign(static_cast<size_t>(outputs) * channels, 0.0);
  for (int t = 0; t < threads; ++t)
    for (size_t i = 0; i < result.size(); ++i) result[i] += partial[static_cast<size_t>(t) * outputs * channels + i];
}

}  // namespace

void batchNormTraining(const float* x, int64_t rows, int64_t channels, const float* gamma, const float* beta,
                       float epsilon, float* y, float* mean, float* variance) {
  if (rows <= 0) throw AddonError("batchNormTraining: no rows");
  const int64_t C = channels;
  // One pass for both moments, on values shifted by the first row so the variance does not come from the
  // difference of two large sums (the shifted sum of squares in double is as exact as tfjs's two passes).
  std::vector<float> shift(x, x + C);
  const float* sp = shift.data();
  std::vector<double> sums;
  channelSums(rows, C, 2, [&](int64_t r, double* acc) {
    const float* xr = x + r * C;
    for (int64_t c = 0; c < C; ++c) {
      const double d = static_cast<double>(xr[c]) - sp[c];
      acc[c] += d;
      acc[C + c] += d * d;
    }
  }, sums);
  std::vector<float> m(C);
  for (int64_t c = 0; c < C; ++c) {
    const double shiftedMean = sums[c] / rows;
    m[c] = mean[c] = static_cast<float>(sp[c] + shiftedMean);
    variance[c] = static_cast<float>(std::max(0.0, sums[C + c] / rows - shiftedMean * shiftedMean));
  }
  const float* mp = m.data();
  std::vector<float> k(C), b(C);
  for (int64_t c = 0; c < C; ++c) {
    k[c] = (gamma ? gamma[c] : 1.f) / std::sqrt(variance[c] + epsilon);
    b[c] = beta ? beta[c] : 0.f;
  }
  const float* kp = k.data();
  const float* bp = b.data();
#pragma omp parallel for schedule(static) if (rows * C >= (1 << 15))
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    float* yr = y + r * C;
    for (int64_t c = 0; c < C; ++c) yr[c] = (xr[c] - mp[c]) * kp[c] + bp[c];
  }
}

void batchNormTrainingGrad(const float* dy, const float* x, int64_t rows, int64_t channels, const float* gamma,
                           const float* mean, const float* variance, float epsilon, float* dx, float* dGamma,
                           float* dBeta) {
  if (rows <= 0) throw AddonError("batchNormTrainingGrad: no rows");
  const int64_t C = channels;
  std::vector<float> inv(C);
  for (int64_t c = 0; c < C; ++c) inv[c] = 1.f / std::sqrt(variance[c] + epsilon);
  const float* ip = inv.data();
  // Σ dy and Σ dy·x̂ per channel.
  std::vector<double> sums;
  channelSums(rows, C, 2, [&](int64_t r, double* acc) {
    const float* dyr = dy + r * C;
    const float* xr = x + r * C;
    for (int64_t c = 0; c < C; ++c) {
      acc[c] += dyr[c];
      acc[C + c] += static_cast<double>(dyr[c]) * ((xr[c] - mean[c]) * ip[c]);
    }
  }, sums);
  std::vector<float> a(C), bTerm(C), cTerm(C);
  for (int64_t c = 0; c < C; ++c) {
    dBeta[c] = static_cast<float>(sums[c]);
    dGamma[c] = static_cast<float>(sums[C + c]);
    // dx = γ·inv·(dy − Σdy/M − x̂·Σ(dy·x̂)/M)
    const float g = gamma ? gamma[c] : 1.f;
    a[c] = g * ip[c];
    bTerm[c] = static_cast<float>(sums[c] / rows);
    cTerm[c] = static_cast<float>(sums[C + c] / rows);
  }
  const float* ap = a.data();
  const float* bp = bTerm.data();
  const float* cp = cTerm.data();
#pragma omp parallel for schedule(static) if (rows * C >= (1 << 15))
  for (int64_t r = 0; r < rows; ++r) {
    const float* dyr = dy + r * C;
    const float* xr = x + r * C;
    float* dxr = dx + r * C;
    for (int64_t c = 0; c < C; ++c) {
      const float xhat = (xr[c] - mean[c]) * ip[c];
      dxr[c] = ap[c] * (dyr[c] - bp[c] - xhat * cp[c]);
    }
  }
}

}  // namespace cxr
