// N-API surface of the cxr_codecs addon: native decoders for the DICOM codecs where a Debian library beats the wasm
// or TypeScript one. Each function takes one frame's bytes and a ceiling on the sample count (from the DICOM
// header), and returns the frame with its samples in a fresh Int32Array, or throws an Error whose `code` is
// 'TRUNCATED' when the data ends before the image does. Built on node_api.h only, so it loads in Node, in worker
// threads and in Electron.
#include <node_api.h>

#include <string>

#include "codecs.h"

namespace cxr {
namespace {

struct ArgumentError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Bytes {
  const uint8_t* data = nullptr;
  size_t length = 0;
};

Bytes bytesArg(napi_env env, napi_value value) {
  bool isTyped = false;
  napi_is_typedarray(env, value, &isTyped);
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value buffer;
  size_t offset = 0;
  if (!isTyped || napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &offset) != napi_ok || type != napi_uint8_array) {
    throw ArgumentError("the frame must be a Uint8Array");
  }
  return Bytes{static_cast<const uint8_t*>(data), length};
}

double numberArg(napi_env env, napi_value value, const char* name) {
  double v = 0;
  if (napi_get_value_double(env, value, &v) != napi_ok || !(v >= 0) || v > 9007199254740991.0) {
    throw ArgumentError(std::string(name) + " must be a non-negative number");
  }
  return v;
}

// Allocates the frame's samples in a JavaScript ArrayBuffer, so they are handed over without a copy.
struct ArrayBufferSink : SampleSink {
  napi_env env;
  napi_value buffer = nullptr;
  size_t count = 0;
  explicit ArrayBufferSink(napi_env env) : env(env) {}
  int32_t* allocate(size_t samples) override {
    void* data = nullptr;
    if (napi_create_arraybuffer(env, samples * sizeof(int32_t), &data, &buffer) != napi_ok) return nullptr;
    count = samples;
    return static_cast<int32_t*>(data);
  }
};

void setNumber(napi_env env, napi_value object, const char* key, double value) {
  napi_value v;
  napi_create_double(env, value, &v);
  napi_set_named_property(env, object, key, v);
}

void setBoolean(napi_env env, napi_value object, const char* key, bool value) {
  napi_value v;
  napi_get_boolean(env, value, &v);
  napi_set_named_property(env, object, key, v);
}

napi_value toObject(napi_env env, const Frame& frame, const ArrayBufferSink& sink) {
  napi_value result;
  napi_create_object(env, &result);
  setNumber(env, result, "width", frame.width);
  setNumber(env, result, "height", frame.height);
  setNumber(env, result, "components", frame.components);
  setNumber(env, result, "bitsPerSample", frame.bitsPerSample);
  setBoolean(env, result, "signedValues", frame.signedValues);
  setBoolean(env, result, "colourConverted", frame.colourConverted);
  napi_value samples;
  napi_create_typedarray(env, napi_int32_array, sink.count, sink.buffer, 0, &samples);
  napi_set_named_property(env, result, "samples", samples);
  napi_value warnings;
  napi_create_array_with_length(env, frame.warnings.size(), &warnings);
  for (size_t i = 0; i < frame.warnings.size(); ++i) {
    napi_value text;
    napi_create_string_utf8(env, frame.warnings[i].c_str(), frame.warnings[i].size(), &text);
    napi_set_element(env, warnings, static_cast<uint32_t>(i), text);
  }
  napi_set_named_property(env, result, "warnings", warnings);
  return result;
}

napi_value throwError(napi_env env, const std::string& message, const char* code) {
  napi_throw_error(env, code, message.c_str());
  return nullptr;
}

// Runs a decoder and turns what it throws into a JavaScript exception.
template <typename Decode>
napi_value guarded(napi_env env, napi_callback_info info, size_t wanted, Decode decode) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  try {
    if (argc < wanted) throw ArgumentError("expected " + std::to_string(wanted) + " arguments");
    ArrayBufferSink sink(env);
    Frame frame = decode(argv, sink);
    if (!sink.buffer) throw CodecError("the decoder returned no samples");
    return toObject(env, frame, sink);
  } catch (const CodecError& error) {
    return throwError(env, error.what(), error.truncated ? "TRUNCATED" : "CODEC_FAILED");
  } catch (const std::bad_alloc&) {
    return throwError(env, "out of memory while decoding", "CODEC_FAILED");
  } catch (const std::exception& error) {
    return throwError(env, error.what(), "CODEC_FAILED");
  }
}

