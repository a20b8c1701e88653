#include "rtmp/peer_control.h"

namespace sg::rtmp {

std::optional<Status> PeerControl::on_message(const Message& m, ChunkWriter& writer,
                                              OutQueue& out) {
  if (m.type == kWindowAckSize) {
    auto size = control::parse_u32(m);
    if (!size) return size.status();
    peer_window_ = *size;
    return Status::ok();
  }
  if (m.type == kUserControl) {
    auto uc = control::parse_user_control(m);
    if (!uc) return uc.status();
    if (uc->event == control::kPingRequest)
      writer.write(control::user_control(control::kPingResponse, uc->value), out);
    return Status::ok();
  }
  return std::nullopt;
}

void PeerControl::acknowledge(uint64_t bytes_in, ChunkWriter& writer, OutQueue& out) {
  if (peer_window_ == 0 || bytes_in - last_ack_sent_ < peer_window_) return;
  writer.write(control::acknowledgement(uint32_t(bytes_in)), out);
  last_ack_sent_ = bytes_in;
}

}  // namespace sg::rtmp
