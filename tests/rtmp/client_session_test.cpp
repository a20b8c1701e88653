#include "rtmp/client_session.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rtmp/server_session.h"
#include "tests/rtmp/session_test_util.h"

namespace sg::rtmp {
namespace {

using amf0::Value;
using testing::Bytes;
using testing::hex;

class ServerSide : public ServerSessionHandler {
 public:
  ServerSession* session = nullptr;
  bool accept_connect = true;
  bool reject = false;
  ConnectInfo connect;
  std::vector<std::string> log;
  std::vector<MediaMessage> media;

  bool on_connect(const ConnectInfo& info) override {
    connect = info;
    return accept_connect;
  }
  void on_publish(std::string_view name, std::string_view type) override {
    log.push_back("publish " + std::string(name) + " " + std::string(type));
    if (reject) {
      session->reject_publish("NetStream.Publish.BadName",
                              "INVALID_STREAM_KEY: the stream key is not valid");
    } else {
      session->accept_publish();
    }
  }
  void on_play(std::string_view name) override {
    log.push_back("play " + std::string(name));
    if (reject) {
      session->reject_play("NetStream.Play.StreamNotFound", "No such stream.");
    } else {
      session->accept_play();
    }
  }
  void on_media(const MediaMessage& m) override { media.push_back(m); }
  void on_stream_closed() override { log.push_back("closed"); }
};

class ClientSide : public ClientSessionHandler {
 public:
  std::vector<std::string> log;
  std::vector<MediaMessage> media;
  std::vector<Error> errors;
  void on_connected() override { log.push_back("connected"); }
  void on_publish_started() override { log.push_back("publish_started"); }
  void on_play_started() override { log.push_back("play_started"); }
  void on_status(std::string_view level, std::string_view code,
                 std::string_view description) override {
    log.push_back("status " + std::string(level) + " " + std::string(code) + " " +
                  std::string(description));
  }
  void on_media(const MediaMessage& m) override {
    log.push_back("media " + std::to_string(m.type) + " " + std::to_string(m.timestamp) + " " +
                  hex(*m.payload));
    media.push_back(m);
  }
  void on_error(const Error& e) override {
    log.push_back("error " + std::string(e.reason) + " " + e.detail);
    errors.push_back(e);
  }
};

ClientSessionOptions options(ClientSessionOptions::Mode mode, bool digest) {
  ClientSessionOptions o;
  o.mode = mode;
  o.app = "app";
  o.tc_url = "rtmp://127.0.0.1:1935/app";
  o.stream_name = "rt_123456789012_us-east-1_abcd_secret";
  o.digest_handshake = digest;
  o.limits.out_chunk_size = 1000;  // differs from the server's, so both directions re-chunk
  return o;
}

// A server and a client wired back to back in memory.
struct Pair {
  OutQueue s_out, c_out;
  ServerSide server_handler;
  ClientSide client_handler;
  ServerSession server;
  ClientSession client;
  Status server_status, client_status;
  Bytes server_bytes, client_bytes;  // everything each side wrote

  Pair(ClientSessionOptions opts, SessionLimits server_limits = {})
      : server(server_limits, testing::counter_random(1), server_handler, s_out),
        client(std::move(opts), testing::counter_random(2), client_handler, c_out) {
    server_handler.session = &server;
  }

