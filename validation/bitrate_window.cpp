#include "validation/bitrate_window.h"

#include <algorithm>

namespace sg::validation {

BitrateWindow::BitrateWindow(std::chrono::milliseconds window)
    : window_ms_(uint64_t(std::max<int64_t>(window.count(), 1))) {}

void BitrateWindow::add(uint64_t timestamp_ms, uint64_t bytes) {
  if (!any_) {
    any_ = true;
    first_ms_ = newest_ms_ = timestamp_ms;
  }
  newest_ms_ = std::max(newest_ms_, timestamp_ms);
  entries_.push_back({newest_ms_, bytes});
  bytes_ += bytes;
  while (!entries_.empty() && entries_.front().timestamp_ms + window_ms_ <= newest_ms_) {
    bytes_ -= entries_.front().bytes;
    entries_.pop_front();
  }
}

bool BitrateWindow::filled() const {
  return any_ && newest_ms_ - first_ms_ >= window_ms_;
}

uint64_t BitrateWindow::kbps() const {
  return bytes_ * 8 / window_ms_;
}

uint64_t BitrateWindow::span_ms() const {
  return entries_.empty() ? 0 : entries_.back().timestamp_ms - entries_.front().timestamp_ms;
}

}  // namespace sg::validation
