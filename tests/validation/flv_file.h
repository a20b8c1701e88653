// A tiny FLV file reader for the tests: file -> (tag type, timestamp, body). The bodies are what an
// RTMP publisher sends as audio (8) / video (9) message payloads, so they feed the validator as is.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "rtmp/bytes.h"

namespace sg::validation::testing {

struct FlvTag {
  uint8_t type = 0;  // 8 audio, 9 video, 18 script data
  uint32_t timestamp = 0;
  std::vector<uint8_t> body;
};

inline std::string data_path(const std::string& name) {
  return std::string(STAGEGATE_TEST_DATA) + "/" + name;
}

// Returns the tags of an FLV file; an empty vector if the file is missing or not FLV. A truncated
// last tag is dropped.
inline std::vector<FlvTag> read_flv_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> d((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<FlvTag> tags;
  if (d.size() < 13 || d[0] != 'F' || d[1] != 'L' || d[2] != 'V') return tags;
  size_t pos = get_be32(&d[5]) + 4;  // header, then PreviousTagSize0
  while (pos + 11 <= d.size()) {
    size_t size = get_be24(&d[pos + 1]);
    if (pos + 11 + size > d.size()) break;
    FlvTag tag;
    tag.type = d[pos] & 0x1f;
    tag.timestamp = get_be24(&d[pos + 4]) | uint32_t(d[pos + 7]) << 24;
    tag.body.assign(d.begin() + long(pos + 11), d.begin() + long(pos + 11 + size));
    tags.push_back(std::move(tag));
    pos += 11 + size + 4;
  }
  return tags;
}

}  // namespace sg::validation::testing
