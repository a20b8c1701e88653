#include "rtmp/server_session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "tests/rtmp/session_test_util.h"

namespace sg::rtmp {
namespace {

using amf0::Value;
using testing::Bytes;
using testing::decode_output;
using testing::hex;
using testing::StreamBuilder;

constexpr size_t kS0S1S2 = 1 + 2 * kHandshakeSize;

// Records every handler call as a line; answers publish/play according to its settings.
class RecordingHandler : public ServerSessionHandler {
 public:
  enum class Answer { kAccept, kReject, kDefer };
  ServerSession* session = nullptr;
  bool accept_connect = true;
  Answer answer = Answer::kAccept;
  std::vector<std::string> log;
  std::vector<MediaMessage> media;

  bool on_connect(const ConnectInfo& info) override {
    log.push_back("connect app=" + info.app + " tcUrl=" + info.tc_url +
                  " flashVer=" + info.flash_ver);
    return accept_connect;
  }
  void on_publish(std::string_view name, std::string_view type) override {
    log.push_back("publish " + std::string(name) + " " + std::string(type));
    if (answer == Answer::kAccept) session->accept_publish();
    if (answer == Answer::kReject) {
      session->reject_publish("NetStream.Publish.BadName", "INVALID_STREAM_KEY: unknown key");
    }
  }
  void on_play(std::string_view name) override {
    log.push_back("play " + std::string(name));
    if (answer == Answer::kAccept) session->accept_play();
  }
  void on_media(const MediaMessage& m) override {
    log.push_back("media " + std::to_string(m.type) + " " + std::to_string(m.timestamp) + " " +
                  hex(*m.payload));
    media.push_back(m);
  }
  void on_stream_closed() override { log.push_back("closed"); }
};

struct Harness {
  OutQueue out;
  RecordingHandler handler;
  ServerSession session;
  explicit Harness(SessionLimits limits = {})
      : session(limits, testing::counter_random(1), handler, out) {
    handler.session = &session;
  }
  std::vector<testing::OutMessage> replies() {
    auto bytes = out.take_all();
    written.insert(written.end(), bytes.begin(), bytes.end());
    return decode_output(written, kS0S1S2);
  }
  Bytes written;
};

// The ffmpeg connect command body (see amf0_test.cpp), as a hand-built type-0 chunk of 128 bytes
// and a type-3 continuation on chunk stream 3.
Bytes ffmpeg_connect_chunks() {
  std::vector<Value> v = {
      Value::make_string("connect"), Value::make_number(1),
      Value::make_object({
          {"app", Value::make_string("app")},
          {"type", Value::make_string("nonprivate")},
          {"flashVer", Value::make_string("FMLE/3.0 (compatible; Lavf59.27.100)")},
          {"tcUrl", Value::make_string("rtmp://127.0.0.1:1935/app")},
      })};
  Bytes body = amf0::encode_all(v);
  EXPECT_EQ(body.size(), 137u);
  Bytes b = {0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x89, 0x14, 0x00, 0x00, 0x00, 0x00};
  b.insert(b.end(), body.begin(), body.begin() + 128);
  b.push_back(0xc3);
  b.insert(b.end(), body.begin() + 128, body.end());
  return b;
}

Value str(const char* s) {
  return Value::make_string(s);
}
Value num(double d) {
  return Value::make_number(d);
}

std::vector<Value> metadata_values() {
  return {str("onMetaData"), Value::make_ecma_array({{"width", num(1280)},
                                                     {"height", num(720)},
                                                     {"videocodecid", num(7)},
                                                     {"encoder", str("Lavf59.27.100")}})};
}

Bytes big_frame() {
  Bytes b = {0x17, 0x01, 0x00, 0x00, 0x00};
  for (int i = 0; i < 5000; ++i) b.push_back(uint8_t(i * 31));
  return b;
}

Bytes aggregate_body() {
  // Two sub-messages at 500 and 523 ms (their own clock), rebased to the aggregate's 1000 ms.
  return {0x08, 0x00, 0x00, 0x02, 0x00, 0x01, 0xf4, 0x00, 0x00, 0x00, 0x01, 0xaf,
          0x01, 0x00, 0x00, 0x00, 0x0d, 0x09, 0x00, 0x00, 0x03, 0x00, 0x02, 0x0b,
          0x00, 0x00, 0x00, 0x01, 0x27, 0x01, 0x00, 0x00, 0x00, 0x00, 0x0e};
}

// What ffmpeg / OBS send for a publish, from handshake to deleteStream.
Bytes publish_flow() {
  StreamBuilder c;
  c.simple_client_handshake();
  c.raw(ffmpeg_connect_chunks());
  c.set_chunk_size(60000);
  c.command(3, 0, {str("releaseStream"), num(2), Value::make_null(), str("key")});
  c.command(3, 0, {str("FCPublish"), num(3), Value::make_null(), str("key")});
  c.command(3, 0, {str("createStream"), num(4), Value::make_null()});
  c.command(4, 1, {str("publish"), num(5), Value::make_null(), str("key"), str("live")});
  std::vector<Value> meta = metadata_values();
  meta.insert(meta.begin(), str("@setDataFrame"));
  c.message(kDataAmf0, 4, 1, 0, amf0::encode_all(meta));
  c.message(kAudio, 4, 1, 0, {0xaf, 0x00, 0x12, 0x10});
  c.message(kVideo, 6, 1, 0, {0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x42, 0xc0, 0x1f});
  c.message(kVideo, 6, 1, 33, big_frame());
  c.message(kAudio, 4, 1, 23, {0xaf, 0x01, 0x21, 0x10});
  c.message(kAggregate, 4, 1, 1000, aggregate_body());
  c.write(control::user_control(control::kPingRequest, 0x01020304));
  c.message(kVideo, 6, 1, 1100, {0x27, 0x01, 0x00, 0x00, 0x00, 0xaa});
  c.command(3, 0, {str("FCUnpublish"), num(6), Value::make_null(), str("key")});
  c.command(3, 0, {str("deleteStream"), num(7), Value::make_null(), num(1)});
  return c.bytes();
}

std::vector<std::string> expected_publish_log() {
  return {
      "connect app=app tcUrl=rtmp://127.0.0.1:1935/app flashVer=FMLE/3.0 (compatible; "
      "Lavf59.27.100)",
      "publish key live",
      "media 18 0 " + hex(amf0::encode_all(metadata_values())),
      "media 8 0 af001210",
      "media 9 0 17000000000142c01f",
      "media 9 33 " + hex(big_frame()),
      "media 8 23 af012110",
      "media 8 1000 af01",
      "media 9 1023 270100",
      "media 9 1100 27010000"
      "00aa",
      "closed",
  };
}

Value status_info(const char* level, const char* code, const char* description) {
  return Value::make_object(
      {{"level", str(level)}, {"code", str(code)}, {"description", str(description)}});
}

TEST(ServerSession, PublishFlowExactRepliesAndEvents) {
  Harness h;
  const Bytes in = publish_flow();
  ASSERT_TRUE(h.session.feed(in)) << h.session.feed({}).error().detail;
  EXPECT_EQ(h.handler.log, expected_publish_log());
  EXPECT_EQ(h.session.state(), ServerSession::State::kConnected);
  EXPECT_EQ(h.session.bytes_received(), in.size());

  auto r = h.replies();
  ASSERT_EQ(r.size(), 10u);
  // Protocol control, in the order ffmpeg and OBS expect it, on chunk stream 2.
  EXPECT_EQ(r[0].type, kWindowAckSize);
  EXPECT_EQ(hex(*r[0].payload), "002625a0");
  EXPECT_EQ(r[1].type, kSetPeerBandwidth);
  EXPECT_EQ(hex(*r[1].payload), "002625a002");
  EXPECT_EQ(r[2].type, kSetChunkSize);
  EXPECT_EQ(hex(*r[2].payload), "00001000");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(r[size_t(i)].csid, 2u);

  Value info = status_info("status", "NetConnection.Connect.Success", "Connection succeeded.");
  info.properties.emplace_back("objectEncoding", num(0));
  EXPECT_EQ(r[3].type, kCommandAmf0);
  EXPECT_EQ(r[3].values, (std::vector<Value>{str("_result"), num(1),
                                             Value::make_object({{"fmsVer", str("FMS/3,0,1,123")},
                                                                 {"capabilities", num(31)}}),
                                             info}));
  EXPECT_EQ(r[4].values, (std::vector<Value>{str("_result"), num(2), Value::make_null(),
                                             Value::make_undefined()}));
  EXPECT_EQ(r[5].values, (std::vector<Value>{str("_result"), num(3), Value::make_null(),
                                             Value::make_undefined()}));
  EXPECT_EQ(r[6].values, (std::vector<Value>{str("_result"), num(4), Value::make_null(), num(1)}));
  EXPECT_EQ(r[7].type, kUserControl);
  EXPECT_EQ(hex(*r[7].payload), "000000000001");  // StreamBegin 1
  EXPECT_EQ(
      r[8].values,
      (std::vector<Value>{str("onStatus"), num(0), Value::make_null(),
                          status_info("status", "NetStream.Publish.Start", "Start publishing.")}));
  EXPECT_EQ(r[8].stream_id, 1u);
  EXPECT_EQ(r[9].type, kUserControl);
  EXPECT_EQ(hex(*r[9].payload), "000701020304");  // PingResponse echoing the ping's value
}

// GStreamer's rtmp2sink sends releaseStream / FCPublish with transaction 0: no answer expected,
// and one would be a _result the client cannot match (it logs a warning for each).
TEST(ServerSession, ReleaseStreamWithTransactionZeroIsNotAnswered) {
  Harness h;
  StreamBuilder c;
  c.simple_client_handshake();
  c.raw(ffmpeg_connect_chunks());
  c.command(3, 0, {str("releaseStream"), num(0), Value::make_null(), str("key")});
  c.command(3, 0, {str("FCPublish"), num(0), Value::make_null(), str("key")});
  c.command(3, 0, {str("createStream"), num(2), Value::make_null()});
  ASSERT_TRUE(h.session.feed(c.bytes()));
  auto r = h.replies();
  ASSERT_EQ(r.size(), 5u);  // window, bandwidth, chunk size, connect _result, createStream
  EXPECT_EQ(r[4].values, (std::vector<Value>{str("_result"), num(2), Value::make_null(), num(1)}));
}

TEST(ServerSession, FirstReplyBytesAreGolden) {
  Harness h;
  StreamBuilder c;
  c.simple_client_handshake();
  c.raw(ffmpeg_connect_chunks());
  ASSERT_TRUE(h.session.feed(c.bytes()));
  Bytes out = h.out.take_all();
  ASSERT_GT(out.size(), kS0S1S2 + 16);
  EXPECT_EQ(out[0], 3);
  // The simple handshake: S2 echoes C1.
  EXPECT_TRUE(
      std::equal(out.begin() + 1 + kHandshakeSize, out.begin() + kS0S1S2, c.bytes().begin() + 1));
  // Window Acknowledgement Size 2500000 with a full type-0 header on chunk stream 2.
  const Bytes golden = {0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x05,
                        0x00, 0x00, 0x00, 0x00, 0x00, 0x26, 0x25, 0xa0};
  EXPECT_EQ(Bytes(out.begin() + kS0S1S2, out.begin() + kS0S1S2 + 16), golden);
}

// The publish flow split in two at every offset, and at random chunkings, gives the same events
// and the same output bytes.
TEST(ServerSession, PublishFlowSplitAtEveryOffset) {
  const Bytes in = publish_flow();
  Harness ref;
  ASSERT_TRUE(ref.session.feed(in));
  const Bytes ref_out = ref.out.take_all();
  for (size_t cut = 0; cut <= in.size(); ++cut) {
    Harness h;
    ASSERT_TRUE(h.session.feed(ByteView(in.data(), cut))) << cut;
    ASSERT_TRUE(h.session.feed(ByteView(in.data() + cut, in.size() - cut))) << cut;
    ASSERT_EQ(h.handler.log, expected_publish_log()) << "split at " << cut;
    ASSERT_EQ(h.out.take_all(), ref_out) << "split at " << cut;
  }
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    Harness h;
    size_t pos = 0;
    while (pos < in.size()) {
      size_t n = std::min(in.size() - pos, size_t(rng() % 300 + 1));
      ASSERT_TRUE(h.session.feed(ByteView(in.data() + pos, n)));
      pos += n;
    }
    ASSERT_EQ(h.handler.log, expected_publish_log()) << "round " << round;
  }
}

Bytes connected_prefix() {
  StreamBuilder c;
  c.simple_client_handshake();
  c.raw(ffmpeg_connect_chunks());
  return c.bytes();
}

TEST(ServerSession, MediaBeforeAcceptIsDroppedThenDelivered) {
  Harness h;
  h.handler.answer = RecordingHandler::Answer::kDefer;
  StreamBuilder c;
  c.simple_client_handshake();
  c.raw(ffmpeg_connect_chunks());
  c.command(3, 0, {str("createStream"), num(2), Value::make_null()});
  c.command(4, 1, {str("publish"), num(3), Value::make_null(), str("key")});
  c.message(kAudio, 4, 1, 0, {0xaf, 0x00, 0x12, 0x10});  // OBS racing ahead
  ASSERT_TRUE(h.session.feed(c.bytes()));
  EXPECT_EQ(h.session.state(), ServerSession::State::kPublishPending);
  EXPECT_TRUE(h.handler.media.empty());
  EXPECT_EQ(h.handler.log.back(), "publish key live");  // the type defaults to live

  h.session.accept_publish();
  EXPECT_EQ(h.session.state(), ServerSession::State::kPublishing);
  Bytes tail;  // a fresh writer: its first chunk per stream has a full type-0 header
  {
    StreamBuilder t;
    t.message(kAudio, 4, 1, 21, {0xaf, 0x01, 0x55});
    t.message(kAudio, 4, 2, 21, {0xaf, 0x01, 0x66});  // wrong stream id: dropped
    tail = t.bytes();
  }
  ASSERT_TRUE(h.session.feed(tail));
  ASSERT_EQ(h.handler.media.size(), 1u);
  EXPECT_EQ(hex(*h.handler.media[0].payload), "af0155");
  EXPECT_EQ(h.handler.media[0].timestamp, 21u);
}

TEST(ServerSession, RejectedPublishSendsErrorStatusAndIgnoresTheRest) {
  Harness h;
  h.handler.answer = RecordingHandler::Answer::kReject;
  StreamBuilder c;
  c.simple_client_handshake();
  c.raw(ffmpeg_connect_chunks());
  c.command(3, 0, {str("createStream"), num(2), Value::make_null()});
  c.command(4, 1, {str("publish"), num(3), Value::make_null(), str("bad"), str("live")});
  c.message(kAudio, 4, 1, 0, {0xaf, 0x00, 0x12, 0x10});
  c.command(3, 0, {str("whatever"), num(9), Value::make_null()});
  ASSERT_TRUE(h.session.feed(c.bytes()));
  EXPECT_EQ(h.session.state(), ServerSession::State::kClosed);
  EXPECT_TRUE(h.handler.media.empty());
  auto r = h.replies();
  ASSERT_FALSE(r.empty());
  EXPECT_EQ(r.back().values, (std::vector<Value>{str("onStatus"), num(0), Value::make_null(),
                                                 status_info("error", "NetStream.Publish.BadName",
                                                             "INVALID_STREAM_KEY: unknown key")}));
  EXPECT_EQ(r.back().stream_id, 1u);
}

TEST(ServerSession, RefusedConnectSendsErrorAndFails) {
  Harness h;
  h.handler.accept_connect = false;
  Status st = h.session.feed(connected_prefix());
  ASSERT_FALSE(st);
  EXPECT_EQ(st.reason(), "rtmp.connect_rejected");
  EXPECT_EQ(h.session.feed(Bytes{1, 2, 3}).reason(), "rtmp.connect_rejected");  // sticky
  auto r = h.replies();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].values, (std::vector<Value>{str("_error"), num(1), Value::make_null(),
                                             status_info("error", "NetConnection.Connect.Rejected",
                                                         "Connection rejected.")}));
}

