#include "gateway/tcp_stream.h"

#include <cstring>
#include <vector>

namespace sg::gw {

TcpStream::TcpStream(uv_loop_t* loop, OutQueue& out) : out_(out) {
  uv_tcp_init(loop, &tcp_);
  tcp_.data = this;
}

int TcpStream::accept_from(uv_stream_t* server) {
  int rc = uv_accept(server, stream());
  if (rc == 0) uv_tcp_nodelay(&tcp_, 1);
  return rc;
}

int TcpStream::connect(const sockaddr* addr, std::function<void(int)> on_connected) {
  on_connected_ = std::move(on_connected);
  connect_req_.data = this;
  return uv_tcp_connect(&connect_req_, &tcp_, addr, [](uv_connect_t* req, int status) {
    auto* self = static_cast<TcpStream*>(req->data);
    if (status == 0) uv_tcp_nodelay(&self->tcp_, 1);
    if (self->on_connected_ && !(self->closing_ && status == UV_ECANCELED))
      self->on_connected_(status);
  });
}

int TcpStream::start_reading(OnRead on_read, OnEnd on_end) {
  on_read_ = std::move(on_read);
  on_end_ = std::move(on_end);
  reading_ = true;
  return uv_read_start(stream(), &TcpStream::on_alloc, &TcpStream::on_read);
}

void TcpStream::stop_reading() {
  if (reading_) uv_read_stop(stream());
  reading_ = false;
}

void TcpStream::on_alloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* self = static_cast<TcpStream*>(h->data);
  *buf = uv_buf_init(self->read_buf_, sizeof self->read_buf_);
}

void TcpStream::on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<TcpStream*>(s->data);
  if (self->closing_) return;
  if (nread > 0) {
    self->on_read_(ByteView(reinterpret_cast<const uint8_t*>(buf->base), size_t(nread)));
  } else if (nread < 0) {  // nread == 0 is EAGAIN, not EOF
    self->stop_reading();
    if (self->on_end_) self->on_end_(int(nread));
  }
}

void TcpStream::flush() {
  if (writing_ || closing_ || out_.empty()) {
    if (!writing_ && out_.empty() && on_drained_) {
      auto cb = std::move(on_drained_);
      on_drained_ = nullptr;
      cb();
    }
    return;
  }
  std::vector<uv_buf_t> bufs;
  size_t n = 0;
  for (const auto& seg : out_.segments()) {
    bufs.push_back(uv_buf_init(const_cast<char*>(reinterpret_cast<const char*>(seg.data())),
                               static_cast<unsigned>(seg.length)));
    n += seg.length;
    if (bufs.size() == 64) break;
  }
  out_.pin_front(bufs.size());
  write_req_.data = this;
  write_bytes_ = n;
  writing_ = true;
  int rc = uv_write(&write_req_, stream(), bufs.data(), static_cast<unsigned>(bufs.size()),
                    &TcpStream::on_write);
  if (rc != 0) {
    // A synchronous failure never fires the callback.
    writing_ = false;
    out_.pin_front(0);
    if (on_end_) on_end_(rc);
  }
}

void TcpStream::on_write(uv_write_t* req, int status) {
  auto* self = static_cast<TcpStream*>(req->data);
  self->writing_ = false;
  self->out_.consume(self->write_bytes_);
  if (status == 0 && self->bytes_written_) *self->bytes_written_ += self->write_bytes_;
  self->out_.pin_front(0);
  if (self->closing_) return;
  if (status < 0) {
    self->stop_reading();
    if (self->on_end_) self->on_end_(status);
    return;
  }
  self->flush();
}

void TcpStream::when_drained(std::function<void()> cb) {
  on_drained_ = std::move(cb);
  flush();
}

void TcpStream::close(std::function<void()> on_closed) {
  if (closing_) return;
  closing_ = true;
  on_closed_ = std::move(on_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), [](uv_handle_t* h) {
    auto* self = static_cast<TcpStream*>(h->data);
    if (self->on_closed_) self->on_closed_();  // may delete the owner: nothing after this
  });
}

std::string describe_stream_end(int status) {
  if (status == UV_EOF) return "peer closed the connection";
  if (status == UV_ECONNRESET) return "connection reset by peer";
  return std::string("connection error: ") + uv_strerror(status);
}

std::string format_address(const sockaddr* sa) {
  char ip[INET6_ADDRSTRLEN] = {0};
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    uv_ip4_name(in, ip, sizeof ip);
    return std::string(ip) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    uv_ip6_name(in6, ip, sizeof ip);
    return "[" + std::string(ip) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  return "?";
}

std::string TcpStream::peer_address() const {
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  return format_address(reinterpret_cast<sockaddr*>(&ss));
}

std::string TcpStream::peer_ip() const {
  std::string a = peer_address();
  if (!a.empty() && a[0] == '[') return a.substr(1, a.find(']') - 1);
  return a.substr(0, a.rfind(':'));
}

Result<std::string> tcp_listen(uv_tcp_t* handle, const std::string& host, uint16_t port,
                               uv_connection_cb on_connection, std::string_view what) {
  sockaddr_storage addr{};
  if (resolve_endpoint(host, port, addr) != 0)
    return make_error("listen.address", "bad " + std::string(what) + " bind address " + host);
  int rc = uv_tcp_bind(handle, reinterpret_cast<sockaddr*>(&addr), 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(handle), 128, on_connection);
  if (rc != 0)
    return make_error("listen.bind", "cannot listen for " + std::string(what) + " on " +
                                         format_address(reinterpret_cast<sockaddr*>(&addr)) + ": " +
                                         uv_strerror(rc));
  sockaddr_storage bound{};
  int len = sizeof bound;
  uv_tcp_getsockname(handle, reinterpret_cast<sockaddr*>(&bound), &len);
  return format_address(reinterpret_cast<sockaddr*>(&bound));
}

int resolve_endpoint(const std::string& host, uint16_t port, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  std::string h = host == "localhost" ? "127.0.0.1" : host;
  if (uv_ip4_addr(h.c_str(), port, reinterpret_cast<sockaddr_in*>(&out)) == 0) return 0;
  return uv_ip6_addr(h.c_str(), port, reinterpret_cast<sockaddr_in6*>(&out));
}

}  // namespace sg::gw
