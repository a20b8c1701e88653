// Fuzzes the whole StreamValidator: the input is a sequence of messages, each introduced by a
// 4-byte header (kind, timestamp delta, 16-bit length). Kind 0 = video, 1 = audio, 2 = tick.
// Violations are sticky, so a fresh validator is used after each one to keep exploring.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "validation/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sg::config::Media rules;
  rules.video.profiles.push_back("high");
  rules.video.b_frames = (size & 1) ? "allow" : "reject";
  rules.video.enforce_fps = rules.video.enforce_idr_interval = (size & 2) != 0;
  rules.bitrate_window = std::chrono::milliseconds(500);
  auto v = std::make_unique<sg::validation::StreamValidator>(rules);
  uint64_t ts = 0;
  size_t pos = 0;
  while (size - pos >= 4) {
    uint8_t kind = data[pos] % 3;
    ts += data[pos + 1] * 4;
    size_t length = (size_t(data[pos + 2]) << 8 | data[pos + 3]);
    pos += 4;
    if (length > size - pos) length = size - pos;
    sg::ByteView body(data + pos, length);
    pos += length;
    std::optional<sg::validation::Violation> r;
    if (kind == 0) {
      r = v->on_video(ts, body);
    } else if (kind == 1) {
      r = v->on_audio(ts, body);
    } else {
      r = v->on_tick(std::chrono::milliseconds(ts));
    }
    (void)v->ready();
    (void)v->stats();
    if (r) {
      (void)sg::validation::to_string(r->code);
      v = std::make_unique<sg::validation::StreamValidator>(rules);
    }
  }
  return 0;
}
