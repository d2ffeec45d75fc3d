// Tile, pad and slice: copies of whole innermost rows, so each is a memcpy (or a short loop) per row.
#include <omp.h>

#include <algorithm>
#include <cstring>

#include "common.h"
#include "kernels.h"

namespace cxr {
namespace {

int64_t product(const std::vector<int64_t>& shape, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to; ++i) p *= shape[i];
  return p;
}

void checkRank(const std::vector<int64_t>& a, const std::vector<int64_t>& b, const char* op) {
  if (a.empty() || a.size() != b.size() || a.size() > kMaxRank) throw AddonError(std::string(op) + ": ranks differ or exceed 6");
}

std::vector<int64_t> rowStrides(const std::vector<int64_t>& shape) {
  // Strides in elements of each axis except the last, whose rows are copied whole.
  std::vector<int64_t> s(shape.size(), 1);
  for (int d = static_cast<int>(shape.size()) - 2; d >= 0; --d) s[d] = s[d + 1] * shape[d + 1];
  return s;
}

}  // namespace

void tile(const float* x, const std::vector<int64_t>& xShape, float* out, const std::vector<int64_t>& outShape) {
  checkRank(xShape, outShape, "tile");
  const size_t rank = xShape.size();
  for (size_t d = 0; d < rank; ++d)
    if (xShape[d] <= 0 || outShape[d] % xShape[d] != 0) throw AddonError("tile: output is not a whole multiple of the input");
  const int64_t rows = product(outShape, 0, rank - 1);
  const int64_t outLast = outShape[rank - 1], inLast = xShape[rank - 1];
  const std::vector<int64_t> inStride = rowStrides(xShape);
#pragma omp parallel for schedule(static) if (rows * outLast >= (1 << 15))
  for (int64_t row = 0; row < rows; ++row) {
    int64_t rest = row, inOffset = 0;
    for (int d = static_cast<int>(rank) - 2; d >= 0; --d) {
      int64_t coordinate = rest % outShape[d];
      rest /= outShape[d];
      inOffset += (coordinate % xShape[d]) * inStride[d];
    }
    const float* src = x + inOffset;
    float* dst = out + row * outLast;
    for (int64_t j = 0; j < outLast; j += inLast) std::memcpy(dst + j, src, sizeof(float) * inLast);
  }
}

void pad(const float* x, const std::vector<int64_t>& xShape, const std::vector<int64_t>& before, float* out,
         const std::vector<int64_t>& outShape, float value) {
  checkRank(xShape, outShape, "pad");
  const size_t rank = xShape.size();
  if (before.size() != rank) throw AddonError("pad: one padding per axis");
  for (size_t d = 0; d < rank; ++d)
    if (before[d] < 0 || before[d] + xShape[d] > outShape[d]) throw AddonError("pad: input does not fit the output");
  const int64_t total = product(outShape, 0, rank);
  const bool parallel = total >= (1 << 15);
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t i = 0; i < total; ++i) out[i] = value;
  const int64_t rows = product(xShape, 0, rank - 1);
  const int64_t inLast = xShape[rank - 1];
  const std::vector<int64_t> outStride = rowStrides(outShape);
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t row = 0; row < rows; ++row) {
    int64_t rest = row, outOffset = before[rank - 1];
    for (int d = static_cast<int>(rank) - 2; d >= 0; --d) {
      int64_t coordinate = rest % xShape[d];
      rest /= xShape[d];
      outOffset += (coordinate + before[d]) * outStride[d];
    }
    std::memcpy(out + outOffset, x + row * inLast, sizeof(float) * inLast);
  }
}

void slice(const float* x, const std::vector<int64_t>& xShape, const std::vector<int64_t>& begin, float* out,
           const std::vector<int64_t>& outShape) {
  checkRank(xShape, outShape, "slice");
  const size_t rank = xShape.size();
  if (begin.size() != rank) throw AddonError("slice: one start per axis");
  for (size_t d = 0; d < rank; ++d)
    if (begin[d] < 0 || begin[d] + outShape[d] > xShape[d]) throw AddonError("slice: window outside the input");
  const int64_t rows = product(outShape, 0, rank - 1);
  const int64_t outLast = outShape[rank - 1];
  const std::vector<int64_t> inStride = rowStrides(xShape);
#pragma omp parallel for schedule(static) if (rows * outLast >= (1 << 15))
  for (int64_t row = 0; row < rows; ++row) {
    int64_t rest = row, inOffset = begin[rank - 1];
    for (int d = static_cast<int>(rank) - 2; d >= 0; --d) {
      int64_t coordinate = rest % outShape[d];
      rest /= outShape[d];
      inOffset += (coordinate + begin[d]) * inStride[d];
    }
    std::memcpy(out + row * outLast, x + inOffset, sizeof(float) * outLast);
  }
}

void concatRows(const std::vector<const float*>& parts, const std::vector<int64_t>& widths, int64_t rows, float* out) {
  if (parts.size() != widths.size()) throw AddonError("concat: one width per input");
  int64_t total = 0;
  for (int64_t w : widths) {
    if (w < 0) throw AddonError("concat: negative width");
    total += w;
  }
#pragma omp parallel for schedule(static) if (rows * total >= (1 << 15))
  for (int64_t r = 0; r < rows; ++r) {
    float* dst = out + r * total;
    for (size_t i = 0; i < parts.size(); ++i) {
      std::memcpy(dst, parts[i] + r * widths[i], sizeof(float) * widths[i]);
      dst += widths[i];
    }
  }
}

}  // namespace cxr
