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
    // RTMP output is small chunk headers between payload slices: gathered into record-sized
    // writes, so that a 12-byte header does not cost a TLS record of its own.
    size_t written = 0;  // bytes of whole segments encrypted so far
    size_t batched = 0;  // bytes of whole segments in batch_
    bool ok = true;
    auto write_batch = [&] {
      if (batch_.empty()) return;
      ok = write(ByteView(batch_.data(), batch_.size()));
      if (ok) written += batched;
      batch_.clear();
      batched = 0;
    };
    for (const auto& seg : plain_.segments()) {
      ByteView v(seg.data(), seg.length);
      if (batch_.size() + v.size() > kRecordBytes) write_batch();
      if (!ok) break;
      if (v.size() >= kRecordBytes) {
        if (!(ok = write(v))) break;
        written += v.size();
        continue;
      }
      batch_.insert(batch_.end(), v.begin(), v.end());
      batched += v.size();
    }
    if (ok) write_batch();
    batch_.clear();
    // Not taken (a backlog before the handshake completes, or a session that already failed,
    // which the read side reports): the rest stays queued and counts as pending.
    plain_.consume(written);
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
  bool tls_handshake_failed() const override { return handshake_failed_; }
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
      handshake_failed_ = !was_done;
      end(std::string(was_done ? "TLS error: " : "TLS handshake failed: ") + s.error().detail);
      return;
    }
    if (!plain_in_.empty()) on_read_(ByteView(plain_in_.data(), plain_in_.size()));
    if (ended_ || tcp_.closing()) return;
    flush();  // plaintext written before the handshake completed
    if (tls_->peer_closed()) end("peer closed the TLS session");
  }

  // Encrypts `v` and moves the records to the socket queue at once, so the session's own buffer
  // (bounded by TlsLimits) never holds more than one write.
  bool write(ByteView v) {
    if (!tls_->write_plaintext(v)) return false;
    send_ciphertext();
    return true;
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
  std::vector<uint8_t> batch_;
  static constexpr size_t kRecordBytes = 16384;  // TLS's maximum record payload
  OnRead on_read_;
  OnEnd on_end_;
  bool ended_ = false;
  bool handshake_failed_ = false;
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
