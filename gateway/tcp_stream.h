// One TCP stream on the loop: reading, writing an OutQueue, closing. The uv_tcp_t lives inside this
// object, which lives inside its owner (libuv's rule: the handle is owned by what it serves); the
// owner may only be freed from the callback passed to close().
#pragma once

#include <uv.h>

#include <functional>
#include <string>

#include "rtmp/bytes.h"
#include "rtmp/status.h"

namespace sg::gw {

class TcpStream {
 public:
  using OnRead = std::function<void(ByteView)>;
  using OnEnd = std::function<void(int status)>;  // UV_EOF or a libuv error

  TcpStream(uv_loop_t* loop, OutQueue& out);
  TcpStream(const TcpStream&) = delete;
  TcpStream& operator=(const TcpStream&) = delete;

  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp_); }
  uv_tcp_t* tcp() { return &tcp_; }

  int accept_from(uv_stream_t* server);
  int connect(const sockaddr* addr, std::function<void(int status)> on_connected);
  int start_reading(OnRead on_read, OnEnd on_end);
  void stop_reading();

  // Starts writing what the queue holds, unless a write is in flight (it continues by itself).
  void flush();
  // Called once the queue is empty and no write is in flight (e.g. to close after a refusal).
  void when_drained(std::function<void()> cb);
  bool writing() const { return writing_; }
  // Adds every byte written to `*counter` (a metric of the owner's).
  void count_bytes_written(uint64_t* counter) { bytes_written_ = counter; }

  void close(std::function<void()> on_closed);
  bool closing() const { return closing_; }

  std::string peer_address() const;  // "127.0.0.1:51234" or "[::1]:51234"
  std::string peer_ip() const;

 private:
  static void on_alloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void on_write(uv_write_t* req, int status);

  uv_tcp_t tcp_{};
  uv_connect_t connect_req_{};
  uv_write_t write_req_{};
  OutQueue& out_;
  bool writing_ = false;
  size_t write_bytes_ = 0;
  uint64_t* bytes_written_ = nullptr;
  bool closing_ = false;
  bool reading_ = false;
  OnRead on_read_;
  OnEnd on_end_;
  std::function<void(int)> on_connected_;
  std::function<void()> on_drained_;
  std::function<void()> on_closed_;
  char read_buf_[64 * 1024];
};

// Binds and listens on an initialised `handle` (its `data` set by the caller) and returns the real
// bound address ("127.0.0.1:41235": port 0 picks a free one). `what` names the listener in errors.
// Reason ids: listen.address, listen.bind.
Result<std::string> tcp_listen(uv_tcp_t* handle, const std::string& host, uint16_t port,
                               uv_connection_cb on_connection, std::string_view what);

// One line for the log about why a stream ended (UV_EOF, a reset, another libuv error).
std::string describe_stream_end(int status);

// Parses "host:port" pieces from config into a sockaddr (IPv4, IPv6 or "localhost").
int resolve_endpoint(const std::string& host, uint16_t port, sockaddr_storage& out);
std::string format_address(const sockaddr* sa);

}  // namespace sg::gw