TEST(ServerSession, PlayFlowAndSharedMedia) {
  Harness h;
  StreamBuilder c;
  c.simple_client_handshake();
  c.raw(ffmpeg_connect_chunks());
  c.command(3, 0, {str("createStream"), num(2), Value::make_null()});
  c.command(3, 0, {str("getStreamLength"), num(3), Value::make_null(), str("live1")});
  c.command(3, 0, {str("FCSubscribe"), num(4), Value::make_null(), str("live1")});
  c.command(8, 1, {str("play"), num(5), Value::make_null(), str("live1"), num(-2000)});
  ASSERT_TRUE(h.session.feed(c.bytes()));
  EXPECT_EQ(h.handler.log.back(), "play live1");
  EXPECT_EQ(h.session.state(), ServerSession::State::kPlaying);

  auto video = make_payload(big_frame());
  auto audio = make_payload(Bytes{0xaf, 0x01, 0x01});
  const size_t before = h.out.segments().size();
  h.session.send_media({kVideo, 40, video});
  h.session.send_media({kAudio, 41, audio});
  bool shared = false;
  for (size_t i = before; i < h.out.segments().size(); ++i) {
    if (h.out.segments()[i].owner == video) shared = true;
  }
  EXPECT_TRUE(shared) << "media must be referenced, not copied";

  auto r = h.replies();
  // control x3, _result connect, _result createStream, _result getStreamLength, StreamBegin,
  // Play.Reset, Play.Start, |RtmpSampleAccess, video, audio.
  ASSERT_EQ(r.size(), 12u);
  EXPECT_EQ(r[5].values, (std::vector<Value>{str("_result"), num(3), Value::make_null(), num(0)}));
  EXPECT_EQ(hex(*r[6].payload), "000000000001");
  EXPECT_EQ(r[7].values[3].find("code")->as_string(), "NetStream.Play.Reset");
  EXPECT_EQ(r[8].values[3].find("code")->as_string(), "NetStream.Play.Start");
  EXPECT_EQ(r[9].type, kDataAmf0);
  EXPECT_EQ(r[9].values[0].as_string(), "|RtmpSampleAccess");
  EXPECT_EQ(r[10].type, kVideo);
  EXPECT_EQ(r[10].csid, kVideoCsid);
  EXPECT_EQ(r[10].stream_id, 1u);
  EXPECT_EQ(r[10].timestamp, 40u);
  EXPECT_EQ(*r[10].payload, *video);
  EXPECT_EQ(r[11].type, kAudio);
  EXPECT_EQ(r[11].csid, kAudioCsid);
  EXPECT_EQ(*r[11].payload, *audio);

  // closeStream ends the play once.
  StreamBuilder t;
  t.command(8, 1, {str("closeStream"), num(0), Value::make_null()});
  t.command(3, 0, {str("deleteStream"), num(6), Value::make_null(), num(1)});
  ASSERT_TRUE(h.session.feed(t.bytes()));
  EXPECT_EQ(h.handler.log.back(), "closed");
  EXPECT_EQ(std::count(h.handler.log.begin(), h.handler.log.end(), "closed"), 1);
  h.session.send_media({kVideo, 80, video});  // not playing any more: ignored
  EXPECT_TRUE(h.out.empty());
}

