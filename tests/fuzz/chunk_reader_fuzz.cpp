// Fuzzes ChunkReader and checks chunk-boundary invariance: the input fed in one piece and fed cut
// at a point chosen by the first byte must yield the same messages and the same error.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "rtmp/chunk.h"

namespace {

struct Log {
  std::vector<std::string> events;
  std::string reason;
};

Log run(const uint8_t* data, size_t size, size_t cut) {
  sg::rtmp::ChunkLimits limits;
  limits.max_chunk_size = 1 << 16;
  limits.max_message_size = 1 << 16;
  limits.max_chunk_streams = 8;
  sg::rtmp::ChunkReader reader(limits);
  Log log;
  auto sink = [&log](sg::rtmp::Message&& m) {
    if (!m.payload) abort();  // a delivered message always has a payload
    log.events.push_back(std::to_string(m.csid) + "/" + std::to_string(m.type) + "/" +
                         std::to_string(m.stream_id) + "/" + std::to_string(m.timestamp) + "/" +
                         std::string(m.payload->begin(), m.payload->end()));
    return sg::Status::ok();
  };
  sg::Status st = reader.feed(sg::ByteView(data, cut), sink);
  if (st) st = reader.feed(sg::ByteView(data + cut, size - cut), sink);
  log.reason = std::string(st.reason());
  return log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t cut = data[0] % size;
  const Log whole = run(data + 1, size - 1, 0);
  const Log split = run(data + 1, size - 1, cut < size - 1 ? cut : size - 1);
  if (whole.events != split.events || whole.reason != split.reason) abort();
  return 0;
}
