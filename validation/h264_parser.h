// H.264 bitstream facts from libavcodec's h264 parser: profile and cropped size from the SPS, and
// the slice type of every slice. The parser is given the avcC record as extradata, so it reads the
// FLV/RTMP length-prefixed NAL units directly; nothing is decoded.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "rtmp/bytes.h"
#include "rtmp/status.h"
#include "validation/avc_config.h"

struct AVCodecParserContext;
struct AVCodecContext;

namespace sg::validation {

struct H264Format {
  int profile_idc = 0;
  bool constrained = false;        // profile 66 with constraint_set1_flag: Constrained Baseline
  uint32_t width = 0, height = 0;  // after cropping
  bool operator==(const H264Format&) const = default;
};

struct H264Frame {
  bool has_slice = false;  // at least one coded slice NAL unit
  bool idr = false;        // an IDR slice is present
  bool b_slice = false;    // some slice is a B (or SI/SP-free B) slice
  H264Format format;       // of the SPS the last slice referenced
};

class H264Parser {
 public:
  H264Parser();
  ~H264Parser();
  H264Parser(const H264Parser&) = delete;
  H264Parser& operator=(const H264Parser&) = delete;

  // Starts over with a new sequence header. `record` must be the bytes `config` was parsed from.
  // Reason ids: h264.bad_sps (libavcodec could not use the SPS/PPS), h264.no_memory.
  Result<H264Format> configure(const AvcConfig& config, ByteView record);
  // One coded-frames payload: length-prefixed NAL units. In-band SPS/PPS are honoured.
  // Reason ids: h264.not_configured, h264.truncated, h264.bad_slice.
  Result<H264Frame> parse_frame(ByteView nalus);

 private:
  struct ParserCloser {
    void operator()(AVCodecParserContext* p) const;
  };
  struct ContextFreer {
    void operator()(AVCodecContext* c) const;
  };
  // Feeds one NAL unit (without its length prefix) to the parser.
  void feed(ByteView nal);
  H264Format current_format() const;

  std::unique_ptr<AVCodecParserContext, ParserCloser> parser_;
  std::unique_ptr<AVCodecContext, ContextFreer> context_;
  uint8_t nal_length_size_ = 4;
  std::vector<uint8_t> scratch_;  // one length-prefixed NAL unit plus libavcodec's input padding
};

}  // namespace sg::validation
