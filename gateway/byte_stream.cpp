#include "gateway/byte_stream.h"

#include "gateway/tcp_stream.h"

namespace sg::gw {

namespace {

class PlainStream final : public ByteStream {
 public:
  explicit PlainStream(uv_loop_t* loop) : tcp_(loop, out_) {}

  OutQueue& out() override { return out_; }
  int accept_from(uv_stream_t* server) override { return tcp_.accept_from(server); }
  int connect(const sockaddr* addr, std::function<void(int)> on_connected) override {
    return tcp_.connect(addr, std::move(on_connected));
  }
  int start_reading(OnRead on_read, OnEnd on_end) override {
    return tcp_.start_reading(std::move(on_read), [on_end = std::move(on_end)](int status) {
      on_end(describe_stream_end(status));
    });
  }
  void stop_reading() override { tcp_.stop_reading(); }
  void flush() override { tcp_.flush(); }
  void when_drained(std::function<void()> cb) override { tcp_.when_drained(std::move(cb)); }
  size_t pending_bytes() const override { return out_.size_bytes(); }
  void count_bytes_written(uint64_t* counter) override { tcp_.count_bytes_written(counter); }
  void close(std::function<void()> on_closed) override { tcp_.close(std::move(on_closed)); }
  bool secure() const override { return false; }
  std::string security() const override { return {}; }
  bool tls_handshake_failed() const override { return false; }
  std::string peer_address() const override { return tcp_.peer_address(); }
  std::string peer_ip() const override { return tcp_.peer_ip(); }

 private:
  OutQueue out_;  // before tcp_, which refers to it
  TcpStream tcp_;
};

}  // namespace

std::unique_ptr<ByteStream> make_plain_stream(uv_loop_t* loop) {
  return std::make_unique<PlainStream>(loop);
}

}  // namespace sg::gw
