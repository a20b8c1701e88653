#include "validation/h264_parser.h"

#include <cstring>
#include <string>

#include "validation/bit_reader.h"

extern "C" {
#include <libavcodec/avcodec.h>
}

namespace sg::validation {
namespace {

constexpr uint8_t kNalSlice = 1, kNalIdr = 5, kNalSps = 7, kNalPps = 8;

}  // namespace

void H264Parser::ParserCloser::operator()(AVCodecParserContext* p) const {
  av_parser_close(p);
}
void H264Parser::ContextFreer::operator()(AVCodecContext* c) const {
  avcodec_free_context(&c);
}

H264Parser::H264Parser() = default;
H264Parser::~H264Parser() = default;

H264Format H264Parser::current_format() const {
  H264Format f;
  f.profile_idc = context_->profile == FF_PROFILE_UNKNOWN ? 0 : (context_->profile & 0xff);
  f.constrained = f.profile_idc == 66 && (context_->profile & FF_PROFILE_H264_CONSTRAINED) != 0;
  f.width = parser_->width > 0 ? uint32_t(parser_->width) : 0;
  f.height = parser_->height > 0 ? uint32_t(parser_->height) : 0;
  return f;
}

void H264Parser::feed(ByteView nal) {
  scratch_.assign(nal_length_size_, 0);
  for (size_t i = 0; i < nal_length_size_; ++i) {
    scratch_[i] = uint8_t(nal.size() >> (8 * (nal_length_size_ - 1 - i)));
  }
  scratch_.insert(scratch_.end(), nal.begin(), nal.end());
  size_t size = scratch_.size();
  scratch_.resize(size + AV_INPUT_BUFFER_PADDING_SIZE, 0);
  uint8_t* out = nullptr;
  int out_size = 0;
  av_parser_parse2(parser_.get(), context_.get(), &out, &out_size, scratch_.data(), int(size),
                   AV_NOPTS_VALUE, AV_NOPTS_VALUE, 0);
}

Result<H264Format> H264Parser::configure(const AvcConfig& config, ByteView record) {
  parser_.reset(av_parser_init(AV_CODEC_ID_H264));
  context_.reset(avcodec_alloc_context3(nullptr));
  if (!parser_ || !context_)
    return make_error("h264.no_memory", "cannot allocate the H.264 parser");
  // Every call carries exactly one NAL unit: no frame-boundary search, parse it right away.
  parser_->flags |= PARSER_FLAG_COMPLETE_FRAMES;
  context_->codec_type = AVMEDIA_TYPE_VIDEO;
  context_->codec_id = AV_CODEC_ID_H264;
  context_->extradata =
      static_cast<uint8_t*>(av_mallocz(record.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  if (!context_->extradata) return make_error("h264.no_memory", "cannot allocate extradata");
  std::memcpy(context_->extradata, record.data(), record.size());
  context_->extradata_size = int(record.size());
  nal_length_size_ = config.nal_length_size;

  // The parser publishes the SPS facts only when it meets a slice header, but the sequence header
  // has to be judged before any frame arrives. So it gets a synthetic IDR slice header that names
  // the record's first PPS: first_mb_in_slice 0, slice_type 7 (I), pic_parameter_set_id, and zero
  // bits for the rest. Nothing is decoded, so the slice needs no content.
  BitReader pps(config.pps.front().subspan(1));
  uint32_t pps_id = pps.ue();
  if (!pps.ok() || pps_id > 255) return make_error("h264.bad_sps", "PPS id does not parse");
  std::vector<uint8_t> slice = {0x65};                // nal_ref_idc 3, IDR slice
  std::vector<bool> bits = {1, 0, 0, 0, 1, 0, 0, 0};  // ue(0), ue(7)
  unsigned length = 0;
  while ((uint64_t(pps_id) + 1) >> (length + 1)) ++length;  // ue(v): length zeros, then v + 1
  for (unsigned i = 0; i < length; ++i) bits.push_back(0);
  for (int i = int(length); i >= 0; --i) bits.push_back(((pps_id + 1) >> i) & 1);
  bits.push_back(1);  // a stop bit so the zero padding below is not mistaken for a start code
  bits.resize((bits.size() + 7) / 8 * 8, 0);
  for (size_t i = 0; i < bits.size(); i += 8) {
    uint8_t byte = 0;
    for (size_t j = 0; j < 8; ++j) byte = uint8_t(byte << 1 | bits[i + j]);
    slice.push_back(byte);
  }
  slice.resize(slice.size() + 8, 0);
  parser_->width = parser_->height = 0;
  feed(slice);
  H264Format format = current_format();
  if (format.width == 0 || format.height == 0 || format.profile_idc == 0) {
    return make_error("h264.bad_sps", "libavcodec could not read the SPS/PPS of the avcC record");
  }
  return format;
}

Result<H264Frame> H264Parser::parse_frame(ByteView nalus) {
  if (!parser_) return make_error("h264.not_configured", "coded frame before a sequence header");
  H264Frame frame;
  size_t pos = 0;
  while (pos < nalus.size()) {
    if (nalus.size() - pos < nal_length_size_) {
      return make_error("h264.truncated", "NAL unit length prefix is cut short");
    }
    size_t length = 0;
    for (size_t i = 0; i < nal_length_size_; ++i) length = length << 8 | nalus[pos + i];
    pos += nal_length_size_;
    if (length > nalus.size() - pos) {
      return make_error("h264.truncated",
                        "NAL unit of " + std::to_string(length) + " bytes exceeds the message");
    }
    ByteView nal = nalus.subspan(pos, length);
    pos += length;
    if (nal.empty()) continue;
    uint8_t type = nal[0] & 0x1f;
    if (type == kNalSps || type == kNalPps) {
      feed(nal);
    } else if (type == kNalSlice || type == kNalIdr) {
      // Each slice is parsed on its own so a B slice after an I/P slice of the same picture is
      // seen too. A zero width afterwards means the slice header named no known PPS/SPS.
      parser_->width = 0;
      feed(nal);
      if (parser_->width <= 0) {
        return make_error("h264.bad_slice", "slice header does not parse or names no known PPS");
      }
      frame.has_slice = true;
      frame.idr |= type == kNalIdr;
      frame.b_slice |= parser_->pict_type == AV_PICTURE_TYPE_B;
      frame.format = current_format();
    }
  }
  return frame;
}

}  // namespace sg::validation
