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
  // in a row wait for each other. Kept zeroed between calls, clearing only the levels an image used: a small image
  // then costs in proportion to its samples, not to the 98,304 levels.
  thread_local std::vector<uint32_t> even(kLevelCount), odd(kLevelCount);
  thread_local std::vector<float> lookup(kLevelCount);
  const auto refuse = [&]() {
    std::fill(even.begin(), even.end(), 0);
    std::fill(odd.begin(), odd.end(), 0);
    return false;
  };
  const size_t paired = count - count % 2;
  for (size_t i = 0; i < paired; i += 2) {
    const int32_t a = levelOf(source[i]);
    const int32_t b = levelOf(source[i + 1]);
    if ((a | b) < 0) return refuse();
    even[a]++;
    odd[b]++;
  }
  if (paired < count) {
    const int32_t a = levelOf(source[paired]);
    if (a < 0) return refuse();
    even[a]++;
  }
  if (count == 0) return true;
  // The occupied levels: from the samples of a small image, from the tables of a large one.
  int32_t lowest = kLevelCount;
  int32_t highest = -1;
  if (count < static_cast<size_t>(kLevelCount)) {
    for (size_t i = 0; i < count; i++) {
      const int32_t level = static_cast<int32_t>(source[i]) + kLevelOffset;
      if (level < lowest) lowest = level;
      if (level > highest) highest = level;
    }
  } else {
    for (int32_t level = 0; level < kLevelCount; level++) {
      if (even[level] != 0 || odd[level] != 0) {
        if (lowest > level) lowest = level;
        highest = level;
      }
    }
  }
  for (int32_t level = lowest; level <= highest; level++) {
    even[level] += odd[level];
    odd[level] = 0;
  }
  if (lowest == highest) {
    // A constant image: no contrast to spread, all zeros.
    even[lowest] = 0;
    std::memset(output, 0, count * sizeof(float));
    return true;
  }
  const double cdfMinimum = even[lowest];
  const double denominator = static_cast<double>(count) - cdfMinimum;
  double cumulative = 0;
  for (int32_t level = lowest; level <= highest; level++) {
    cumulative += even[level];
    lookup[level] = static_cast<float>((cumulative - cdfMinimum) / denominator);
    even[level] = 0;
  }
  const float* table = lookup.data();
  for (size_t i = 0; i < count; i++) output[i] = table[static_cast<int32_t>(source[i]) + kLevelOffset];
  return true;
}

}  // namespace cxr