TEST(ServerSession, UnknownCommandsGetAnErrorOnlyWithATransactionId) {
  Harness h;
  StreamBuilder c;
  c.simple_client_handshake();
  c.raw(ffmpeg_connect_chunks());
  c.command(3, 0, {str("fooBar"), num(0), Value::make_null()});
  c.command(3, 0, {str("fooBar"), num(7), Value::make_null()});
  c.command(3, 0, {str("_checkbw"), num(8), Value::make_null()});
  ASSERT_TRUE(h.session.feed(c.bytes()));
  auto r = h.replies();
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[4].values, (std::vector<Value>{str("_error"), num(7), Value::make_null(),
                                             status_info("error", "NetConnection.Call.Failed",
                                                         "Method not found (fooBar).")}));
}

TEST(ServerSession, AcknowledgesEveryPeerWindow) {
  Harness h;
  StreamBuilder c;
  c.simple_client_handshake();
  c.raw(ffmpeg_connect_chunks());
  c.write(control::window_ack_size(4000));
  ASSERT_TRUE(h.session.feed(c.bytes()));  // 3073 + 149 + 16 bytes: below the window
  auto r = h.replies();
  ASSERT_EQ(r.size(), 4u);
  StreamBuilder pad;
  for (int i = 0; i < 100; ++i) pad.command(3, 0, {str("noop"), num(0), Value::make_null()});
  ASSERT_TRUE(h.session.feed(pad.bytes()));
  r = h.replies();
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[4].type, kAcknowledgement);
  EXPECT_EQ(hex(*r[4].payload), hex(testing::be32(uint32_t(h.session.bytes_received()))));
  // No second acknowledgement until another full window arrived.
  ASSERT_TRUE(h.session.feed(pad.bytes()));
  EXPECT_EQ(h.replies().size(), 5u);
}

