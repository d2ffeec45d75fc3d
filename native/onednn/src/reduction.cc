// Sums over a contiguous block of axes, accumulated in double as tfjs's cpu backend (JS numbers) does, so the
// per-channel sums of a batch-norm gradient over 8×112×112 positions agree with the reference to float precision.
#include <omp.h>

#include <algorithm>
#include <vector>

#include "common.h"
#include "kernels.h"

namespace cxr {

void sumMiddle(const float* x, int64_t outer, int64_t reduce, int64_t inner, float* out, double scale) {
  if (outer <= 0 || inner <= 0) return;
  if (reduce <= 0) {
    std::fill(out, out + outer * inner, 0.f);
    return;
  }
  const int threads = omp_get_max_threads();
  const bool parallel = outer * reduce * inner >= (1 << 15);
  if (inner == 1) {
    if (outer >= threads || !parallel) {
#pragma omp parallel for schedule(static) if (parallel)
      for (int64_t o = 0; o < outer; ++o) {
        const float* row = x + o * reduce;
        double total = 0;
        for (int64_t r = 0; r < reduce; ++r) total += row[r];
        out[o] = static_cast<float>(total * scale);
      }
      return;
    }
    for (int64_t o = 0; o < outer; ++o) {
      const float* row = x + o * reduce;
      double total = 0;
#pragma omp parallel for schedule(static) reduction(+ : total)
      for (int64_t r = 0; r < reduce; ++r) total += row[r];
      out[o] = static_cast<float>(total * scale);
    }
    return;
  }
  if (outer >= threads || !parallel) {
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t o = 0; o < outer; ++o) {
      std::vector<double> acc(inner, 0.0);
      const float* block = x + o * reduce * inner;
      for (int64_t r = 0; r < reduce; ++r) {
        const float* row = block + r * inner;
        for (int64_t i = 0; i < inner; ++i) acc[i] += row[i];
      }
      for (int64_t i = 0; i < inner; ++i) out[o * inner + i] = static_cast<float>(acc[i] * scale);
    }
    return;
  }
  // Few outputs rows (e.g. per-channel sums over N·H·W): split the reduced rows across threads, then combine.
  for (int64_t o = 0; o < outer; ++o) {
    const float* block = x + o * reduce * inner;
    std::vector<double> partial(static_cast<size_t>(threads) * inner, 0.0);
#pragma omp parallel num_threads(threads)
    {
      double* acc = partial.data() + static_cast<size_t>(omp_get_thread_num()) * inner;
#pragma omp for schedule(static)
      for (int64_t r = 0; r < reduce; ++r) {
        const float* row = block + r * inner;
        for (int64_t i = 0; i < inner; ++i) acc[i] += row[i];
      }
    }
    for (int64_t i = 0; i < inner; ++i) {
      double total = 0;
      for (int t = 0; t < threads; ++t) total += partial[static_cast<size_t>(t) * inner + i];
      out[o * inner + i] = static_cast<float>(total * scale);
    }
  }
}

}  // namespace cxr
