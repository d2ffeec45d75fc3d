// Element-wise kernels with NumPy broadcasting, threaded with OpenMP (the team oneDNN uses too).
//
// Semantics follow tfjs's cpu backend, which is the reference the tests compare with: NaN propagates through
// maximum/minimum, step(x) is alpha for x <= 0, relu keeps NaN.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common.h"
#include "kernels.h"

namespace cxr {
namespace {

// Below this many elements a thread team costs more than it saves.
constexpr int64_t kParallelThreshold = 1 << 15;
constexpr int64_t kChunk = 1 << 14;

template <BinaryOp op>
inline float apply(float a, float b) {
  if constexpr (op == BinaryOp::Add) return a + b;
  if constexpr (op == BinaryOp::Sub) return a - b;
  if constexpr (op == BinaryOp::Mul) return a * b;
  if constexpr (op == BinaryOp::Div) return a / b;
  if constexpr (op == BinaryOp::SquaredDifference) return (a - b) * (a - b);
  if constexpr (op == BinaryOp::Maximum) return (a != a || b != b) ? std::numeric_limits<float>::quiet_NaN() : (a > b ? a : b);
  if constexpr (op == BinaryOp::Minimum) return (a != a || b != b) ? std::numeric_limits<float>::quiet_NaN() : (a < b ? a : b);
}

// The innermost run, specialised on which operand advances so the compiler vectorises each case.
template <BinaryOp op>
inline void run(const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t length) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < length; ++i) out[i] = apply<op>(a[i], b[i]);
  } else if (sa == 1) {
    const float bv = b[0];
    for (int64_t i = 0; i < length; ++i) out[i] = apply<op>(a[i], bv);
  } else if (sb == 1) {
    const float av = a[0];
    for (int64_t i = 0; i < length; ++i) out[i] = apply<op>(av, b[i]);
  } else {
    const float v = apply<op>(a[0], b[0]);
    for (int64_t i = 0; i < length; ++i) out[i] = v;
  }
}

struct Broadcast {
  int rank = 0;
  int64_t dims[kMaxRank + 1];
  int64_t aStride[kMaxRank + 1];
  int64_t bStride[kMaxRank + 1];
};

// Aligns both shapes to the output, gives broadcast axes stride 0, and merges neighbouring axes that walk
// memory the same way, so [8,56,56,64] + [64] becomes a [25088, 64] problem with a contiguous inner run.
Broadcast plan(const std::vector<int64_t>& aShape, const std::vector<int64_t>& bShape, const std::vector<int64_t>& outShape) {
  const int rank = static_cast<int>(outShape.size());
  if (rank > kMaxRank) throw AddonError("binary op: rank above 6");
  if (aShape.size() > outShape.size() || bShape.size() > outShape.size()) throw AddonError("binary op: operand rank above output rank");
  int64_t aFull[kMaxRank], bFull[kMaxRank];
  for (int d = 0; d < rank; ++d) {
    int ai = d - (rank - static_cast<int>(aShape.size()));
    int bi = d - (rank - static_cast<int>(bShape.size()));
    aFull[d] = ai >= 0 ? aShape[ai] : 1;
    bFull[d] = bi >= 0 ? bShape[bi] : 1;
    if ((aFull[d] != outShape[d] && aFull[d] != 1) || (bFull[d] != outShape[d] && bFull[d] != 1))
      throw AddonError("binary op: shapes do not broadcast");
  }
  int64_t aS[kMaxRank], bS[kMaxRank];
  int64_t as = 1, bs = 1;
  for (int d = rank - 1; d >= 0; --d) {
    aS[d] = (aFull[d] == 1 && outShape[d] != 1) ? 0 : as;
    bS[d] = (bFull[d] == 1 && outShape[d] != 1) ? 0 : bs;
    as *= aFull[d];
    bs *= bFull[d];
  }
  Broadcast p;
  // Drop size-1 axes, then merge.
  for (int d = 0; d < rank; ++d) {
    if (outShape[d] == 1) continue;
    if (p.rank > 0) {
      int last = p.rank - 1;
      bool aMerges = p.aStride[last] == aS[d] * outShape[d];
      bool bMerges = p.bStride[last] == bS[d] * outShape[d];
      if (aMerges && bMerges) {
        p.dims[last] *= outShape[d];
        p.aStride[last] = aS[d];
        p.bStride[last] = bS[d];
        continue;
      }
    }
    p.dims[p.rank] = outShape[d];
    p.aStride[p.rank] = aS[d];
    p.bStride[p.rank] = bS[d];
    ++p.rank;
  }
  if (p.rank == 0) {
    p.rank = 1;
    p.dims[0] = 1;
    p.aStride[0] = 1;
    p.bStride[0] = 1;
  }
  return p;
}

