// ByteStream on a real libuv loop over loopback: plain TCP and TLS carry the same bytes, TLS
// failures end the stream with a reason, and a TLS stream keeps its own reference to the context
// (what lets SIGHUP replace the certificate under live connections). Certificates come from
// samples/make-tls-chain.sh, so the sample script is exercised as well.
#include "gateway/byte_stream.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "gateway/tcp_stream.h"
#include "gateway/tls.h"

namespace sg::gw {
namespace {

namespace fs = std::filesystem;

struct Peer {
  std::unique_ptr<ByteStream> stream;
  std::vector<uint8_t> got;
  std::string ended;  // the OnEnd reason, if any
  bool closed = false;
};

std::vector<uint8_t> random_payload(size_t n) {
  std::mt19937 rng(7);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = uint8_t(rng());
  return v;
}

class ByteStreamTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/sg_byte_stream_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = new fs::path(tmpl);
    const fs::path script = fs::path(STAGEGATE_TEST_DATA) / "../../../samples/make-tls-chain.sh";
    for (const char* sub : {"a", "b"}) {
      std::string cmd = script.string() + " " + (*dir_ / sub).string() + " >/dev/null 2>&1";
      ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    }
  }
  static void TearDownTestSuite() {
    if (dir_) fs::remove_all(*dir_);
    delete dir_;
    dir_ = nullptr;
  }
  static std::string path(const char* chain, const char* file) {
    return (*dir_ / chain / file).string();
  }

  void SetUp() override {
    uv_loop_init(&loop_);
    uv_tcp_init(&loop_, &listener_);
    listener_.data = this;
    auto bound = tcp_listen(
        &listener_, "127.0.0.1", 0,
        [](uv_stream_t* l, int status) {
          auto* self = static_cast<ByteStreamTest*>(l->data);
          ASSERT_EQ(status, 0);
          self->accept(l);
        },
        "test");
    ASSERT_TRUE(bound.is_ok());
    port_ = uint16_t(std::stoi(bound->substr(bound->rfind(':') + 1)));
    uv_timer_init(&loop_, &deadline_);
    deadline_.data = this;
    // A hung exchange fails the test instead of hanging it.
    uv_timer_start(
        &deadline_,
        [](uv_timer_t* t) {
          auto* self = static_cast<ByteStreamTest*>(t->data);
          self->timed_out_ = true;
          self->close_all();
        },
        20000, 0);
  }

  void TearDown() override {
    close_all();
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&deadline_)))
      uv_close(reinterpret_cast<uv_handle_t*>(&deadline_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle was left open";
  }

  // The server side: plain or TLS with `server_ctx_`, echoing everything it reads.
  void accept(uv_stream_t* l) {
    if (server_ctx_) {
      auto s = make_tls_server_stream(&loop_, server_ctx_.get());
      ASSERT_TRUE(s.is_ok());
      server_.stream = std::move(*s);
    } else {
      server_.stream = make_plain_stream(&loop_);
    }
    if (drop_server_ctx_after_accept_) server_ctx_.reset();
    ASSERT_EQ(server_.stream->accept_from(l), 0);
    server_.stream->start_reading(
        [this](ByteView d) {
          server_.got.insert(server_.got.end(), d.begin(), d.end());
          server_.stream->out().append_copy(d);
          server_.stream->flush();
        },
        [this](std::string why) {
          server_.ended = why;
          close_all();
        });
    close_listener();
  }

  // The client side: connects, sends `payload`, closes both ends once the echo is complete.
  void run_client(std::unique_ptr<ByteStream> stream, const std::vector<uint8_t>& payload,
                  size_t max_piece = 100000) {
    client_.stream = std::move(stream);
    sockaddr_storage addr{};
    ASSERT_EQ(resolve_endpoint("127.0.0.1", port_, addr), 0);
    client_.stream->connect(reinterpret_cast<sockaddr*>(&addr), [this, &payload,
                                                                 max_piece](int status) {
      ASSERT_EQ(status, 0);
      client_.stream->start_reading(
          [this, &payload](ByteView d) {
            client_.got.insert(client_.got.end(), d.begin(), d.end());
            if (client_.got.size() >= payload.size()) {
              security_ = client_.stream->security();
              close_all();
            }
          },
          [this](std::string why) {
            client_.ended = why;
            close_all();
          });
      // In pieces of 1..max_piece bytes, as a session writes (chunk headers between payload
      // slices), flushed every few pieces; the first flushes come before the handshake ends.
      std::mt19937 rng(3);
      size_t pieces = 0;
      for (size_t off = 0; off < payload.size();) {
        size_t n = std::min<size_t>(1 + rng() % max_piece, payload.size() - off);
        client_.stream->out().append_shared(make_payload(ByteView(payload.data() + off, n)), 0, n);
        off += n;
        if (++pieces % 7 == 0) client_.stream->flush();
      }
      client_.stream->flush();
    });
    uv_run(&loop_, UV_RUN_DEFAULT);
  }

  void close_listener() {
    if (!listener_closed_) uv_close(reinterpret_cast<uv_handle_t*>(&listener_), nullptr);
    listener_closed_ = true;
  }
  void close_all() {
    close_listener();
    uv_timer_stop(&deadline_);
    for (Peer* p : {&client_, &server_}) {
      if (p->stream && !p->closed) {
        p->closed = true;
        p->stream->close([] {});
      }
    }
  }

  SslCtxPtr client_ctx(const char* chain) {
    auto ctx = make_client_tls_context(path(chain, "ca.pem"), true);
    EXPECT_TRUE(ctx.is_ok());
    return ctx ? std::move(*ctx) : nullptr;
  }
  void use_tls_server(const char* chain = "a") {
    auto ctx = make_server_tls_context(path(chain, "chain.pem"), path(chain, "server.key"));
    ASSERT_TRUE(ctx.is_ok()) << ctx.error().detail;
    server_ctx_ = std::move(*ctx);
  }
  std::unique_ptr<ByteStream> tls_client(SSL_CTX* ctx, std::string host = "127.0.0.1") {
    auto s = make_tls_client_stream(&loop_, ctx, std::move(host));
    EXPECT_TRUE(s.is_ok());
    return s ? std::move(*s) : nullptr;
  }

  static fs::path* dir_;
  uv_loop_t loop_{};
  uv_tcp_t listener_{};
  uv_timer_t deadline_{};
  bool listener_closed_ = false;
  bool timed_out_ = false;
  uint16_t port_ = 0;
  SslCtxPtr server_ctx_;
  bool drop_server_ctx_after_accept_ = false;
  Peer server_, client_;
  std::string security_;
};

