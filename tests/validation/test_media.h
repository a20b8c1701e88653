// Builders for synthetic RTMP audio/video message bodies (FLV tag bodies) used by the validator
// unit tests. Real encoder output is replayed in validator_files_test.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rtmp/bytes.h"

namespace sg::validation::testing {

// The x264 Constrained Baseline 320x240 avcC of data/baseline_320x240.flv.
inline const std::vector<uint8_t> kBaselineAvcc = {
    0x01, 0x42, 0xC0, 0x0D, 0xFF, 0xE1, 0x00, 0x16, 0x67, 0x42, 0xC0, 0x0D, 0xDA,
    0x05, 0x07, 0xEC, 0x04, 0x40, 0x00, 0x00, 0x03, 0x00, 0x40, 0x00, 0x00, 0x0F,
    0x03, 0xC5, 0x0A, 0xA8, 0x01, 0x00, 0x04, 0x68, 0xCE, 0x3C, 0x80};
inline const std::vector<uint8_t> kAscLc48kStereo = {0x11, 0x90};

// Legacy AVC video tag: frame type, codec id 7, AVC packet type, composition time.
inline std::vector<uint8_t> avc_tag(bool key, uint8_t packet_type, int32_t cts,
                                    const std::vector<uint8_t>& data) {
  std::vector<uint8_t> b = {uint8_t((key ? 0x10 : 0x20) | 7), packet_type};
  put_be24(b, uint32_t(cts) & 0xffffff);
  b.insert(b.end(), data.begin(), data.end());
  return b;
}
inline std::vector<uint8_t> avc_sequence_header(const std::vector<uint8_t>& avcc = kBaselineAvcc) {
  return avc_tag(true, 0, 0, avcc);
}
// A coded-frames message holding one filler-data NAL unit (type 12) of `size` bytes: it counts
// toward the bitrate but carries no slice.
inline std::vector<uint8_t> avc_filler_frame(size_t size) {
  std::vector<uint8_t> nalus;
  put_be32(nalus, uint32_t(size));
  nalus.push_back(0x0C);
  nalus.resize(4 + size, 0xFF);
  return avc_tag(false, 1, 0, nalus);
}

// Enhanced RTMP video tag: ExHeader bit, frame type, packet type, FourCC, payload.
inline std::vector<uint8_t> ertmp_video(const char* fourcc, bool key, uint8_t packet_type,
                                        const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> b = {uint8_t(0x80 | (key ? 0x10 : 0x20) | packet_type)};
  for (int i = 0; i < 4; ++i) b.push_back(uint8_t(fourcc[i]));
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

// Legacy AAC audio tag (sound format 10, 44 kHz flag, 16 bit, stereo).
inline std::vector<uint8_t> aac_tag(uint8_t packet_type, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> b = {0xAF, packet_type};
  b.insert(b.end(), data.begin(), data.end());
  return b;
}
inline std::vector<uint8_t> aac_sequence_header(const std::vector<uint8_t>& asc = kAscLc48kStereo) {
  return aac_tag(0, asc);
}
inline std::vector<uint8_t> aac_frame(size_t size) {
  return aac_tag(1, std::vector<uint8_t>(size, 0x21));
}
// Enhanced RTMP audio tag (sound format 9, packet type in the low nibble) with a FourCC.
inline std::vector<uint8_t> ertmp_audio(const char* fourcc, uint8_t packet_type,
                                        const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> b = {uint8_t(0x90 | packet_type)};
  for (int i = 0; i < 4; ++i) b.push_back(uint8_t(fourcc[i]));
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

}  // namespace sg::validation::testing
