#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "rtmp/chunk.h"

namespace sg::rtmp {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes hex(const std::string& s) {
  Bytes out;
  std::istringstream in(s);
  std::string tok;
  while (in >> tok) out.push_back(uint8_t(std::stoul(tok, nullptr, 16)));
  return out;
}

Bytes wire(const Message& m) {
  ChunkWriter w;
  OutQueue out;
  w.write(m, out);
  return out.take_all();
}

Message decode_one(const Bytes& b) {
  ChunkReader r;
  std::vector<Message> got;
  Status st = r.feed(b, [&](Message&& m) {
    got.push_back(std::move(m));
    return Status::ok();
  });
  EXPECT_TRUE(st.is_ok()) << st.reason();
  EXPECT_EQ(got.size(), 1u);
  return got.empty() ? Message{} : got[0];
}

struct ControlGolden {
  const char* name;
  Message message;
  Bytes bytes;  // the whole chunk: csid 2, type 0 header, stream 0, timestamp 0
};

std::vector<ControlGolden> goldens() {
  return {
      {"set_chunk_size", control::set_chunk_size(4096),
       hex("02 00 00 00 00 00 04 01 00 00 00 00 00 00 10 00")},
      {"set_chunk_size_clears_top_bit", control::set_chunk_size(0xFFFFFFFF),
       hex("02 00 00 00 00 00 04 01 00 00 00 00 7f ff ff ff")},
      {"abort", control::abort_message(6), hex("02 00 00 00 00 00 04 02 00 00 00 00 00 00 00 06")},
      {"acknowledgement", control::acknowledgement(0x01020304),
       hex("02 00 00 00 00 00 04 03 00 00 00 00 01 02 03 04")},
      {"window_ack_size", control::window_ack_size(2500000),
       hex("02 00 00 00 00 00 04 05 00 00 00 00 00 26 25 a0")},
      {"set_peer_bandwidth", control::set_peer_bandwidth(2500000, 2),
       hex("02 00 00 00 00 00 05 06 00 00 00 00 00 26 25 a0 02")},
      {"stream_begin", control::user_control(control::kStreamBegin, 1),
       hex("02 00 00 00 00 00 06 04 00 00 00 00 00 00 00 00 00 01")},
      {"ping_request", control::user_control(control::kPingRequest, 0x11223344),
       hex("02 00 00 00 00 00 06 04 00 00 00 00 00 06 11 22 33 44")},
      {"ping_response", control::user_control(control::kPingResponse, 7),
       hex("02 00 00 00 00 00 06 04 00 00 00 00 00 07 00 00 00 07")},
      {"set_buffer_length", control::user_control(control::kSetBufferLength, 1, 3000),
       hex("02 00 00 00 00 00 0a 04 00 00 00 00 00 03 00 00 00 01 00 00 0b b8")},
  };
}

TEST(Control, GoldenEncode) {
  for (const auto& g : goldens()) {
    SCOPED_TRACE(g.name);
    EXPECT_EQ(g.message.csid, control::kControlCsid);
    EXPECT_EQ(g.message.stream_id, 0u);
    EXPECT_EQ(wire(g.message), g.bytes);
  }
}

TEST(Control, GoldenDecodeAndParse) {
  Message m = decode_one(goldens()[0].bytes);
  EXPECT_EQ(m.type, kSetChunkSize);
  EXPECT_EQ(*control::parse_u32(m), 4096u);

  EXPECT_EQ(*control::parse_u32(decode_one(goldens()[2].bytes)), 6u);
  EXPECT_EQ(*control::parse_u32(decode_one(goldens()[3].bytes)), 0x01020304u);
  EXPECT_EQ(*control::parse_u32(decode_one(goldens()[4].bytes)), 2500000u);

  Message bw = decode_one(goldens()[5].bytes);
  EXPECT_EQ(*control::parse_u32(bw), 2500000u);
  auto pb = control::parse_peer_bandwidth(bw);
  ASSERT_TRUE(pb.is_ok());
  EXPECT_EQ(pb->size, 2500000u);
  EXPECT_EQ(pb->limit_type, 2);

  auto begin = control::parse_user_control(decode_one(goldens()[6].bytes));
  ASSERT_TRUE(begin.is_ok());
  EXPECT_EQ(begin->event, control::kStreamBegin);
  EXPECT_EQ(begin->value, 1u);

  auto ping = control::parse_user_control(decode_one(goldens()[7].bytes));
  ASSERT_TRUE(ping.is_ok());
  EXPECT_EQ(ping->event, control::kPingRequest);
  EXPECT_EQ(ping->value, 0x11223344u);

  auto buf = control::parse_user_control(decode_one(goldens()[9].bytes));
  ASSERT_TRUE(buf.is_ok());
  EXPECT_EQ(buf->event, control::kSetBufferLength);
  EXPECT_EQ(buf->value, 1u);
  EXPECT_EQ(buf->extra, 3000u);
}

Message with_payload(uint8_t type, Bytes b) {
  Message m;
  m.csid = 2;
  m.type = type;
  m.payload = make_payload(std::move(b));
  return m;
}

TEST(Control, ShortPayloadsAreBadControlMessages) {
  EXPECT_EQ(control::parse_u32(with_payload(kAcknowledgement, hex("00 00 01"))).error().reason,
            "rtmp.bad_control_message");
  Message null_payload;
  EXPECT_EQ(control::parse_u32(null_payload).error().reason, "rtmp.bad_control_message");
  EXPECT_EQ(control::parse_peer_bandwidth(with_payload(kSetPeerBandwidth, hex("00 00 00 01")))
                .error()
                .reason,
            "rtmp.bad_control_message");
  EXPECT_EQ(
      control::parse_user_control(with_payload(kUserControl, hex("00 06 00 00 00"))).error().reason,
      "rtmp.bad_control_message");
  // SetBufferLength needs its second value.
  EXPECT_EQ(
      control::parse_user_control(with_payload(kUserControl, hex("00 03 00 00 00 01 00 00 0b")))
          .error()
          .reason,
      "rtmp.bad_control_message");
  // Trailing bytes are tolerated.
  auto ok = control::parse_user_control(with_payload(kUserControl, hex("00 07 00 00 00 05 ff")));
  ASSERT_TRUE(ok.is_ok());
  EXPECT_EQ(ok->value, 5u);
}

}  // namespace
}  // namespace sg::rtmp
