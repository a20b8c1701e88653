// The peer-facing flow control both session roles share: the window the peer announced (Window
// Acknowledgement Size) and the acknowledgements owed for it, and Ping Request -> Ping Response.
#pragma once

#include <cstdint>
#include <optional>

#include "rtmp/bytes.h"
#include "rtmp/chunk.h"
#include "rtmp/status.h"

namespace sg::rtmp {

class PeerControl {
 public:
  // Handles a Window Acknowledgement Size or User Control message (answering pings into `out`);
  // nullopt for any other message type, which the session handles itself.
  std::optional<Status> on_message(const Message& m, ChunkWriter& writer, OutQueue& out);
  // Sends one Acknowledgement per window the peer announced, carrying the byte count so far (the
  // 32-bit sequence number wraps like the peer's counter does).
  void acknowledge(uint64_t bytes_in, ChunkWriter& writer, OutQueue& out);
  uint32_t peer_window() const { return peer_window_; }

 private:
  uint32_t peer_window_ = 0;
  uint64_t last_ack_sent_ = 0;
};

}  // namespace sg::rtmp
