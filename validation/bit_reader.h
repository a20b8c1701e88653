// A bounds-checked MSB-first bit reader for the few header fields stagegate reads by hand
// (AudioSpecificConfig, the PPS id for the H.264 probe). Reading past the end never touches memory
// out of range: it sets a sticky overrun flag and yields zeros, so callers check ok() once at the
// end.
#pragma once

#include <cstdint>

#include "rtmp/bytes.h"

namespace sg::validation {

class BitReader {
 public:
  explicit BitReader(ByteView bytes) : bytes_(bytes) {}

  uint32_t bits(unsigned n) {  // n <= 32
    uint32_t v = 0;
    for (unsigned i = 0; i < n; ++i) v = v << 1 | bit();
    return v;
  }
  uint32_t bit() {
    if (pos_ >= bytes_.size() * 8) {
      overrun_ = true;
      return 0;
    }
    uint32_t b = (bytes_[pos_ / 8] >> (7 - pos_ % 8)) & 1;
    ++pos_;
    return b;
  }
  // Unsigned Exp-Golomb (H.264 ue(v)), limited to 31 leading zeros.
  uint32_t ue() {
    unsigned zeros = 0;
    while (bit() == 0) {
      if (overrun_ || ++zeros > 31) {
        overrun_ = true;
        return 0;
      }
    }
    return zeros == 0 ? 0 : (uint32_t((uint64_t(1) << zeros) - 1) + bits(zeros));
  }
  bool ok() const { return !overrun_; }
  size_t position() const { return pos_; }

 private:
  ByteView bytes_;
  size_t pos_ = 0;
  bool overrun_ = false;
};

}  // namespace sg::validation
