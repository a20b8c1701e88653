// Helpers shared by the session tests: a builder for client/server byte streams, a decoder for what
// a session wrote, and deterministic randomness.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "rtmp/amf0.h"
#include "rtmp/bytes.h"
#include "rtmp/chunk.h"
#include "rtmp/handshake.h"

namespace sg::rtmp::testing {

using Bytes = std::vector<uint8_t>;

inline RandomFill counter_random(uint8_t seed) {
  return [seed](uint8_t* out, size_t n) mutable {
    for (size_t i = 0; i < n; ++i) out[i] = uint8_t(seed + i * 7);
  };
}

inline std::string hex(ByteView b, size_t max = 64) {
  std::string s;
  char buf[4];
  for (size_t i = 0; i < b.size() && i < max; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", b[i]);
    s += buf;
  }
  if (b.size() > max) s += "...(" + std::to_string(b.size()) + ")";
  return s;
}

// Builds the byte stream one peer sends, message by message, through a real ChunkWriter.
class StreamBuilder {
 public:
  // A simple-handshake C0+C1+C2 (zero version in C1, so the server answers with the echo).
  void simple_client_handshake() {
    bytes_.push_back(3);
    for (size_t i = 0; i < 2 * kHandshakeSize; ++i) {
      bytes_.push_back(i < 8 ? 0 : uint8_t(i * 13));
    }
  }
  void message(uint8_t type, uint32_t csid, uint32_t stream_id, uint64_t ts, Bytes payload) {
    Message m;
    m.type = type;
    m.csid = csid;
    m.stream_id = stream_id;
    m.timestamp = ts;
    m.payload = make_payload(std::move(payload));
    write(m);
  }
  void write(const Message& m) {
    OutQueue q;
    writer_.write(m, q);
    auto b = q.take_all();
    bytes_.insert(bytes_.end(), b.begin(), b.end());
  }
  void command(uint32_t csid, uint32_t stream_id, const std::vector<amf0::Value>& v) {
    message(kCommandAmf0, csid, stream_id, 0, amf0::encode_all(v));
  }
  void set_chunk_size(uint32_t n) {
    write(control::set_chunk_size(n));
    writer_.set_chunk_size(n);
  }
  void raw(const Bytes& b) { bytes_.insert(bytes_.end(), b.begin(), b.end()); }
  const Bytes& bytes() const { return bytes_; }

 private:
  Bytes bytes_;
  ChunkWriter writer_;
};

// One message a session wrote, decoded for assertions.
struct OutMessage {
  uint8_t type = 0;
  uint32_t csid = 0;
  uint32_t stream_id = 0;
  uint64_t timestamp = 0;
  Payload payload;
  std::vector<amf0::Value> values;  // for command / data messages
};

// Decodes a session's output after `skip` handshake bytes.
inline std::vector<OutMessage> decode_output(ByteView bytes, size_t skip) {
  std::vector<OutMessage> out;
  ChunkReader reader;
  Status st = reader.feed(bytes.subspan(skip), [&](Message&& m) {
    OutMessage o{m.type, m.csid, m.stream_id, m.timestamp, m.payload, {}};
    if (m.type == kCommandAmf0 || m.type == kDataAmf0) {
      auto v = amf0::decode_all(*m.payload);
      if (!v) return v.status();
      o.values = std::move(*v);
    }
    out.push_back(std::move(o));
    return Status::ok();
  });
  if (!st) out.push_back(OutMessage{0xFF, 0, 0, 0, nullptr, {}});  // makes the test fail visibly
  return out;
}

inline Bytes be32(uint32_t v) {
  return {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
}

}  // namespace sg::rtmp::testing
