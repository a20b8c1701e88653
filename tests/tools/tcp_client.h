// A non-blocking TCP client socket for the test tools: connect (blocking, then switched to
// non-blocking), write an OutQueue as far as the kernel takes it, read what is there.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rtmp/bytes.h"
#include "rtmp/status.h"

namespace sg::tools {

class TcpClient {
 public:
  // Reason id tools.connect_failed. A non-empty `source` (a numeric address) is bound before
  // connecting, so the server sees that address as the client's.
  static Result<TcpClient> connect(const std::string& host, uint16_t port,
                                   const std::string& source = "");

  TcpClient(TcpClient&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  TcpClient& operator=(TcpClient&&) = delete;
  TcpClient(const TcpClient&) = delete;
  ~TcpClient();

  enum class Event { kNone, kReadable, kClosed };
  // Waits up to timeout_ms (0: just look) until the socket is readable, or writable while `out`
  // has bytes, writing as much of `out` as it takes; returns at once when it wrote something.
  // kClosed: the peer closed or reset.
  // Reason id tools.io_failed for other socket errors.
  Result<Event> wait(int timeout_ms, OutQueue& out);
  // Reads what is available into `buf` (cleared first). kClosed on EOF or reset; kNone when
  // nothing was there.
  Result<Event> read(std::vector<uint8_t>& buf);
  // Writes raw bytes, bypassing any queue (the garbage scenario); blocks until all are written.
  Status write_all(ByteView bytes);
  void shutdown_write();

 private:
  explicit TcpClient(int fd) : fd_(fd) {}
  // Writes from `out`; returns false when the peer is gone.
  Result<bool> flush_some(OutQueue& out);
  int fd_ = -1;
};

}  // namespace sg::tools
