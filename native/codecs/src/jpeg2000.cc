// JPEG 2000 through Debian's libopenjp2 (2.5), with OpenJPEG's own thread pool: code-blocks and the inverse wavelet
// transform of one frame are spread over the cores, which is where a native decoder beats a single-threaded one.
// Samples come out clamped to the range of their bit depth as the wasm build (@cornerstonejs/codec-openjpeg) clamps
// them: 0..255 (signed: -128..127) up to 8 bits, the uint16 or int16 range above; so lossless frames decode to the
// same values on either path. (One exception, on purpose: the wasm build clamps signed 8-bit samples to 0..255 and
// so loses every negative value; here they stay.)
#include <openjpeg.h>

#include <algorithm>
#include <cstring>

#include "codecs.h"

namespace cxr {
namespace {

struct MemoryStream {
  const uint8_t* data;
  size_t length;
  size_t position;
};

OPJ_SIZE_T readStream(void* buffer, OPJ_SIZE_T bytes, void* user) {
  auto* stream = static_cast<MemoryStream*>(user);
  size_t left = stream->length - stream->position;
  if (left == 0) return static_cast<OPJ_SIZE_T>(-1);
  size_t count = std::min<size_t>(bytes, left);
  std::memcpy(buffer, stream->data + stream->position, count);
  stream->position += count;
  return count;
}

OPJ_OFF_T skipStream(OPJ_OFF_T bytes, void* user) {
  auto* stream = static_cast<MemoryStream*>(user);
  if (bytes < 0) {
    size_t back = std::min<size_t>(static_cast<size_t>(-bytes), stream->position);
    stream->position -= back;
    return -static_cast<OPJ_OFF_T>(back);
  }
  size_t forward = std::min<size_t>(static_cast<size_t>(bytes), stream->length - stream->position);
  stream->position += forward;
  return static_cast<OPJ_OFF_T>(forward);
}

OPJ_BOOL seekStream(OPJ_OFF_T position, void* user) {
  auto* stream = static_cast<MemoryStream*>(user);
  if (position < 0 || static_cast<size_t>(position) > stream->length) return OPJ_FALSE;
  stream->position = static_cast<size_t>(position);
  return OPJ_TRUE;
}

struct Messages {
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
};

std::string trimmed(const char* message) {
  std::string text(message ? message : "");
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

void onError(const char* message, void* user) { static_cast<Messages*>(user)->errors.push_back(trimmed(message)); }
void onWarning(const char* message, void* user) { static_cast<Messages*>(user)->warnings.push_back(trimmed(message)); }
void onInfo(const char*, void*) {}

// Owns OpenJPEG's three objects so every exit frees them.
struct Session {
  opj_codec_t* codec = nullptr;
  opj_stream_t* stream = nullptr;
  opj_image_t* image = nullptr;
  ~Session() {
    if (image) opj_image_destroy(image);
    if (stream) opj_stream_destroy(stream);
    if (codec) opj_destroy_codec(codec);
  }
};

std::string failure(const char* step, const Messages& messages) {
  std::string text = std::string("OpenJPEG could not ") + step;
  if (!messages.errors.empty()) text += ": " + messages.errors.front();
  return text;
}

// OpenJPEG says "Stream too short" / "truncated" when the data ends before the packets it announces.
bool soundsTruncated(const Messages& messages) {
  for (const auto& error : messages.errors) {
    if (error.find("too short") != std::string::npos || error.find("runcated") != std::string::npos) return true;
  }
  return false;
}

}  // namespace

const char* openJpegVersion() { return opj_version(); }
bool openJpegThreads() { return opj_has_thread_support() != 0; }

Frame decodeJpeg2000(const uint8_t* data, size_t length, size_t maxSamples, int threads, SampleSink& sink) {
  static const uint8_t j2kSignature[] = {0xff, 0x4f, 0xff, 0x51};
  if (length < 4) throw CodecError("the JPEG 2000 data is only " + std::to_string(length) + " bytes", true);
  bool raw = std::memcmp(data, j2kSignature, 4) == 0;

  Messages messages;
  Session session;
  session.codec = opj_create_decompress(raw ? OPJ_CODEC_J2K : OPJ_CODEC_JP2);
  if (!session.codec) throw CodecError("OpenJPEG could not create a decoder");
  opj_set_error_handler(session.codec, onError, &messages);
  opj_set_warning_handler(session.codec, onWarning, &messages);
  opj_set_info_handler(session.codec, onInfo, nullptr);
  opj_dparameters_t parameters;
  opj_set_default_decoder_parameters(&parameters);
  if (!opj_setup_decoder(session.codec, &parameters)) throw CodecError(failure("set up the decoder", messages));
  if (threads > 1 && opj_has_thread_support()) opj_codec_set_threads(session.codec, threads);

  MemoryStream memory{data, length, 0};
  session.stream = opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_TRUE);
  if (!session.stream) throw CodecError("OpenJPEG could not create a stream");
  opj_stream_set_user_data(session.stream, &memory, nullptr);
  opj_stream_set_user_data_length(session.stream, length);
  opj_stream_set_read_function(session.stream, readStream);
  opj_stream_set_skip_function(session.stream, skipStream);
  opj_stream_set_seek_function(session.stream, seekStream);

