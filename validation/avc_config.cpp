#include "validation/avc_config.h"

#include <string>

namespace sg::validation {
namespace {

// Reads `count` u16-length-prefixed NAL units of type `nal_type` at `pos`.
Status read_nal_list(ByteView record, size_t& pos, size_t count, uint8_t nal_type,
                     std::vector<ByteView>& out) {
  for (size_t i = 0; i < count; ++i) {
    if (record.size() - pos < 2) return make_error("avc.truncated", "parameter set length missing");
    size_t length = get_be16(record.data() + pos);
    pos += 2;
    if (length == 0 || record.size() - pos < length) {
      return make_error("avc.truncated", "parameter set of " + std::to_string(length) +
                                             " bytes does not fit the record");
    }
    ByteView nal = record.subspan(pos, length);
    if ((nal[0] & 0x1f) != nal_type) {
      return make_error("avc.bad_nal_type", "expected NAL type " + std::to_string(nal_type) +
                                                ", got " + std::to_string(nal[0] & 0x1f));
    }
    out.push_back(nal);
    pos += length;
  }
  return Status::ok();
}

}  // namespace

Result<AvcConfig> parse_avc_config(ByteView record) {
  if (record.size() < 7) return make_error("avc.truncated", "record shorter than 7 bytes");
  if (record[0] != 1) {
    return make_error("avc.bad_version", "configurationVersion " + std::to_string(record[0]));
  }
  AvcConfig c;
  c.profile_idc = record[1];
  c.profile_compatibility = record[2];
  c.level_idc = record[3];
  c.nal_length_size = uint8_t((record[4] & 3) + 1);
  if (c.nal_length_size == 3) return make_error("avc.bad_length_size", "NAL length size 3");
  size_t pos = 5;
  size_t sps_count = record[pos++] & 0x1f;
  if (sps_count == 0) return make_error("avc.no_sps", "record has no SPS");
  if (Status s = read_nal_list(record, pos, sps_count, 7, c.sps); !s) return s.error();
  if (pos >= record.size()) return make_error("avc.truncated", "PPS count missing");
  size_t pps_count = record[pos++];
  if (pps_count == 0) return make_error("avc.no_pps", "record has no PPS");
  if (Status s = read_nal_list(record, pos, pps_count, 8, c.pps); !s) return s.error();
  // High-profile records may carry chroma/bit-depth fields and SPS extensions after this; they
  // repeat what the SPS says and are not needed.
  return c;
}

}  // namespace sg::validation
