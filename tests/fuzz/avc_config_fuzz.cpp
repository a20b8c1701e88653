// Fuzzes the avcC record parser and, when a record parses, libavcodec's SPS handling through
// H264Parser plus the rest of the input as one coded-frames payload.
#include <cstddef>
#include <cstdint>

#include "validation/avc_config.h"
#include "validation/h264_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // The first two bytes split the input into record and frame payload.
  size_t record_size = (size_t(data[0]) << 8 | data[1]) % (size - 1);
  sg::ByteView record(data + 2, record_size);
  sg::ByteView frame(data + 2 + record_size, size - 2 - record_size);
  sg::Result<sg::validation::AvcConfig> config = sg::validation::parse_avc_config(record);
  if (!config) return 0;
  sg::validation::H264Parser parser;
  if (!parser.configure(*config, record)) return 0;
  (void)parser.parse_frame(frame);
  return 0;
}