fs::path* ByteStreamTest::dir_ = nullptr;

TEST_F(ByteStreamTest, PlainEchoIsByteExact) {
  auto payload = random_payload(4 << 20);
  run_client(make_plain_stream(&loop_), payload);
  EXPECT_FALSE(timed_out_);
  EXPECT_FALSE(client_.stream->secure());
  EXPECT_TRUE(server_.got == payload);
  EXPECT_TRUE(client_.got == payload);
}

TEST_F(ByteStreamTest, TlsEchoIsByteExactWithTheChainVerified) {
  use_tls_server();
  auto cctx = client_ctx("a");
  auto payload = random_payload(4 << 20);
  run_client(tls_client(cctx.get()), payload);
  EXPECT_FALSE(timed_out_);
  EXPECT_TRUE(client_.stream->secure());
  EXPECT_TRUE(server_.stream->secure());
  EXPECT_EQ(security_.rfind("TLSv1.3 ", 0), 0u) << security_;
  EXPECT_EQ(client_.ended, "");
  EXPECT_TRUE(server_.got == payload);
  EXPECT_TRUE(client_.got == payload);
}

// Many small writes (gathered into records) mixed with record-sized ones.
TEST_F(ByteStreamTest, TlsEchoOfSmallAndLargePiecesIsByteExact) {
  use_tls_server();
  auto cctx = client_ctx("a");
  auto payload = random_payload(1 << 20);
  run_client(tls_client(cctx.get()), payload, 40000);
  EXPECT_FALSE(timed_out_);
  EXPECT_TRUE(server_.got == payload);
  EXPECT_TRUE(client_.got == payload);
}

TEST_F(ByteStreamTest, TlsEchoOfTinyPiecesIsByteExact) {
  use_tls_server();
  auto cctx = client_ctx("a");
  auto payload = random_payload(200 << 10);
  run_client(tls_client(cctx.get()), payload, 20);
  EXPECT_FALSE(timed_out_);
  EXPECT_TRUE(server_.got == payload);
  EXPECT_TRUE(client_.got == payload);
}

TEST_F(ByteStreamTest, TlsStreamKeepsItsContextWhenTheServerDropsIt) {
  use_tls_server();
  drop_server_ctx_after_accept_ = true;  // as a SIGHUP reload replaces the listener's context
  auto cctx = client_ctx("a");
  auto payload = random_payload(256 << 10);
  run_client(tls_client(cctx.get()), payload);
  EXPECT_FALSE(timed_out_);
  EXPECT_EQ(server_ctx_, nullptr);
  EXPECT_TRUE(client_.got == payload);
}

TEST_F(ByteStreamTest, ClientTrustingAnotherCaEndsWithTheReason) {
  use_tls_server("a");
  auto cctx = client_ctx("b");
  auto payload = random_payload(1000);
  run_client(tls_client(cctx.get()), payload);
  EXPECT_FALSE(timed_out_);
  EXPECT_TRUE(client_.got.empty());
  EXPECT_NE(client_.ended.find("TLS handshake failed"), std::string::npos) << client_.ended;
  EXPECT_NE(client_.ended.find("certificate verify failed"), std::string::npos) << client_.ended;
  EXPECT_TRUE(server_.got.empty());
}

TEST_F(ByteStreamTest, WrongHostNameEndsTheClient) {
  use_tls_server("a");
  auto cctx = client_ctx("a");
  auto payload = random_payload(1000);
  run_client(tls_client(cctx.get(), "relay.example.test"), payload);
  EXPECT_FALSE(timed_out_);
  EXPECT_NE(client_.ended.find("TLS handshake failed"), std::string::npos) << client_.ended;
  EXPECT_TRUE(server_.got.empty());
}

TEST_F(ByteStreamTest, PlainBytesOnATlsServerEndItWithTheReason) {
  use_tls_server();
  auto payload = random_payload(4096);
  payload[0] = 0x03;  // an RTMP C0 where a TLS record header belongs
  run_client(make_plain_stream(&loop_), payload);
  EXPECT_FALSE(timed_out_);
  EXPECT_TRUE(server_.got.empty());
  EXPECT_EQ(server_.ended.rfind("TLS handshake failed: ", 0), 0u) << server_.ended;
}

}  // namespace
}  // namespace sg::gw
