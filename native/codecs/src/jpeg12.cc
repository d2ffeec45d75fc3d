// 12-bit sequential DCT JPEG (JPEG Extended, processes 2 and 4) through the IJG 6b library GDCM ships built for
// 12-bit samples (Debian libgdcm3.0's libgdcmjpeg12, headers in libgdcm-dev, symbols prefixed gdcmjpeg12_): the
// code GDCM itself decodes these frames with, so the values are GDCM's. Only one-component frames come here; the
// TypeScript decoder keeps colour, whose YCbCr conversion it does its own way.
#include <csetjmp>
#include <cstdio>
#include <cstring>

extern "C" {
#include "jpeglib.h"
#include "jerror.h"
}

#include "codecs.h"

namespace cxr {
namespace {

struct ErrorManager {
  jpeg_error_mgr base;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  bool truncated;
  long badCodes;
  std::vector<std::string>* warnings;
};

void onErrorExit(j_common_ptr cinfo) {
  auto* manager = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, manager->message);
  std::longjmp(manager->jump, 1);
}

// Warnings (level -1) say how the data is damaged; trace messages (level >= 0) are dropped.
void onMessage(j_common_ptr cinfo, int level) {
  if (level >= 0) return;
  auto* manager = reinterpret_cast<ErrorManager*>(cinfo->err);
  cinfo->err->num_warnings++;
  int code = cinfo->err->msg_code;
  // The scan ran out (end of data, or a marker where entropy-coded data should be): the TypeScript decoder calls
  // this a cut-short stream too, rather than show grey blocks as image content.
  if (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER || code == JWRN_MUST_RESYNC) {
    manager->truncated = true;
  } else if (code == JWRN_HUFF_BAD_CODE) {
    manager->badCodes++;
  } else if (code != JWRN_EXTRANEOUS_DATA) {
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    manager->warnings->push_back(text);
  }
}

// The whole frame is in memory: one buffer, and a fake EOI (with the warning IJG's own sources give) past its end.
const JOCTET fakeEndOfImage[2] = {0xff, JPEG_EOI};

void initSource(j_decompress_ptr) {}

boolean fillInput(j_decompress_ptr cinfo) {
  WARNMS(cinfo, JWRN_JPEG_EOF);
  cinfo->src->next_input_byte = fakeEndOfImage;
  cinfo->src->bytes_in_buffer = 2;
  return TRUE;
}

void skipInput(j_decompress_ptr cinfo, long count) {
  if (count <= 0) return;
  while (count > static_cast<long>(cinfo->src->bytes_in_buffer)) {
    count -= static_cast<long>(cinfo->src->bytes_in_buffer);
    fillInput(cinfo);
  }
  cinfo->src->next_input_byte += count;
  cinfo->src->bytes_in_buffer -= count;
}

void termSource(j_decompress_ptr) {}

// The IJG part: plain C control flow, since error_exit leaves through longjmp. Returns false with manager.message set.
bool run(j_decompress_ptr cinfo, ErrorManager& manager, jpeg_source_mgr& source, const uint8_t* data, size_t length, size_t maxSamples,
         SampleSink& sink, Frame& frame, std::string& refusal) {
  if (setjmp(manager.jump)) return false;
  jpeg_create_decompress(cinfo);
  cinfo->src = &source;
  source.next_input_byte = data;
  source.bytes_in_buffer = length;
  source.init_source = initSource;
  source.fill_input_buffer = fillInput;
  source.skip_input_data = skipInput;
  source.resync_to_restart = jpeg_resync_to_restart;
  source.term_source = termSource;

  jpeg_read_header(cinfo, TRUE);
  if (cinfo->process != JPROC_SEQUENTIAL || cinfo->arith_code) {
    refusal = "the JPEG frame is not sequential Huffman DCT";
    return true;
  }
  if (cinfo->num_components != 1) {
    refusal = "the native 12-bit decoder takes one-component frames only";
    return true;
  }
  // Checked before IJG allocates: the size the DICOM header allows, not what the frame header claims.
  if (static_cast<uint64_t>(cinfo->image_width) * cinfo->image_height * cinfo->num_components > maxSamples) {
    refusal = "JPEG frame " + std::to_string(cinfo->image_width) + "x" + std::to_string(cinfo->image_height) + "x" +
              std::to_string(cinfo->num_components) + " is far larger than the DICOM header says";
    return true;
  }
  cinfo->out_color_space = JCS_GRAYSCALE;
  cinfo->dct_method = JDCT_ISLOW;
  cinfo->do_fancy_upsampling = FALSE;
  jpeg_start_decompress(cinfo);

  const JDIMENSION width = cinfo->output_width;
  const JDIMENSION height = cinfo->output_height;
  int32_t* out = sink.allocate(static_cast<size_t>(width) * height);
  JSAMPARRAY rows = (*cinfo->mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(cinfo), JPOOL_IMAGE, width, cinfo->rec_outbuf_height);
  while (cinfo->output_scanline < height) {
    JDIMENSION first = cinfo->output_scanline;
    JDIMENSION read = jpeg_read_scanlines(cinfo, rows, cinfo->rec_outbuf_height);
    for (JDIMENSION r = 0; r < read; ++r) {
      int32_t* line = out + static_cast<size_t>(first + r) * width;
      const JSAMPLE* samples = rows[r];
      for (JDIMENSION x = 0; x < width; ++x) line[x] = samples[x];
    }
  }
  frame.width = width;
  frame.height = height;
  frame.components = 1;
  frame.bitsPerSample = cinfo->data_precision;
  // The scan is complete here; what follows it (EOI) need not be read.
  jpeg_abort_decompress(cinfo);
  return true;
}

}  // namespace

Frame decodeJpeg12(const uint8_t* data, size_t length, size_t maxSamples, SampleSink& sink) {
  if (length < 2 || data[0] != 0xff || data[1] != 0xd8) throw CodecError("JPEG frame does not start with SOI");
  Frame frame;
  jpeg_decompress_struct cinfo;
  std::memset(&cinfo, 0, sizeof cinfo);
  ErrorManager manager;
  std::memset(&manager, 0, sizeof manager);
  cinfo.err = jpeg_std_error(&manager.base);
  manager.base.error_exit = onErrorExit;
  manager.base.emit_message = onMessage;
  manager.warnings = &frame.warnings;
  jpeg_source_mgr source;
  std::memset(&source, 0, sizeof source);
  std::string refusal;
  bool ok = run(&cinfo, manager, source, data, length, maxSamples, sink, frame, refusal);
  jpeg_destroy_decompress(&cinfo);
  // A fatal error (a table or header that makes no sense, even where the data ran out inside it) is a codec failure,
  // as the TypeScript decoder reports it; only a scan that runs out is TRUNCATED.
  if (!ok) throw CodecError(manager.message);
  if (!refusal.empty()) throw CodecError(refusal);
  if (manager.truncated) throw CodecError("the JPEG data ends before the image does", true);
  if (manager.badCodes > 0) frame.warnings.push_back("JPEG data had " + std::to_string(manager.badCodes) + " invalid Huffman codes");
  return frame;
}

}  // namespace cxr
