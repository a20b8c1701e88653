// ChunkReader: a push parser that alternates between two phases, a chunk header (kept in `pending_`
// only when it straddles two feed() calls) and a chunk body (copied straight into the message being
// assembled on its chunk stream).
//
// Timestamp rules, with the reasons for the choices the RTMP 1.0 spec leaves open:
// - Type 0 carries an absolute 32-bit timestamp, unwrapped to 64 bits against the previous
// timestamp
//   on the same chunk stream (each chunk stream keeps its own 64-bit timestamp; a new one starts at
//   0).
// - Types 1 and 2 carry a delta added in 64 bits.
// - A type-3 chunk that starts a new message reuses the previous delta. After a type-0 header the
//   "delta" is the type-0 timestamp field itself: the spec says so in 5.3.1.2.4 ("If a Type 3 chunk
//   follows a Type 0 chunk, then the timestamp delta for this Type 3 chunk is the same as the
//   timestamp of the Type 0 chunk"), and ffmpeg reads and writes it that way (its writer only picks
//   a one-byte header when the new delta equals the previous timestamp field). gortmplib and
//   librtmp readers use a delta of 0 instead; the two readings agree for the common case of a
//   type-0 timestamp of 0, and our ChunkWriter never sends a new message as type 3 right after type
//   0.
// - A type-3 chunk after a header with the 0xFFFFFF marker carries the 4-byte extended timestamp
//   again: on continuation chunks (ffmpeg and librtmp send it; it is read and ignored) and on a new
//   message, where the value read is taken as the delta, as ffmpeg does.
#include <algorithm>
#include <string>

#include "rtmp/chunk.h"

