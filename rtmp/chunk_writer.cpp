// ChunkWriter: picks the smallest header the previous message on the chunk stream allows.
//
// A new message is sent as type 3 only when the previous header on the chunk stream was type 1, 2
// or 3 with the same delta. Right after a type-0 header the readers disagree about what a type-3
// new message means (the spec and ffmpeg add the type-0 timestamp, gortmplib and librtmp add 0; see
// chunk_reader.cpp), so the writer sends type 2 there, which every reader understands the same way.
#include <algorithm>

#include "rtmp/chunk.h"

namespace sg::rtmp {
namespace {

constexpr uint32_t kExtendedMarker = 0xFFFFFF;

void put_basic_header(std::vector<uint8_t>& h, uint8_t fmt, uint32_t csid) {
  const uint8_t f = uint8_t(fmt << 6);
  if (csid >= 2 && csid <= 63) {
    put_u8(h, f | csid);
  } else if (csid >= 64 && csid <= 319) {
    put_u8(h, f | 0);
    put_u8(h, csid - 64);
  } else {
    put_u8(h, f | 1);
    const uint32_t v = csid - 64;
    put_u8(h, v & 0xFF);
    put_u8(h, (v >> 8) & 0xFF);
  }
}

}  // namespace

void ChunkWriter::write(const Message& m, OutQueue& out) {
  LastHeader& last = last_[m.csid];
  const uint32_t length = m.payload ? uint32_t(m.payload->size()) : 0;

  uint8_t fmt = 0;
  uint32_t field = uint32_t(m.timestamp);  // 32-bit truncation on the wire
  if (last.valid && m.stream_id == last.stream_id && m.timestamp >= last.timestamp &&
      m.timestamp - last.timestamp <= 0xFFFFFFFFu) {
    const uint32_t delta = uint32_t(m.timestamp - last.timestamp);
    field = delta;
    fmt = 1;
    if (m.type == last.type && length == last.length) {
      fmt = 2;
      if (last.delta_known && delta == last.delta) fmt = 3;
    }
  }
  const bool extended = field >= kExtendedMarker;

  std::vector<uint8_t> h;
  h.reserve(18);
  put_basic_header(h, fmt, m.csid);
  if (fmt <= 2) put_be24(h, extended ? kExtendedMarker : field);
  if (fmt <= 1) {
    put_be24(h, length);
    put_u8(h, m.type);
  }
  if (fmt == 0) put_le32(h, m.stream_id);
  if (extended) put_be32(h, field);
  out.append_copy(h);

  // Continuation chunks are type 3 and repeat the extended timestamp, as ffmpeg and librtmp expect.
  std::vector<uint8_t> cont;
  put_basic_header(cont, 3, m.csid);
  if (extended) put_be32(cont, field);

  size_t offset = 0;
  while (offset < length) {
    if (offset > 0) out.append_copy(cont);
    const size_t n = std::min<size_t>(chunk_size_, length - offset);
    out.append_shared(m.payload, offset, n);
    offset += n;
  }

  last.valid = true;
  last.stream_id = m.stream_id;
  last.length = length;
  last.type = m.type;
  last.delta = fmt == 0 ? 0 : field;
  last.delta_known = fmt != 0;
  last.timestamp = m.timestamp;
}

}  // namespace sg::rtmp
