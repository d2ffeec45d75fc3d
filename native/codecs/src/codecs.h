// Shared declarations of the cxr_codecs addon: each decoder fills a Frame or throws CodecError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace cxr {

// What a decoder reports back to JavaScript. `truncated` marks errors the DICOM decoder reports as TRUNCATED.
struct CodecError : std::runtime_error {
  bool truncated;
  CodecError(const std::string& message, bool truncated = false) : std::runtime_error(message), truncated(truncated) {}
};

// A decoded frame: samples interleaved by pixel, one int32 each (the type the DICOM decoder stores).
struct Frame {
  uint32_t width = 0;
  uint32_t height = 0;
  uint32_t components = 0;
  uint32_t bitsPerSample = 0;
  bool signedValues = false;
  bool colourConverted = false;
  std::vector<std::string> warnings;
};

// Asks the caller for an output buffer of `count` int32 samples once the header is read and checked.
struct SampleSink {
  virtual int32_t* allocate(size_t count) = 0;
  virtual ~SampleSink() = default;
};

// JPEG 2000 (raw codestream or JP2) through libopenjp2. `maxSamples` bounds width x height x components.
Frame decodeJpeg2000(const uint8_t* data, size_t length, size_t maxSamples, int threads, SampleSink& sink);

// Sequential Huffman DCT JPEG of 12-bit precision, one component, through GDCM's 12-bit IJG library.
Frame decodeJpeg12(const uint8_t* data, size_t length, size_t maxSamples, SampleSink& sink);

// Histogram equalization of integer levels, bit-identical to the TypeScript fast path; false (nothing written) when a
// sample is not an integer level in [-32768, 65536).
bool equalizeLevels(const float* source, float* output, size_t count);

const char* openJpegVersion();
bool openJpegThreads();

}  // namespace cxr