  // Moves bytes both ways, in `piece`-sized writes, until both sides are quiet.
  void pump(size_t piece = 1 << 20) {
    for (int guard = 0; guard < 1000 && (!s_out.empty() || !c_out.empty()); ++guard) {
      Bytes c = c_out.take_all();
      client_bytes.insert(client_bytes.end(), c.begin(), c.end());
      for (size_t i = 0; i < c.size() && server_status; i += piece) {
        server_status = server.feed(ByteView(c).subspan(i, std::min(piece, c.size() - i)));
      }
      Bytes s = s_out.take_all();
      server_bytes.insert(server_bytes.end(), s.begin(), s.end());
      for (size_t i = 0; i < s.size() && client_status; i += piece) {
        client_status = client.feed(ByteView(s).subspan(i, std::min(piece, s.size() - i)));
      }
    }
  }
};

Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = uint8_t(seed + i * 131 + (i >> 8));
  return b;
}

std::vector<MediaMessage> sample_media() {
  Bytes video = {0x17, 0x01, 0x00, 0x00, 0x00};
  Bytes frame = pattern(200000, 9);
  video.insert(video.end(), frame.begin(), frame.end());
  return {
      {kDataAmf0, 0,
       make_payload(
           amf0::encode_all({Value::make_string("onMetaData"),
                             Value::make_ecma_array({{"width", Value::make_number(1280)},
                                                     {"height", Value::make_number(720)}})}))},
      {kAudio, 0, make_payload(Bytes{0xaf, 0x00, 0x12, 0x10})},
      {kVideo, 0, make_payload(Bytes{0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x42, 0xc0, 0x1f})},
      {kVideo, 40, make_payload(std::move(video))},
      {kAudio, 43, make_payload(pattern(300, 3))},
      // Past the 24-bit timestamp field: extended timestamps in both directions.
      {kVideo, 0x1000000 + 5, make_payload(pattern(3000, 4))},
      {kAudio, 0x1000000 + 7, make_payload(pattern(10, 5))},
  };
}

void expect_same_media(const std::vector<MediaMessage>& got,
                       const std::vector<MediaMessage>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].type, want[i].type) << i;
    EXPECT_EQ(got[i].timestamp, want[i].timestamp) << i;
    EXPECT_EQ(*got[i].payload, *want[i].payload) << "payload " << i << " differs";
  }
}

class ClientServer : public ::testing::TestWithParam<bool> {};  // digest handshake or not

TEST_P(ClientServer, PublishRoundTripIsBitExact) {
  Pair p(options(ClientSessionOptions::Mode::kPublish, GetParam()));
  p.client.start();
  p.pump(777);
  ASSERT_TRUE(p.server_status) << p.server_status.error().detail;
  ASSERT_TRUE(p.client_status) << p.client_status.error().detail;
  EXPECT_EQ(p.server_handler.connect.app, "app");
  EXPECT_EQ(p.server_handler.connect.tc_url, "rtmp://127.0.0.1:1935/app");
  EXPECT_EQ(p.server_handler.connect.flash_ver, "FMLE/3.0 (compatible; stagegate)");
  EXPECT_EQ(p.server_handler.log,
            std::vector<std::string>{"publish rt_123456789012_us-east-1_abcd_secret live"});
  EXPECT_EQ(p.client_handler.log,
            (std::vector<std::string>{"connected",
                                      "status status NetStream.Publish.Start Start publishing.",
                                      "publish_started"}));
  ASSERT_EQ(p.client.state(), ClientSession::State::kPublishing);
  EXPECT_EQ(p.client.stream_id(), 1u);

  const auto media = sample_media();
  for (const auto& m : media) p.client.send_media(m);
  // Audio and video payloads are referenced by the output queue, not copied.
  bool shared = false;
  for (const auto& seg : p.c_out.segments()) shared = shared || seg.owner == media[3].payload;
  EXPECT_TRUE(shared);
  p.pump(4096);
  ASSERT_TRUE(p.server_status) << p.server_status.error().detail;
  expect_same_media(p.server_handler.media, media);

  p.client.close();
  p.pump();
  EXPECT_EQ(p.server_handler.log.back(), "closed");
  EXPECT_EQ(p.client.state(), ClientSession::State::kClosed);
  EXPECT_EQ(p.server.state(), ServerSession::State::kConnected);
}

TEST_P(ClientServer, PlayRoundTripIsBitExact) {
  Pair p(options(ClientSessionOptions::Mode::kPlay, GetParam()));
  p.client.start();
  p.pump(100);
  ASSERT_TRUE(p.server_status) << p.server_status.error().detail;
  ASSERT_TRUE(p.client_status) << p.client_status.error().detail;
  EXPECT_EQ(p.server_handler.log,
            std::vector<std::string>{"play rt_123456789012_us-east-1_abcd_secret"});
  EXPECT_EQ(p.client_handler.log,
            (std::vector<std::string>{
                "connected", "status status NetStream.Play.Reset Playing and resetting.",
                "status status NetStream.Play.Start Started playing.", "play_started"}));
  const auto media = sample_media();
  for (const auto& m : media) p.server.send_media(m);
  p.pump(1500);
  ASSERT_TRUE(p.client_status) << p.client_status.error().detail;
  expect_same_media(p.client_handler.media, media);

  p.client.close();
  p.pump();
  EXPECT_EQ(p.server_handler.log.back(), "closed");
}