template <BinaryOp op>
void binaryTyped(const float* a, const float* b, float* out, const Broadcast& p) {
  const int inner = p.rank - 1;
  const int64_t length = p.dims[inner];
  const int64_t sa = p.aStride[inner], sb = p.bStride[inner];
  int64_t rows = 1;
  for (int d = 0; d < inner; ++d) rows *= p.dims[d];
  const int64_t chunksPerRow = (length + kChunk - 1) / kChunk;
  const int64_t tasks = rows * chunksPerRow;
  const bool parallel = rows * length >= kParallelThreshold;
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t task = 0; task < tasks; ++task) {
    int64_t row = task / chunksPerRow;
    int64_t begin = (task % chunksPerRow) * kChunk;
    int64_t end = std::min(length, begin + kChunk);
    int64_t aOffset = 0, bOffset = 0, rest = row;
    for (int d = inner - 1; d >= 0; --d) {
      int64_t coordinate = rest % p.dims[d];
      rest /= p.dims[d];
      aOffset += coordinate * p.aStride[d];
      bOffset += coordinate * p.bStride[d];
    }
    run<op>(a + aOffset + begin * sa, sa, b + bOffset + begin * sb, sb, out + row * length + begin, end - begin);
  }
}

template <UnaryOp op>
inline float applyUnary(float x, float alpha) {
  if constexpr (op == UnaryOp::Relu) return x < 0.f ? 0.f : x;
  if constexpr (op == UnaryOp::Step) {
    const float step = x > 0.f ? 1.f : alpha;  // two flat selects: the form GCC vectorises
    return x == x ? step : x;
  }
  if constexpr (op == UnaryOp::Neg) return -x;
  if constexpr (op == UnaryOp::Sqrt) return std::sqrt(x);
  if constexpr (op == UnaryOp::Rsqrt) return 1.f / std::sqrt(x);
  if constexpr (op == UnaryOp::Square) return x * x;
  if constexpr (op == UnaryOp::Exp) return std::exp(x);
  if constexpr (op == UnaryOp::Log) return std::log(x);
  if constexpr (op == UnaryOp::Sigmoid) return 1.f / (1.f + std::exp(-x));
  if constexpr (op == UnaryOp::Abs) return std::fabs(x);
  if constexpr (op == UnaryOp::Reciprocal) return 1.f / x;
  if constexpr (op == UnaryOp::Relu6) return x < 0.f ? 0.f : (x > 6.f ? 6.f : x);
  if constexpr (op == UnaryOp::LeakyRelu) return x < 0.f ? alpha * x : x;
  if constexpr (op == UnaryOp::Elu) return x >= 0.f ? x : std::exp(x) - 1.f;
}

template <UnaryOp op>
void unaryTyped(const float* x, float* y, int64_t n, float alpha) {
#pragma omp parallel for schedule(static) if (n >= kParallelThreshold)
  for (int64_t i = 0; i < n; ++i) y[i] = applyUnary<op>(x[i], alpha);
}

float at(const ChannelParam& p, size_t c, float otherwise) {
  if (p.data == nullptr) return otherwise;
  return p.length == 1 ? p.data[0] : p.data[c];
}

}  // namespace

void binary(BinaryOp op, const float* a, const std::vector<int64_t>& aShape, const float* b,
            const std::vector<int64_t>& bShape, float* out, const std::vector<int64_t>& outShape) {
  Broadcast p = plan(aShape, bShape, outShape);
  switch (op) {
    case BinaryOp::Add: return binaryTyped<BinaryOp::Add>(a, b, out, p);
    case BinaryOp::Sub: return binaryTyped<BinaryOp::Sub>(a, b, out, p);
    case BinaryOp::Mul: return binaryTyped<BinaryOp::Mul>(a, b, out, p);
    case BinaryOp::Div: return binaryTyped<BinaryOp::Div>(a, b, out, p);
    case BinaryOp::SquaredDifference: return binaryTyped<BinaryOp::SquaredDifference>(a, b, out, p);
    case BinaryOp::Maximum: return binaryTyped<BinaryOp::Maximum>(a, b, out, p);
    case BinaryOp::Minimum: return binaryTyped<BinaryOp::Minimum>(a, b, out, p);
  }
  throw AddonError("binary op: unknown operation");
}

