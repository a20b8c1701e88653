// Reads every tag of an FLV file into memory. The bodies become shared payloads so that --loop
// sends the same bytes again without copying, exactly as they are in the file.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "rtmp/bytes.h"
#include "rtmp/status.h"

namespace sg::tools {

struct FlvTag {
  uint8_t type = 0;        // 8 audio, 9 video, 18 script data
  uint32_t timestamp = 0;  // milliseconds (24 bits + the extension byte)
  Payload body;
};

// Reason ids: tools.bad_file (missing, not FLV). A truncated last tag is dropped, as players do.
inline Result<std::vector<FlvTag>> read_flv_tags(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("tools.bad_file", "cannot open " + path);
  std::vector<uint8_t> d((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (d.size() < 13 || d[0] != 'F' || d[1] != 'L' || d[2] != 'V') {
    return make_error("tools.bad_file", "not an FLV file: " + path);
  }
  std::vector<FlvTag> tags;
  size_t pos = size_t(get_be32(&d[5])) + 4;  // the header, then PreviousTagSize0
  while (pos + 11 <= d.size()) {
    const size_t size = get_be24(&d[pos + 1]);
    if (pos + 11 + size > d.size()) break;
    FlvTag tag;
    tag.type = d[pos] & 0x1f;
    tag.timestamp = get_be24(&d[pos + 4]) | uint32_t(d[pos + 7]) << 24;
    tag.body = make_payload(ByteView(d.data() + pos + 11, size));
    tags.push_back(std::move(tag));
    pos += 11 + size + 4;
  }
  return tags;
}

}  // namespace sg::tools
