#include "rtmp/bytes.h"

namespace sg {

void OutQueue::append_copy(ByteView bytes) {
  if (bytes.empty()) return;
  // Coalesce into the tail segment when it is an owned one that nobody has started writing.
  if (!segs_.empty() && !segs_.back().owner && segs_.back().offset == 0 &&
      segs_.back().owned.size() < 4096) {
    auto& s = segs_.back();
    s.owned.insert(s.owned.end(), bytes.begin(), bytes.end());
    s.length = s.owned.size();
  } else {
    Segment s;
    s.owned.assign(bytes.begin(), bytes.end());
    s.length = s.owned.size();
    segs_.push_back(std::move(s));
  }
  bytes_ += bytes.size();
}

void OutQueue::append_shared(const Payload& payload, size_t offset, size_t length) {
  if (length == 0) return;
  Segment s;
  s.owner = payload;
  s.offset = offset;
  s.length = length;
  segs_.push_back(std::move(s));
  bytes_ += length;
}

void OutQueue::consume(size_t n) {
  while (n > 0 && !segs_.empty()) {
    auto& s = segs_.front();
    if (n >= s.length) {
      n -= s.length;
      bytes_ -= s.length;
      segs_.pop_front();
    } else {
      s.offset += n;
      s.length -= n;
      bytes_ -= n;
      n = 0;
    }
  }
}

std::vector<uint8_t> OutQueue::take_all() {
  std::vector<uint8_t> out;
  out.reserve(bytes_);
  for (const auto& s : segs_) out.insert(out.end(), s.data(), s.data() + s.length);
  segs_.clear();
  bytes_ = 0;
  return out;
}

}  // namespace sg
