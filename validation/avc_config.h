// AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1), the H.264 sequence header of FLV and
// Enhanced RTMP (avc1). Only the record's framing is parsed here: sizes, counts and the parameter
// set NAL units. The SPS itself is decoded by libavcodec (validation/h264_parser.h).
#pragma once

#include <cstdint>
#include <vector>

#include "rtmp/bytes.h"
#include "rtmp/status.h"

namespace sg::validation {

struct AvcConfig {
  uint8_t profile_idc = 0;            // AVCProfileIndication (a copy of the SPS's profile_idc)
  uint8_t profile_compatibility = 0;  // the SPS's constraint_set0..5 flags, set0 in the MSB
  uint8_t level_idc = 0;
  uint8_t nal_length_size = 4;  // 1, 2 or 4
  std::vector<ByteView> sps;    // views into the record, NAL header byte included
  std::vector<ByteView> pps;

  bool constraint_set1() const { return (profile_compatibility & 0x40) != 0; }
};

// Reason ids: avc.truncated, avc.bad_version, avc.bad_length_size, avc.no_sps, avc.no_pps,
// avc.bad_nal_type.
Result<AvcConfig> parse_avc_config(ByteView record);

}  // namespace sg::validation