void unary(UnaryOp op, const float* x, float* y, size_t count, float alpha) {
  const int64_t n = static_cast<int64_t>(count);
  switch (op) {
    case UnaryOp::Relu: return unaryTyped<UnaryOp::Relu>(x, y, n, alpha);
    case UnaryOp::Step: return unaryTyped<UnaryOp::Step>(x, y, n, alpha);
    case UnaryOp::Neg: return unaryTyped<UnaryOp::Neg>(x, y, n, alpha);
    case UnaryOp::Sqrt: return unaryTyped<UnaryOp::Sqrt>(x, y, n, alpha);
    case UnaryOp::Rsqrt: return unaryTyped<UnaryOp::Rsqrt>(x, y, n, alpha);
    case UnaryOp::Square: return unaryTyped<UnaryOp::Square>(x, y, n, alpha);
    case UnaryOp::Exp: return unaryTyped<UnaryOp::Exp>(x, y, n, alpha);
    case UnaryOp::Log: return unaryTyped<UnaryOp::Log>(x, y, n, alpha);
    case UnaryOp::Sigmoid: return unaryTyped<UnaryOp::Sigmoid>(x, y, n, alpha);
    case UnaryOp::Abs: return unaryTyped<UnaryOp::Abs>(x, y, n, alpha);
    case UnaryOp::Reciprocal: return unaryTyped<UnaryOp::Reciprocal>(x, y, n, alpha);
    case UnaryOp::Relu6: return unaryTyped<UnaryOp::Relu6>(x, y, n, alpha);
    case UnaryOp::LeakyRelu: return unaryTyped<UnaryOp::LeakyRelu>(x, y, n, alpha);
    case UnaryOp::Elu: return unaryTyped<UnaryOp::Elu>(x, y, n, alpha);
  }
  throw AddonError("unary op: unknown operation");
}

void batchNormInference(const float* x, size_t rows, size_t channels, ChannelParam mean, ChannelParam variance,
                        ChannelParam offset, ChannelParam scale, float epsilon, float* y) {
  // One pass: y = (x - mean) * k + offset with k = scale / sqrt(variance + epsilon) per channel. The mean is
  // subtracted first (not folded into the offset) so a large mean cannot cancel away the signal.
  std::vector<float> m(channels), k(channels), b(channels);
  for (size_t c = 0; c < channels; ++c) {
    m[c] = at(mean, c, 0.f);
    k[c] = at(scale, c, 1.f) / std::sqrt(at(variance, c, 1.f) + epsilon);
    b[c] = at(offset, c, 0.f);
  }
  const int64_t n = static_cast<int64_t>(rows);
  const float* mp = m.data();
  const float* kp = k.data();
  const float* bp = b.data();
#pragma omp parallel for schedule(static) if (rows * channels >= static_cast<size_t>(kParallelThreshold))
  for (int64_t r = 0; r < n; ++r) {
    const float* xr = x + r * channels;
    float* yr = y + r * channels;
    for (size_t c = 0; c < channels; ++c) yr[c] = (xr[c] - mp[c]) * kp[c] + bp[c];
  }
}

void reluGrad(const float* __restrict dy, const float* __restrict x, float* __restrict dx, size_t count) {
  const int64_t n = static_cast<int64_t>(count);
  // tfjs's relu gradient, dy · step(x), in one pass: step is 1 above zero, 0 at or below, NaN for NaN. Written
  // as two flat selects, the form GCC vectorises (a nested select measured 5x slower).
#pragma omp parallel for schedule(static) if (n >= kParallelThreshold)
  for (int64_t i = 0; i < n; ++i) {
    const float step = x[i] > 0.f ? 1.f : 0.f;
    const float factor = x[i] == x[i] ? step : x[i];
    dx[i] = dy[i] * factor;
  }
}

int threadCount() { return omp_get_max_threads(); }
void setThreadCount(int threads) { omp_set_num_threads(std::max(1, threads)); }

}  // namespace cxr
