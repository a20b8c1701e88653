// Protocol control (types 1, 2, 3, 5, 6) and user control (type 4) messages. All are sent on chunk
// stream 2, message stream 0, timestamp 0 (RTMP 1.0 sections 5.4 and 6.2).
#include <string>

#include "rtmp/chunk.h"

namespace sg::rtmp::control {
namespace {

Message make(uint8_t type, std::vector<uint8_t> body) {
  Message m;
  m.csid = kControlCsid;
  m.type = type;
  m.stream_id = 0;
  m.timestamp = 0;
  m.payload = make_payload(std::move(body));
  return m;
}

Message u32_message(uint8_t type, uint32_t v) {
  std::vector<uint8_t> b;
  put_be32(b, v);
  return make(type, std::move(b));
}

Error too_short(const Message& m, size_t need) {
  return make_error("rtmp.bad_control_message", "message type " + std::to_string(m.type) +
                                                    " needs " + std::to_string(need) + " bytes");
}

size_t payload_size(const Message& m) {
  return m.payload ? m.payload->size() : 0;
}

}  // namespace

Message set_chunk_size(uint32_t size) {
  return u32_message(kSetChunkSize, size & 0x7FFFFFFFu);
}
Message abort_message(uint32_t csid) {
  return u32_message(kAbort, csid);
}
Message acknowledgement(uint32_t sequence_number) {
  return u32_message(kAcknowledgement, sequence_number);
}
Message window_ack_size(uint32_t size) {
  return u32_message(kWindowAckSize, size);
}

Message set_peer_bandwidth(uint32_t size, uint8_t limit_type) {
  std::vector<uint8_t> b;
  put_be32(b, size);
  put_u8(b, limit_type);
  return make(kSetPeerBandwidth, std::move(b));
}

Message user_control(UserControlEvent event, uint32_t value, uint32_t extra) {
  std::vector<uint8_t> b;
  put_be16(b, event);
  put_be32(b, value);
  // Only SetBufferLength carries a second value (the buffer length in milliseconds).
  if (event == kSetBufferLength) put_be32(b, extra);
  return make(kUserControl, std::move(b));
}

Result<uint32_t> parse_u32(const Message& m) {
  if (payload_size(m) < 4) return too_short(m, 4);
  return get_be32(m.payload->data());
}

Result<PeerBandwidth> parse_peer_bandwidth(const Message& m) {
  if (payload_size(m) < 5) return too_short(m, 5);
  return PeerBandwidth{get_be32(m.payload->data()), m.payload->data()[4]};
}

Result<UserControl> parse_user_control(const Message& m) {
  if (payload_size(m) < 6) return too_short(m, 6);
  const uint8_t* p = m.payload->data();
  UserControl uc;
  uc.event = uint16_t(get_be16(p));
  uc.value = get_be32(p + 2);
  if (uc.event == kSetBufferLength) {
    if (payload_size(m) < 10) return too_short(m, 10);
    uc.extra = get_be32(p + 6);
  }
  return uc;
}

}  // namespace sg::rtmp::control
