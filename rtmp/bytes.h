// Byte views, the shared immutable payload and the output queue.
//
// A media message is assembled once into a Payload; every consumer (local stage subscribers, relay,
// recorder) holds the same shared_ptr and the output queue references it instead of copying it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <vector>

namespace sg {

using ByteView = std::span<const uint8_t>;
using Payload = std::shared_ptr<const std::vector<uint8_t>>;

inline Payload make_payload(std::vector<uint8_t> bytes) {
  return std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
}
inline Payload make_payload(ByteView bytes) {
  return std::make_shared<const std::vector<uint8_t>>(bytes.begin(), bytes.end());
}

// Big-endian helpers used by every codec in rtmp/.
inline void put_u8(std::vector<uint8_t>& o, uint32_t v) {
  o.push_back(uint8_t(v));
}
inline void put_be16(std::vector<uint8_t>& o, uint32_t v) {
  o.push_back(uint8_t(v >> 8));
  o.push_back(uint8_t(v));
}
inline void put_be24(std::vector<uint8_t>& o, uint32_t v) {
  o.push_back(uint8_t(v >> 16));
  o.push_back(uint8_t(v >> 8));
  o.push_back(uint8_t(v));
}
inline void put_be32(std::vector<uint8_t>& o, uint32_t v) {
  o.push_back(uint8_t(v >> 24));
  o.push_back(uint8_t(v >> 16));
  o.push_back(uint8_t(v >> 8));
  o.push_back(uint8_t(v));
}
inline void put_le32(std::vector<uint8_t>& o, uint32_t v) {
  o.push_back(uint8_t(v));
  o.push_back(uint8_t(v >> 8));
  o.push_back(uint8_t(v >> 16));
  o.push_back(uint8_t(v >> 24));
}
inline uint32_t get_be16(const uint8_t* p) {
  return uint32_t(p[0]) << 8 | p[1];
}
inline uint32_t get_be24(const uint8_t* p) {
  return uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2];
}
inline uint32_t get_be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
inline uint32_t get_le32(const uint8_t* p) {
  return uint32_t(p[3]) << 24 | uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0];
}

// Bytes waiting to be written to a connection: small owned pieces (chunk headers, commands) and
// slices of shared payloads. The gateway turns the front segments into uv_buf_t's and calls
// consume() after the write completes.
class OutQueue {
 public:
  struct Segment {
    Payload owner;  // keeps a shared payload alive; null for owned bytes
    std::vector<uint8_t> owned;
    size_t offset = 0;  // into owner or owned
    size_t length = 0;
    const uint8_t* data() const { return (owner ? owner->data() : owned.data()) + offset; }
  };

  // Copies small bytes (headers, commands); coalesces with the previous owned segment.
  void append_copy(ByteView bytes);
  // References `length` bytes of `payload` at `offset` without copying.
  void append_shared(const Payload& payload, size_t offset, size_t length);

  size_t size_bytes() const { return bytes_; }
  bool empty() const { return bytes_ == 0; }
  const std::deque<Segment>& segments() const { return segs_; }
  // Drops `n` bytes from the front (after they were written).
  void consume(size_t n);
  // The first `n` segments are being written: their bytes must not move, so appends no longer
  // coalesce into them. consume() unpins segments as it drops them.
  void pin_front(size_t n) { pinned_ = n; }
  // Moves everything out as one contiguous vector (tests, TLS).
  std::vector<uint8_t> take_all();

 private:
  std::deque<Segment> segs_;
  size_t bytes_ = 0;
  size_t pinned_ = 0;
};

}  // namespace sg