// decodeJpeg2000(frame: Uint8Array, maxSamples: number, threads: number)
napi_value DecodeJpeg2000(napi_env env, napi_callback_info info) {
  return guarded(env, info, 3, [env](napi_value* argv, ArrayBufferSink& sink) {
    Bytes bytes = bytesArg(env, argv[0]);
    size_t maxSamples = static_cast<size_t>(numberArg(env, argv[1], "maxSamples"));
    int threads = static_cast<int>(numberArg(env, argv[2], "threads"));
    return decodeJpeg2000(bytes.data, bytes.length, maxSamples, threads, sink);
  });
}

// decodeJpeg12(frame: Uint8Array, maxSamples: number)
napi_value DecodeJpeg12(napi_env env, napi_callback_info info) {
  return guarded(env, info, 2, [env](napi_value* argv, ArrayBufferSink& sink) {
    Bytes bytes = bytesArg(env, argv[0]);
    size_t maxSamples = static_cast<size_t>(numberArg(env, argv[1], "maxSamples"));
    return decodeJpeg12(bytes.data, bytes.length, maxSamples, sink);
  });
}

float* floatsArg(napi_env env, napi_value value, size_t* length, const char* name) {
  bool isTyped = false;
  napi_is_typedarray(env, value, &isTyped);
  napi_typedarray_type type;
  void* data = nullptr;
  napi_value buffer;
  size_t offset = 0;
  if (!isTyped || napi_get_typedarray_info(env, value, &type, length, &data, &buffer, &offset) != napi_ok || type != napi_float32_array) {
    throw ArgumentError(std::string(name) + " must be a Float32Array");
  }
  return static_cast<float*>(data);
}

// equalizedLevels(source: Float32Array): Float32Array | undefined: a new array made here (measured: filling a
// Float32Array just made in JavaScript costs several times more), or undefined when a sample is refused
napi_value EqualizedLevels(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  try {
    if (argc < 1) throw ArgumentError("equalizedLevels takes the source");
    size_t length = 0;
    const float* source = floatsArg(env, argv[0], &length, "the source");
    void* data = nullptr;
    napi_value buffer;
    if (napi_create_arraybuffer(env, length * sizeof(float), &data, &buffer) != napi_ok) throw std::bad_alloc();
    napi_value result;
    if (!equalizeLevels(source, static_cast<float*>(data), length)) {
      napi_get_undefined(env, &result);
      return result;
    }
    napi_create_typedarray(env, napi_float32_array, length, buffer, 0, &result);
    return result;
  } catch (const std::exception& error) {
    napi_throw_error(env, nullptr, error.what());
    return nullptr;
  }
}

// info(): { openjpeg: string, openjpegThreads: boolean, jpeg12: string }
napi_value Info(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_object(env, &result);
  napi_value text;
  napi_create_string_utf8(env, openJpegVersion(), NAPI_AUTO_LENGTH, &text);
  napi_set_named_property(env, result, "openjpeg", text);
  setBoolean(env, result, "openjpegThreads", openJpegThreads());
  napi_create_string_utf8(env, "IJG 6b 12-bit (GDCM)", NAPI_AUTO_LENGTH, &text);
  napi_set_named_property(env, result, "jpeg12", text);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"decodeJpeg2000", nullptr, DecodeJpeg2000, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"decodeJpeg12", nullptr, DecodeJpeg12, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"equalizedLevels", nullptr, EqualizedLevels, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  return exports;
}

}  // namespace
}  // namespace cxr

NAPI_MODULE(NODE_GYP_MODULE_NAME, cxr::Init)
