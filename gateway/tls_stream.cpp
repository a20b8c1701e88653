// TLS over a TcpStream: ciphertext from the socket goes through a TlsSession, plaintext comes out
// to the owner; the owner's plaintext queue is encrypted on flush() into a ciphertext queue that
// the TcpStream writes. The RTMP code above sees the same ByteStream as for plain TCP.
#include "gateway/byte_stream.h"
#include "gateway/tcp_stream.h"
#include "gateway/tls.h"

namespace sg::gw {
namespace {

class TlsStream final : public ByteStream {
 public:
  TlsStream(uv_loop_t* loop, std::unique_ptr<TlsSession> tls)
      : tcp_(loop, cipher_), tls_(std::move(tls)) {}

  OutQueue& out() override { return plain_; }
  int accept_from(uv_stream_t* server) override { return tcp_.accept_from(server); }

  int connect(const sockaddr* addr, std::function<void(int)> on_connected) override {
    return tcp_.connect(addr, [this, cb = std::move(on_connected)](int status) {
      if (status == 0) send_ciphertext();  // the ClientHello is already waiting
      cb(status);
    });
  }

  int start_reading(OnRead on_read, OnEnd on_end) override {
    on_read_ = std::move(on_read);
    on_end_ = std::move(on_end);
    return tcp_.start_reading([this](ByteView d) { on_ciphertext(d); },
                              [this](int status) { end(describe_stream_end(status)); });
  }
  void stop_reading() override { tcp_.stop_reading(); }

  void flush() override {
    if (tcp_.closing()) return;
    while (!plain_.empty()) {
      const auto& seg = plain_.segments().front();
      size_t n = seg.length;
      // Not taken (a backlog before the handshake completes, or a session that already failed,
      // which the read side reports): the bytes stay queued and count as pending.
      if (!tls_->write_plaintext(ByteView(seg.data(), n))) break;
      plain_.consume(n);
    }
    send_ciphertext();
  }

  void when_drained(std::function<void()> cb) override {
    flush();
    tcp_.when_drained(std::move(cb));
  }
  size_t pending_bytes() const override {
    return plain_.size_bytes() + cipher_.size_bytes() + tls_->pending_ciphertext();
  }
  void count_bytes_written(uint64_t* counter) override { tcp_.count_bytes_written(counter); }

  void close(std::function<void()> on_closed) override {
    // close_notify on a best-effort basis: libuv tries the write at once, the close follows.
    if (!tcp_.closing() && tls_->handshake_done() && !tls_->failed()) {
      tls_->shutdown();
      send_ciphertext();
    }
    tcp_.close(std::move(on_closed));
  }

  bool secure() const override { return true; }
  std::string security() const override {
    if (!tls_->handshake_done()) return "TLS (handshake in progress)";
    return std::string(SSL_get_version(tls_->ssl())) + " " +
           SSL_CIPHER_get_name(SSL_get_current_cipher(tls_->ssl()));
  }
  std::string peer_address() const override { return tcp_.peer_address(); }
  std::string peer_ip() const override { return tcp_.peer_ip(); }

 private:
  void on_ciphertext(ByteView data) {
    if (ended_) return;
    plain_in_.clear();
    bool was_done = tls_->handshake_done();
    Status s = tls_->feed_ciphertext(data, plain_in_);
    send_ciphertext();  // handshake messages, or the alert that explains a failure
    if (!s) {
      end(std::string(was_done ? "TLS error: " : "TLS handshake failed: ") + s.error().detail);
      return;
    }
    if (!plain_in_.empty()) on_read_(ByteView(plain_in_.data(), plain_in_.size()));
    if (ended_ || tcp_.closing()) return;
    flush();  // plaintext written before the handshake completed
    if (tls_->peer_closed()) end("peer closed the TLS session");
  }

  void send_ciphertext() {
    if (tcp_.closing() || tls_->pending_ciphertext() == 0) return;
    std::vector<uint8_t> bytes;
    tls_->take_ciphertext(bytes);
    size_t n = bytes.size();
    cipher_.append_shared(make_payload(std::move(bytes)), 0, n);
    tcp_.flush();
  }

  void end(std::string why) {
    if (ended_) return;
    ended_ = true;
    tcp_.stop_reading();
    if (on_end_) on_end_(std::move(why));
  }

  OutQueue plain_;   // the owner's plaintext, not yet encrypted
  OutQueue cipher_;  // encrypted, not yet written; before tcp_, which refers to it
  TcpStream tcp_;
  std::unique_ptr<TlsSession> tls_;
  std::vector<uint8_t> plain_in_;
  OnRead on_read_;
  OnEnd on_end_;
  bool ended_ = false;
};

}  // namespace

Result<std::unique_ptr<ByteStream>> make_tls_server_stream(uv_loop_t* loop, SSL_CTX* ctx) {
  auto tls = TlsSession::server(ctx);
  if (!tls) return make_error("tls.session", tls.error().detail);
  return std::unique_ptr<ByteStream>(std::make_unique<TlsStream>(loop, std::move(*tls)));
}

Result<std::unique_ptr<ByteStream>> make_tls_client_stream(uv_loop_t* loop, SSL_CTX* ctx,
                                                           std::string host) {
  auto tls = TlsSession::client(ctx, std::move(host));
  if (!tls) return make_error("tls.session", tls.error().detail);
  return std::unique_ptr<ByteStream>(std::make_unique<TlsStream>(loop, std::move(*tls)));
}

}  // namespace sg::gw
