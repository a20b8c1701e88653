// RTMP chunk stream: reassembly of messages from chunks (ChunkReader) and the reverse
// (ChunkWriter). Sans-I/O: bytes in, messages out; no sockets, no clocks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "rtmp/bytes.h"
#include "rtmp/status.h"

namespace sg::rtmp {

// RTMP message type ids (RTMP 1.0 spec section 5.4 and 7.1).
enum MessageType : uint8_t {
  kSetChunkSize = 1,
  kAbort = 2,
  kAcknowledgement = 3,
  kUserControl = 4,
  kWindowAckSize = 5,
  kSetPeerBandwidth = 6,
  kAudio = 8,
  kVideo = 9,
  kDataAmf3 = 15,
  kSharedObjectAmf3 = 16,
  kCommandAmf3 = 17,
  kDataAmf0 = 18,
  kSharedObjectAmf0 = 19,
  kCommandAmf0 = 20,
  kAggregate = 22,
};

struct Message {
  uint32_t csid = 0;       // chunk stream id it arrived on / is to be sent on (2..65599)
  uint8_t type = 0;        // MessageType
  uint32_t stream_id = 0;  // message stream id
  uint64_t timestamp = 0;  // milliseconds, unwrapped to 64 bits across the 32-bit wrap
  Payload payload;         // never null for a delivered message (may be empty)
};

struct ChunkLimits {
  uint32_t max_chunk_size = 65536;  // a Set Chunk Size above this is an error
  uint32_t max_message_size = 8 * 1024 * 1024;
  uint32_t max_chunk_streams = 64;  // concurrently known chunk stream ids
};

// Reassembles messages. Set Chunk Size (type 1) and Abort (type 2) are applied by the reader
// itself, at the exact byte where they end, and are also delivered to the sink like any other
// message. Errors are sticky: once feed() returned an error every later call returns the same
// error. Reason ids: rtmp.bad_chunk_size, rtmp.message_too_large, rtmp.too_many_chunk_streams,
// rtmp.bad_chunk_header (type 1/2/3 on an unknown chunk stream, or a type 0/1/2 header while a
// message on that chunk stream is incomplete), rtmp.bad_control_message (Set Chunk Size or Abort
// shorter than 4 bytes). Timestamp rules (type 3 after type 0, extended timestamps on type 3,
// 64-bit unwrap) are explained at the top of chunk_reader.cpp.
class ChunkReader {
 public:
  using Sink = std::function<Status(Message&&)>;
  explicit ChunkReader(ChunkLimits limits = {});
  ~ChunkReader();
  ChunkReader(ChunkReader&&) noexcept;
  ChunkReader& operator=(ChunkReader&&) noexcept;

  // Consumes all of `data` (buffering partial chunks internally) and calls `sink` for each complete
  // message, in order. A non-ok status from the sink stops parsing and is returned (and is sticky).
  Status feed(ByteView data, const Sink& sink);

  uint32_t chunk_size() const { return chunk_size_; }
  uint64_t bytes_received() const { return bytes_received_; }  // for acknowledgements

 private:
  struct StreamState;
  struct Header;
  ChunkLimits limits_;
  uint32_t chunk_size_ = 128;
  uint64_t bytes_received_ = 0;
  std::vector<uint8_t> pending_;  // bytes of a chunk header that straddles feed() calls (<= 18)
  std::unordered_map<uint32_t, std::unique_ptr<StreamState>> streams_;
  Status error_;
  // Body phase: `chunk_left_` bytes of the current chunk still go to `body_stream_`.
  bool in_body_ = false;
  uint32_t body_csid_ = 0;
  StreamState* body_stream_ = nullptr;  // owned by streams_ (unique_ptr: stable across rehash)
  uint32_t chunk_left_ = 0;

  // Returns the header size, or 0 when `n` bytes are not enough. Does not change any state.
  size_t decode_header(const uint8_t* p, size_t n, Header& h) const;
  Status begin_chunk(const Header& h, const Sink& sink);
  Status end_chunk(const Sink& sink);
  void append_body(StreamState& s, const uint8_t* p, size_t n);
  Status fail(Status st);
  friend struct ChunkReaderAccess;
};

// Splits messages into chunks. Uses the most compact header type the previous message on the same
// chunk stream allows (type 0 first, then 1, 2 or 3), extended timestamps at >= 0xFFFFFF (repeated
// on type-3 continuation chunks, as ffmpeg, librtmp and the spec's errata expect), timestamps
// truncated to 32 bits on the wire. Payload bytes are referenced, not copied
// (OutQueue::append_shared).
class ChunkWriter {
 public:
  // Does not emit the Set Chunk Size message: send it with write() first, then call this.
  void set_chunk_size(uint32_t size) { chunk_size_ = size; }
  uint32_t chunk_size() const { return chunk_size_; }

  // `m.csid` must be 2..65599 and the payload shorter than 16 MiB (the 24-bit length field).
  void write(const Message& m, OutQueue& out);

 private:
  struct LastHeader {
    uint32_t stream_id = 0;
    uint32_t length = 0;
    uint8_t type = 0;
    uint64_t timestamp = 0;
    uint32_t delta = 0;
    bool delta_known = false;  // false after a type-0 header (see chunk_writer.cpp)
    bool valid = false;
  };
  uint32_t chunk_size_ = 128;
  std::unordered_map<uint32_t, LastHeader> last_;
};

// Protocol control and user control messages (RTMP 1.0 sections 5.4 and 6.2).
namespace control {
inline constexpr uint32_t kControlCsid = 2;
Message set_chunk_size(uint32_t size);
Message abort_message(uint32_t csid);
Message acknowledgement(uint32_t sequence_number);
Message window_ack_size(uint32_t size);
Message set_peer_bandwidth(uint32_t size, uint8_t limit_type);  // 0 hard, 1 soft, 2 dynamic

enum UserControlEvent : uint16_t {
  kStreamBegin = 0,
  kStreamEof = 1,
  kStreamDry = 2,
  kSetBufferLength = 3,
  kStreamIsRecorded = 4,
  kPingRequest = 6,
  kPingResponse = 7,
};
Message user_control(UserControlEvent event, uint32_t value, uint32_t extra = 0);

// Parses the 4-byte big-endian value of a type 1/2/3/5 message; type 6 yields size (the limit type
// comes from parse_peer_bandwidth). Reason id rtmp.bad_control_message on short payloads.
Result<uint32_t> parse_u32(const Message& m);
struct PeerBandwidth {
  uint32_t size = 0;
  uint8_t limit_type = 0;
};
Result<PeerBandwidth> parse_peer_bandwidth(const Message& m);  // 5 bytes: size, limit type
struct UserControl {
  uint16_t event = 0;
  uint32_t value = 0;
  uint32_t extra = 0;  // SetBufferLength's buffer length
};
Result<UserControl> parse_user_control(const Message& m);
}  // namespace control

}  // namespace sg::rtmp
