#include "rtmp/bytes.h"

#include <algorithm>

namespace sg {

// Room reserved in a new owned segment so that a few small headers that follow can join it without
// a reallocation. Kept small because a chunked message puts one owned header segment between every
// two payload slices.
constexpr size_t kCoalesceCapacity = 64;

void OutQueue::append_copy(ByteView bytes) {
  if (bytes.empty()) return;
  // Coalesce into the tail segment when it is an owned one that nobody has started writing and the
  // bytes fit in its capacity. The capacity check matters: the gateway may have handed the tail's
  // data() to an in-flight write (consume() comes only after it completes), and growing the vector
  // past its capacity would move the bytes under that write.
  if (segs_.size() > pinned_ && !segs_.back().owner && segs_.back().offset == 0 &&
      segs_.back().owned.size() + bytes.size() <= segs_.back().owned.capacity()) {
    auto& s = segs_.back();
    s.owned.insert(s.owned.end(), bytes.begin(), bytes.end());
    s.length = s.owned.size();
  } else {
    Segment s;
    s.owned.reserve(std::max<size_t>(bytes.size(), kCoalesceCapacity));
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
      if (pinned_ > 0) --pinned_;
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
  pinned_ = 0;
  return out;
}

}  // namespace sg
