#include "tests/tools/tcp_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace sg::tools {

namespace {

struct AddrinfoDeleter {
  void operator()(addrinfo* a) const { freeaddrinfo(a); }
};

Error io_error(const char* what) {
  return make_error("tools.io_failed", std::string(what) + ": " + std::strerror(errno));
}

bool is_reset(int e) {
  return e == ECONNRESET || e == EPIPE || e == ECONNABORTED;
}

}  // namespace

Result<TcpClient> TcpClient::connect(const std::string& host, uint16_t port,
                                     const std::string& source) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  const int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &raw);
  if (rc != 0) return make_error("tools.connect_failed", host + ": " + gai_strerror(rc));
  std::unique_ptr<addrinfo, AddrinfoDeleter> list(raw);
  std::string last_error = "no address";
  for (addrinfo* a = list.get(); a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    TcpClient client(fd);  // closes fd on every early return
    if (!source.empty()) {
      addrinfo src_hints{};
      src_hints.ai_family = a->ai_family;
      src_hints.ai_socktype = SOCK_STREAM;
      src_hints.ai_flags = AI_NUMERICHOST;
      addrinfo* src_raw = nullptr;
      if (getaddrinfo(source.c_str(), "0", &src_hints, &src_raw) != 0) {
        last_error = "bad source address " + source;
        continue;
      }
      std::unique_ptr<addrinfo, AddrinfoDeleter> src(src_raw);
      if (::bind(fd, src->ai_addr, src->ai_addrlen) != 0) {
        last_error = "bind " + source + ": " + std::strerror(errno);
        continue;
      }
    }
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      last_error = std::strerror(errno);
      continue;
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) return io_error("fcntl");
    return client;
  }
  return make_error("tools.connect_failed", host + ":" + std::to_string(port) + ": " + last_error);
}

TcpClient::~TcpClient() {
  if (fd_ >= 0) ::close(fd_);
}

Result<bool> TcpClient::flush_some(OutQueue& out) {
  while (!out.empty()) {
    iovec iov[64];
    int n = 0;
    for (const auto& seg : out.segments()) {
      if (n == 64) break;
      iov[n].iov_base = const_cast<uint8_t*>(seg.data());
      iov[n].iov_len = seg.length;
      ++n;
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = size_t(n);
    const ssize_t w = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      if (is_reset(errno)) return false;
      return io_error("send");
    }
    out.consume(size_t(w));
  }
  return true;
}

Result<TcpClient::Event> TcpClient::wait(int timeout_ms, OutQueue& out) {
  if (!out.empty()) {
    const size_t before = out.size_bytes();
    auto alive = flush_some(out);
    if (!alive) return alive.error();
    if (!*alive) return Event::kClosed;
    // Progress was made: let the caller act on it (e.g. "queue drained") instead of sleeping.
    if (out.size_bytes() < before) timeout_ms = 0;
  }
  pollfd p{fd_, short(POLLIN | (out.empty() ? 0 : POLLOUT)), 0};
  const int n = ::poll(&p, 1, timeout_ms);
  if (n < 0) return errno == EINTR ? Result<Event>(Event::kNone) : Result<Event>(io_error("poll"));
  if (n == 0) return Event::kNone;
  if (p.revents & POLLOUT) {
    auto alive = flush_some(out);
    if (!alive) return alive.error();
    if (!*alive) return Event::kClosed;
  }
  // POLLHUP / POLLERR are reported by the read that follows.
  return (p.revents & (POLLIN | POLLHUP | POLLERR)) ? Event::kReadable : Event::kNone;
}

Result<TcpClient::Event> TcpClient::read(std::vector<uint8_t>& buf) {
  buf.resize(64 * 1024);
  for (;;) {
    const ssize_t r = ::recv(fd_, buf.data(), buf.size(), 0);
    if (r > 0) {
      buf.resize(size_t(r));
      return Event::kReadable;
    }
    buf.clear();
    if (r == 0) return Event::kClosed;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Event::kNone;
    if (is_reset(errno)) return Event::kClosed;
    return io_error("recv");
  }
}

Status TcpClient::write_all(ByteView bytes) {
  OutQueue q;
  q.append_copy(bytes);
  while (!q.empty()) {
    auto alive = flush_some(q);
    if (!alive) return alive.status();
    if (!*alive) return make_error("tools.io_failed", "peer closed");
    if (!q.empty()) {
      pollfd p{fd_, POLLOUT, 0};
      ::poll(&p, 1, 1000);
    }
  }
  return Status::ok();
}

void TcpClient::shutdown_write() {
  ::shutdown(fd_, SHUT_WR);
}

}  // namespace sg::tools