INSTANTIATE_TEST_SUITE_P(Handshake, ClientServer, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Digest" : "Simple"; });

TEST(ClientSession, RejectedPublishSurfacesCodeAndDescription) {
  Pair p(options(ClientSessionOptions::Mode::kPublish, true));
  p.server_handler.reject = true;
  p.client.start();
  p.pump();
  EXPECT_TRUE(p.client_status);
  EXPECT_EQ(p.client_handler.log,
            (std::vector<std::string>{
                "connected",
                "status error NetStream.Publish.BadName INVALID_STREAM_KEY: the stream key is not "
                "valid",
                "error rtmp.publish_rejected NetStream.Publish.BadName: INVALID_STREAM_KEY: the "
                "stream key is not valid"}));
  EXPECT_EQ(p.client.state(), ClientSession::State::kFailed);
  EXPECT_EQ(p.server.state(), ServerSession::State::kClosed);
  // A failed session neither sends media nor reacts to more input.
  p.client.send_media(sample_media()[1]);
  EXPECT_TRUE(p.c_out.empty());
}

TEST(ClientSession, RejectedPlayAndRejectedConnect) {
  {
    Pair p(options(ClientSessionOptions::Mode::kPlay, false));
    p.server_handler.reject = true;
    p.client.start();
    p.pump();
    ASSERT_EQ(p.client_handler.errors.size(), 1u);
    EXPECT_EQ(p.client_handler.errors[0].reason, "rtmp.play_rejected");
    EXPECT_EQ(p.client_handler.errors[0].detail, "NetStream.Play.StreamNotFound: No such stream.");
  }
  {
    Pair p(options(ClientSessionOptions::Mode::kPublish, false));
    p.server_handler.accept_connect = false;
    p.client.start();
    p.pump();
    EXPECT_EQ(p.server_status.reason(), "rtmp.connect_rejected");
    ASSERT_EQ(p.client_handler.errors.size(), 1u);
    EXPECT_EQ(p.client_handler.errors[0].reason, "rtmp.connect_rejected");
    EXPECT_EQ(p.client_handler.errors[0].detail,
              "NetConnection.Connect.Rejected: Connection rejected.");
    EXPECT_EQ(p.client_handler.log,
              std::vector<std::string>{"error rtmp.connect_rejected "
                                       "NetConnection.Connect.Rejected: Connection rejected."});
  }
}

// The server's byte stream of a play session, replayed into fresh clients split at every offset,
// gives the same client events.
TEST(ClientSession, PlayStreamSplitAtEveryOffset) {
  auto opts = options(ClientSessionOptions::Mode::kPlay, true);
  Pair p(opts);
  p.client.start();
  p.pump();
  std::vector<MediaMessage> media = {
      {kAudio, 0, make_payload(Bytes{0xaf, 0x00, 0x12, 0x10})},
      {kVideo, 10, make_payload(pattern(2500, 1))},
      {kAudio, 0x1000000 + 1, make_payload(pattern(20, 2))},
  };
  for (const auto& m : media) p.server.send_media(m);
  p.pump();
  const Bytes stream = p.server_bytes;
  const auto want = p.client_handler.log;
  ASSERT_EQ(want.size(), 7u);
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    OutQueue out;
    ClientSide h;
    ClientSession c(opts, testing::counter_random(2), h, out);
    c.start();
    ASSERT_TRUE(c.feed(ByteView(stream.data(), cut))) << cut;
    ASSERT_TRUE(c.feed(ByteView(stream.data() + cut, stream.size() - cut))) << cut;
    ASSERT_EQ(h.log, want) << "split at " << cut;
  }
}

TEST(ClientSession, AcknowledgesTheServerWindow) {
  SessionLimits server_limits;
  server_limits.window_ack_size = 5000;
  Pair p(options(ClientSessionOptions::Mode::kPlay, false), server_limits);
  p.client.start();
  p.pump();
  p.server.send_media({kVideo, 0, make_payload(pattern(6000, 1))});
  p.pump();
  auto sent = testing::decode_output(p.client_bytes, 1 + 2 * kHandshakeSize);
  int acks = 0;
  for (const auto& m : sent) acks += m.type == kAcknowledgement;
  EXPECT_EQ(acks, 1);
  EXPECT_TRUE(p.server_status);
}

TEST(ClientSession, FeedBeforeStartIsAnError) {
  OutQueue out;
  ClientSide h;
  ClientSession c(options(ClientSessionOptions::Mode::kPublish, false), testing::counter_random(2),
                  h, out);
  EXPECT_EQ(c.feed(Bytes{3}).reason(), "rtmp.unexpected_message");
}

}  // namespace
}  // namespace sg::rtmp