  if (!opj_read_header(session.stream, session.codec, &session.image) || !session.image) {
    throw CodecError(failure("read the header", messages), soundsTruncated(messages));
  }
  opj_image_t* image = session.image;
  uint32_t components = image->numcomps;
  if (components != 1 && components != 3) throw CodecError("the JPEG 2000 image has " + std::to_string(components) + " components (1 or 3 are supported)");
  if (image->x1 <= image->x0 || image->y1 <= image->y0) throw CodecError("the JPEG 2000 image is empty");
  uint32_t width = image->x1 - image->x0;
  uint32_t height = image->y1 - image->y0;
  // Checked before OpenJPEG allocates its tiles: the size the DICOM header allows, not what the codestream claims.
  if (static_cast<uint64_t>(width) * height * components > maxSamples) {
    throw CodecError("the JPEG 2000 image " + std::to_string(width) + "x" + std::to_string(height) + "x" + std::to_string(components) +
                     " is far larger than the DICOM header says");
  }
  const opj_image_comp_t& first = image->comps[0];
  for (uint32_t c = 0; c < components; ++c) {
    const opj_image_comp_t& comp = image->comps[c];
    if (comp.dx != 1 || comp.dy != 1) throw CodecError("subsampled JPEG 2000 components are not supported");
    if (comp.prec < 1 || comp.prec > 16) throw CodecError("JPEG 2000 sample precision " + std::to_string(comp.prec) + " is not 1 to 16");
    if (comp.prec != first.prec || comp.sgnd != first.sgnd) throw CodecError("JPEG 2000 components of different precision are not supported");
  }

  if (!opj_decode(session.codec, session.stream, image)) {
    throw CodecError(failure("decode the frame", messages), soundsTruncated(messages));
  }
  for (uint32_t c = 0; c < components; ++c) {
    const opj_image_comp_t& comp = image->comps[c];
    if (!comp.data || comp.w != width || comp.h != height) throw CodecError("OpenJPEG returned an incomplete image");
  }

  Frame frame;
  frame.width = width;
  frame.height = height;
  frame.components = components;
  frame.bitsPerSample = first.prec;
  frame.signedValues = first.sgnd != 0;
  frame.colourConverted = components == 3;
  int32_t low = frame.signedValues ? -128 : 0;
  int32_t high = frame.signedValues ? 127 : 255;
  if (first.prec > 8) {
    low = frame.signedValues ? -32768 : 0;
    high = frame.signedValues ? 32767 : 65535;
  }
  size_t pixels = static_cast<size_t>(width) * height;
  int32_t* out = sink.allocate(pixels * components);
  for (uint32_t c = 0; c < components; ++c) {
    const OPJ_INT32* source = image->comps[c].data;
    for (size_t p = 0, to = c; p < pixels; ++p, to += components) out[to] = std::clamp<int32_t>(source[p], low, high);
  }
  // OpenJPEG warnings (e.g. an empty SOT) are not passed on: the wasm build prints and drops them too.
  return frame;
}

}  // namespace cxr
