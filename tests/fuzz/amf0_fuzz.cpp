// libFuzzer target for the AMF0 decoder: any input must decode or fail cleanly, and whatever
// decodes must survive an encode/decode round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "rtmp/amf0.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sg::ByteView in(data, size);
  auto values = sg::amf0::decode_all(in);
  if (!values) return 0;
  auto bytes = sg::amf0::encode_all(*values);
  auto again = sg::amf0::decode_all(bytes);
  if (!again || *again != *values) std::abort();
  // Single-value decode from every value boundary must agree with decode_all.
  size_t pos = 0;
  for (const auto& v : *values) {
    auto one = sg::amf0::decode(in, pos);
    if (!one || !(*one == v)) std::abort();
  }
  if (pos != size) std::abort();
  return 0;
}