TEST(ServerSession, ProtocolViolations) {
  {
    Harness h;
    StreamBuilder c;
    c.simple_client_handshake();
    c.command(3, 0, {str("createStream"), num(2), Value::make_null()});
    EXPECT_EQ(h.session.feed(c.bytes()).reason(), "rtmp.unexpected_message");
  }
  {
    Harness h;
    StreamBuilder c;
    c.simple_client_handshake();
    c.message(kCommandAmf0, 3, 0, 0, {0x02, 0x00, 0x09, 'c'});  // truncated AMF string
    EXPECT_EQ(h.session.feed(c.bytes()).reason(), "rtmp.bad_command");
  }
  {
    Harness h;
    StreamBuilder c;
    c.simple_client_handshake();
    c.raw(ffmpeg_connect_chunks());
    c.command(3, 0, {str("createStream"), num(2), Value::make_null()});
    c.command(4, 1, {str("publish"), num(3), Value::make_null()});  // no name
    EXPECT_EQ(h.session.feed(c.bytes()).reason(), "rtmp.bad_command");
  }
  {
    Harness h;
    EXPECT_EQ(h.session.feed(Bytes{6}).reason(), "rtmp.bad_handshake_version");
  }
}

TEST(ServerSession, BareOnMetaDataAndOtherDataMessages) {
  Harness h;
  StreamBuilder c;
  c.simple_client_handshake();
  c.raw(ffmpeg_connect_chunks());
  c.command(3, 0, {str("createStream"), num(2), Value::make_null()});
  c.command(4, 1, {str("publish"), num(3), Value::make_null(), str("k"), str("live")});
  c.message(kDataAmf0, 4, 1, 0, amf0::encode_all(metadata_values()));
  c.message(kDataAmf0, 4, 1, 0, amf0::encode_all({str("onCuePoint"), Value::make_object()}));
  c.message(kDataAmf0, 4, 1, 0,
            amf0::encode_all({str("@setDataFrame"), str("onTextData"), Value::make_object()}));
  ASSERT_TRUE(h.session.feed(c.bytes()));
  ASSERT_EQ(h.handler.media.size(), 1u);
  EXPECT_EQ(*h.handler.media[0].payload, amf0::encode_all(metadata_values()));
}

TEST(ServerSession, SplitAggregateMessage) {
  Message m;
  m.type = kAggregate;
  m.timestamp = 10;
  // The second sub-message is earlier than the first: the rebased time clamps at 0.
  m.payload = make_payload(Bytes{0x08, 0x00, 0x00, 0x01, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00,
                                 0xaa, 0x00, 0x00, 0x00, 0x0c, 0x09, 0x00, 0x00, 0x01, 0x00, 0x00,
                                 0x32, 0x00, 0x00, 0x00, 0x00, 0xbb, 0x00, 0x00, 0x00, 0x0c});
  auto subs = split_aggregate_message(m);
  ASSERT_TRUE(subs);
  ASSERT_EQ(subs->size(), 2u);
  EXPECT_EQ((*subs)[0].timestamp, 10u);
  EXPECT_EQ((*subs)[1].timestamp, 0u);
  EXPECT_EQ(hex(*(*subs)[1].payload), "bb");
  m.payload = make_payload(Bytes{0x08, 0x00, 0x00, 0x05});
  EXPECT_EQ(split_aggregate_message(m).error().reason, "flv.bad_aggregate");
}

}  // namespace
}  // namespace sg::rtmp
