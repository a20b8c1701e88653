// libFuzzer target for the FLV / Enhanced RTMP tag header parsers and the aggregate splitter: no
// input may crash, and every returned view must lie inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "rtmp/flv.h"

namespace {
void check_view(sg::ByteView view, const uint8_t* data, size_t size) {
  if (view.empty()) return;
  if (view.data() < data || view.data() + view.size() > data + size) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sg::ByteView in(data, size);
  if (auto v = sg::flv::parse_video(in)) check_view(v->data, data, size);
  if (auto a = sg::flv::parse_audio(in)) check_view(a->data, data, size);
  if (auto tags = sg::flv::split_aggregate(in)) {
    for (const auto& t : *tags) check_view(t.body, data, size);
  }
  return 0;
}
