// Bytes per sliding window of MEDIA time (message timestamps, not arrival time): frames that arrive
// in a burst after a network stall keep their original timestamps and so keep their real rate.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>

namespace sg::validation {

class BitrateWindow {
 public:
  explicit BitrateWindow(std::chrono::milliseconds window);

  // Records one message. Timestamps that go backwards are treated as the newest one seen so far,
  // so a reordered or reset timestamp cannot shrink the window.
  void add(uint64_t timestamp_ms, uint64_t bytes);
  // True once the media time covered since the first message reaches the window length: before
  // that a single large keyframe would look like a huge rate.
  bool filled() const;
  // Bits per millisecond (= kbit/s) over the last window, counting messages with
  // timestamp in (newest - window, newest].
  uint64_t kbps() const;
  // Messages in the current window and the media time they span, for the frame rate.
  size_t count() const { return entries_.size(); }
  uint64_t span_ms() const;

 private:
  struct Entry {
    uint64_t timestamp_ms;
    uint64_t bytes;
  };
  uint64_t window_ms_;
  std::deque<Entry> entries_;
  uint64_t bytes_ = 0;
  uint64_t first_ms_ = 0;
  uint64_t newest_ms_ = 0;
  bool any_ = false;
};

}  // namespace sg::validation