namespace sg::rtmp {
namespace {

constexpr uint32_t kExtendedMarker = 0xFFFFFF;
// 3-byte basic header + 11-byte type-0 message header + 4-byte extended timestamp.
constexpr size_t kMaxHeaderSize = 18;
constexpr uint64_t kWrap = uint64_t(1) << 32;

// Places a 32-bit wire timestamp next to a 64-bit reference: a jump of more than 2^31 backwards in
// the low 32 bits is a forward wrap, and one of more than 2^31 forwards (after a wrap) is a late
// timestamp from before it.
uint64_t unwrap(uint32_t t, uint64_t ref) {
  const uint32_t lo = uint32_t(ref);
  uint64_t v = (ref & ~(kWrap - 1)) | t;
  if (t < lo && lo - t > 0x80000000u) {
    v += kWrap;
  } else if (t > lo && t - lo > 0x80000000u && v >= kWrap) {
    v -= kWrap;
  }
  return v;
}

}  // namespace

struct ChunkReader::StreamState {
  // From the last message header on this chunk stream.
  uint32_t stream_id = 0;
  uint32_t length = 0;
  uint8_t type = 0;
  uint32_t delta = 0;      // what a type-3 new message adds (see the top of this file)
  bool extended = false;   // the last type 0/1/2 header used the 0xFFFFFF marker
  uint64_t timestamp = 0;  // of the current (or last) message
  // The message being assembled.
  bool in_progress = false;
  std::vector<uint8_t> body;
};

struct ChunkReader::Header {
  uint8_t fmt = 0;
  uint32_t csid = 0;
  uint32_t ts_field = 0;  // 24-bit field, or the extended value when the marker was present
  uint32_t length = 0;
  uint8_t type = 0;
  uint32_t stream_id = 0;
  bool extended = false;  // the 4 extended timestamp bytes were present
};

ChunkReader::ChunkReader(ChunkLimits limits) : limits_(limits) {}
ChunkReader::~ChunkReader() = default;
ChunkReader::ChunkReader(ChunkReader&&) noexcept = default;
ChunkReader& ChunkReader::operator=(ChunkReader&&) noexcept = default;

size_t ChunkReader::decode_header(const uint8_t* p, size_t n, Header& h) const {
  if (n < 1) return 0;
  h.fmt = p[0] >> 6;
  size_t i = 1;
  switch (p[0] & 0x3F) {
    case 0:  // 2-byte form: csid 64..319
      if (n < 2) return 0;
      h.csid = 64 + p[1];
      i = 2;
      break;
    case 1:  // 3-byte form: csid 64..65599, little-endian
      if (n < 3) return 0;
      h.csid = 64 + p[1] + (uint32_t(p[2]) << 8);
      i = 3;
      break;
    default:
      h.csid = p[0] & 0x3F;
  }
  static constexpr size_t kMessageHeaderSize[4] = {11, 7, 3, 0};
  if (n < i + kMessageHeaderSize[h.fmt]) return 0;
  bool marker = false;
  if (h.fmt <= 2) {
    h.ts_field = get_be24(p + i);
    marker = h.ts_field == kExtendedMarker;
  }
  if (h.fmt <= 1) {
    h.length = get_be24(p + i + 3);
    h.type = p[i + 6];
  }
  if (h.fmt == 0) h.stream_id = get_le32(p + i + 7);
  i += kMessageHeaderSize[h.fmt];
  if (h.fmt == 3) {
    auto it = streams_.find(h.csid);
    marker = it != streams_.end() && it->second->extended;
  }
  h.extended = marker;
  if (marker) {
    if (n < i + 4) return 0;
    h.ts_field = get_be32(p + i);
    i += 4;
  }
  return i;
}

Status ChunkReader::fail(Status st) {
  error_ = std::move(st);
  return error_;
}

Status ChunkReader::feed(ByteView data, const Sink& sink) {
  if (!error_.is_ok()) return error_;
  bytes_received_ += data.size();
  const uint8_t* p = data.data();
  const size_t n = data.size();
  size_t pos = 0;
  while (pos < n) {
    if (!in_body_) {
      Header h;
      if (pending_.empty()) {
        const size_t hs = decode_header(p + pos, n - pos, h);
        if (hs == 0) {  // the header straddles feed() calls; it is shorter than 18 bytes
          pending_.assign(p + pos, p + n);
          return Status::ok();
        }
        pos += hs;
      } else {
        const size_t before = pending_.size();
        const size_t add = std::min(kMaxHeaderSize - before, n - pos);
        pending_.insert(pending_.end(), p + pos, p + pos + add);
        const size_t hs = decode_header(pending_.data(), pending_.size(), h);
        // A header is at most kMaxHeaderSize bytes, so "need more" means all of `data` was taken.
        if (hs == 0) return Status::ok();
        pos += hs - before;
        pending_.clear();
      }
      if (Status st = begin_chunk(h, sink); !st) return fail(std::move(st));
    } else {
      StreamState& s = *body_stream_;
      const size_t take = std::min<size_t>(chunk_left_, n - pos);
      append_body(s, p + pos, take);
      pos += take;
      chunk_left_ -= uint32_t(take);
      if (chunk_left_ == 0) {
        if (Status st = end_chunk(sink); !st) return fail(std::move(st));
      }
    }
  }
  return Status::ok();
}

void ChunkReader::append_body(StreamState& s, const uint8_t* p, size_t n) {
  // Grow geometrically but never past the announced length, and only as bytes really arrive: a peer
  // that announces 8 MiB messages on every chunk stream costs only what it actually sends.
  const size_t need = s.body.size() + n;
  if (need > s.body.capacity()) {
    s.body.reserve(std::min<size_t>(s.length, std::max(need, s.body.capacity() * 2)));
  }
  s.body.insert(s.body.end(), p, p + n);
}

Status ChunkReader::begin_chunk(const Header& h, const Sink& sink) {
  auto it = streams_.find(h.csid);
  if (it == streams_.end()) {
    if (h.fmt != 0) {
      return make_error("rtmp.bad_chunk_header", "type " + std::to_string(h.fmt) +
                                                     " chunk on unknown chunk stream " +
                                                     std::to_string(h.csid));
    }
    if (streams_.size() >= limits_.max_chunk_streams) {
      return make_error(
          "rtmp.too_many_chunk_streams",
          "more than " + std::to_string(limits_.max_chunk_streams) + " chunk streams");
    }
    it = streams_.emplace(h.csid, std::make_unique<StreamState>()).first;
  }
  StreamState& s = *it->second;
  if (s.in_progress) {
    // Only type 3 may continue a message; its timestamp (if any) repeats the header's and is
    // ignored.
    if (h.fmt != 3) {
      return make_error("rtmp.bad_chunk_header", "type " + std::to_string(h.fmt) +
                                                     " chunk inside a message on chunk stream " +
                                                     std::to_string(h.csid));
    }
  } else {
    switch (h.fmt) {
      case 0:
        s.timestamp = unwrap(h.ts_field, s.timestamp);
        s.delta = h.ts_field;
        s.stream_id = h.stream_id;
        s.length = h.length;
        s.type = h.type;
        s.extended = h.extended;
        break;
      case 1:
        s.length = h.length;
        s.type = h.type;
        [[fallthrough]];
      case 2:
        s.delta = h.ts_field;
        s.timestamp += h.ts_field;
        s.extended = h.extended;
        break;
      default:
        if (h.extended) s.delta = h.ts_field;
        s.timestamp += s.delta;
    }
    if (s.length > limits_.max_message_size) {
      return make_error("rtmp.message_too_large", "message of " + std::to_string(s.length) +
                                                      " bytes, limit " +
                                                      std::to_string(limits_.max_message_size));
    }
    s.in_progress = true;
    s.body.clear();
  }
  body_csid_ = h.csid;
  body_stream_ = &s;
  chunk_left_ = std::min<uint32_t>(chunk_size_, s.length - uint32_t(s.body.size()));
  in_body_ = true;
  if (chunk_left_ == 0) return end_chunk(sink);  // an empty message
  return Status::ok();
}

Status ChunkReader::end_chunk(const Sink& sink) {
  in_body_ = false;
  StreamState& s = *body_stream_;
  if (s.body.size() < s.length) return Status::ok();
  s.in_progress = false;
  Message m;
  m.csid = body_csid_;
  m.type = s.type;
  m.stream_id = s.stream_id;
  m.timestamp = s.timestamp;
  m.payload = make_payload(std::move(s.body));
  s.body = {};
  // Control messages that change how the following bytes are read take effect right here, before
  // the next chunk header is parsed.
  if (m.type == kSetChunkSize || m.type == kAbort) {
    if (m.payload->size() < 4) {
      return make_error("rtmp.bad_control_message",
                        "control message type " + std::to_string(m.type) + " shorter than 4 bytes");
    }
    const uint32_t v = get_be32(m.payload->data());
    if (m.type == kSetChunkSize) {
      // The top bit must be 0; 0 is meaningless; the bound keeps per-chunk work predictable.
      if (v == 0 || v > 0x7FFFFFFFu || v > limits_.max_chunk_size) {
        return make_error("rtmp.bad_chunk_size", "Set Chunk Size " + std::to_string(v) +
                                                     ", limit " +
                                                     std::to_string(limits_.max_chunk_size));
      }
      chunk_size_ = v;
    } else if (auto a = streams_.find(v); a != streams_.end() && a->second->in_progress) {
      a->second->in_progress = false;
      a->second->body = {};
    }
  }
  return sink(std::move(m));
}

}  // namespace sg::rtmp
