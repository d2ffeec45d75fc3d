// The addon's kernels, in tfjs layouts (NHWC activations, HWIO filters), on caller-owned float32 buffers.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cxr {

// One 2-D convolution, in the terms of tfjs's Conv2DInfo (explicit padding on each side, dilation ≥ 1).
struct ConvGeometry {
  int64_t batch, inHeight, inWidth, inChannels;
  int64_t outHeight, outWidth, outChannels;
  int64_t filterHeight, filterWidth;
  int64_t strideHeight, strideWidth, dilationHeight, dilationWidth;
  int64_t padTop, padLeft, padBottom, padRight;
};
constexpr int kConvGeometryFields = 17;
ConvGeometry convGeometryFrom(const std::vector<int64_t>& fields);

void conv2dForward(const ConvGeometry& g, const float* x, const float* filter, const float* bias, bool relu, float* y);
void conv2dBackwardData(const ConvGeometry& g, const float* dy, const float* filter, float* dx);
void conv2dBackwardFilter(const ConvGeometry& g, const float* x, const float* dy, float* dFilter);
// oneDNN's name for the implementation each cached convolution runs (e.g. "jit:avx512_core"), for the bench.
std::vector<std::string> convolutionImplementations();

enum class BinaryOp { Add = 0, Sub, Mul, Div, SquaredDifference, Maximum, Minimum };
void binary(BinaryOp op, const float* a, const std::vector<int64_t>& aShape, const float* b,
            const std::vector<int64_t>& bShape, float* out, const std::vector<int64_t>& outShape);

enum class UnaryOp { Relu = 0, Step, Neg, Sqrt, Rsqrt, Square, Exp, Log, Sigmoid, Abs, Reciprocal, Relu6, LeakyRelu, Elu };
void unary(UnaryOp op, const float* x, float* y, size_t n, float alpha);

// dx = dy · step(x), the gradient of relu in one pass.
void reluGrad(const float* dy, const float* x, float* dx, size_t count);

// tfjs FusedBatchNorm: each of mean/variance/offset/scale is per channel (length channels) or a single value
// (length 1); offset and scale may be absent (null).
struct ChannelParam {
  const float* data = nullptr;
  size_t length = 0;
};
void batchNormInference(const float* x, size_t rows, size_t channels, ChannelParam mean, ChannelParam variance,
                        ChannelParam offset, ChannelParam scale, float epsilon, float* y);

// Training-mode batch norm over x viewed as [rows, channels]; gamma and beta may be null (1 and 0).
void batchNormTraining(const float* x, int64_t rows, int64_t channels, const float* gamma, const float* beta,
                       float epsilon, float* y, float* mean, float* variance);
void batchNormTrainingGrad(const float* dy, const float* x, int64_t rows, int64_t channels, const float* gamma,
                           const float* mean, const float* variance, float epsilon, float* dx, float* dGamma,
                           float* dBeta);

// Sum of x viewed as [outer, reduce, inner] over the middle axis, times `scale` (1/reduce gives the mean).
void sumMiddle(const float* x, int64_t outer, int64_t reduce, int64_t inner, float* out, double scale);

void tile(const float* x, const std::vector<int64_t>& xShape, float* out, const std::vector<int64_t>& outShape);
void pad(const float* x, const std::vector<int64_t>& xShape, const std::vector<int64_t>& before, float* out,
         const std::vector<int64_t>& outShape, float value);
void slice(const float* x, const std::vector<int64_t>& xShape, const std::vector<int64_t>& begin, float* out,
           const std::vector<int64_t>& outShape);

// Concatenation of inputs viewed as [rows, width_i] along their second axis (any tfjs concat reduces to this).
void concatRows(const std::vector<const float*>& parts, const std::vector<int64_t>& widths, int64_t rows, float* out);

// Max pooling over NHWC, tfjs semantics: padded cells never win, ties go to the first cell in row-major order.
struct PoolGeometry {
  int64_t batch, inHeight, inWidth, channels, outHeight, outWidth;
  int64_t filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft;
};
constexpr int kPoolGeometryFields = 14;
PoolGeometry poolGeometryFrom(const std::vector<int64_t>& fields);
void maxPool(const PoolGeometry& g, const float* x, float* y);
void maxPoolGrad(const PoolGeometry& g, const float* dy, const float* x, float* dx);

int threadCount();
void setThreadCount(int threads);

}  // namespace cxr
