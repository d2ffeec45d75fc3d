// Full-depth global histogram equalization of a radiograph whose samples are integer levels (decoded modality values),
// the common case of src-shared/imaging/preprocess/histogramEqualize.ts's equalizeStoredLevels, with the same bins,
// cdf and double arithmetic rounded once to float32, so the output is the same to the bit. Any sample that is not an
// integer level in [-32768, 65536) makes it return false having written nothing: the TypeScript general path then
// takes the image (and reports NaN).
#include "codecs.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace cxr {
namespace {

constexpr int32_t kLevelOffset = 32768;
constexpr int32_t kLevelCount = 65536 + kLevelOffset;

// The level of a sample, or -1 when it is not an integer within the table. The range test comes first: converting a
// float outside int32 to int32 is undefined in C++, and NaN fails it.
inline int32_t levelOf(float value) {
  if (!(value >= -static_cast<float>(kLevelOffset) && value < static_cast<float>(kLevelCount - kLevelOffset))) return -1;
  const int32_t level = static_cast<int32_t>(value);
  return static_cast<float>(level) == value ? level + kLevelOffset : -1;
}

}  // namespace

bool equalizeLevels(const float* source, float* output, size_t count) {
  // Two tables, for even and odd samples: neighbouring pixels often share a level, and two increments of one counter
  // in a row wait for each other.
  thread_local std::vector<uint32_t> even(kLevelCount), odd(kLevelCount);
  std::fill(even.begin(), even.end(), 0);
  std::fill(odd.begin(), odd.end(), 0);
  const size_t paired = count - count % 2;
  for (size_t i = 0; i < paired; i += 2) {
    const int32_t a = levelOf(source[i]);
    const int32_t b = levelOf(source[i + 1]);
    if ((a | b) < 0) return false;
    even[a]++;
    odd[b]++;
  }
  if (paired < count) {
    const int32_t a = levelOf(source[paired]);
    if (a < 0) return false;
    even[a]++;
  }
  int32_t lowest = -1;
  int32_t highest = -1;
  for (int32_t level = 0; level < kLevelCount; level++) {
    even[level] += odd[level];
    if (even[level] != 0) {
      if (lowest < 0) lowest = level;
      highest = level;
    }
  }
  if (lowest < 0 || lowest == highest) {
    // No samples, or a constant image: no contrast to spread, all zeros.
    std::memset(output, 0, count * sizeof(float));
    return true;
  }
  thread_local std::vector<float> lookup(kLevelCount);
  const double cdfMinimum = even[lowest];
  const double denominator = static_cast<double>(count) - cdfMinimum;
  double cumulative = 0;
  for (int32_t level = lowest; level <= highest; level++) {
    cumulative += even[level];
    lookup[level] = static_cast<float>((cumulative - cdfMinimum) / denominator);
  }
  const float* table = lookup.data();
  // Mapped through a small block that stays in cache, then copied out: the source and the output are often two
  // fresh allocations a whole number of pages apart, and a loop storing at the same offset within a page as it loads
  // stalls on every sample (4K aliasing; measured 6x slower on a 440 x 440 image).
  constexpr size_t kBlock = 1024;
  float block[kBlock];
  for (size_t start = 0; start < count; start += kBlock) {
    const size_t length = std::min(kBlock, count - start);
    const float* from = source + start;
    for (size_t i = 0; i < length; i++) block[i] = table[static_cast<int32_t>(from[i]) + kLevelOffset];
    std::memcpy(output + start, block, length * sizeof(float));
  }
  return true;
}

}  // namespace cxr
