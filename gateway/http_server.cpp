#include "gateway/http_server.h"

#include <arpa/inet.h>

#include <algorithm>
#include <ctime>
#include <iterator>

#include "gateway/tcp_stream.h"

namespace sg::gw {

namespace {

// Input kept while a request is being answered (pipelined requests wait here); reading pauses
// beyond it, so a client cannot make us buffer more than this per connection.
constexpr size_t kMaxBufferedInput = 64 * 1024;
// How long a connection we are closing waits for the client to close its side after our last
// response, so that unread input does not turn our close into a reset that eats the response.
constexpr uint32_t kLingerMs = 2000;

std::string_view as_chars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

bool has_header(const HttpHeaders& h, std::string_view name) {
  return std::any_of(h.begin(), h.end(), [&](const auto& kv) { return iequals(kv.first, name); });
}

bool asks_close(const HttpHeaders& h) {
  for (const auto& [k, v] : h)
    if (iequals(k, "Connection") && iequals(v, "close")) return true;
  return false;
}

bool is_loopback_addr(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) return true;
    return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127;
  }
  return false;
}

}  // namespace

// One accepted connection. Lives in HttpServer::conns_ and is freed (by the server) only once both
// of its handles, the TCP stream and the timer, have run their close callbacks.
class HttpConnection {
 public:
  HttpConnection(HttpServer& srv, uint64_t id, bool counted)
      : srv_(srv), id_(id), counted_(counted), tcp_(srv.loop_, out_), parser_(srv.limits_) {
    uv_timer_init(srv.loop_, &timer_);
    timer_.data = this;
  }

  std::list<std::unique_ptr<HttpConnection>>::iterator self;

  int accept(uv_stream_t* listener) { return tcp_.accept_from(listener); }

  void start() {
    remote_ip_ = tcp_.peer_ip();
    srv_.log_.debug("http#{} connected from {}", id_, tcp_.peer_address());
    arm_timer(srv_.limits_.idle_timeout_ms);
    update_reading();
  }

  // Aborts the connection now: the current responder and any event stream are detached.
  void close() {
    if (state_ == State::closing) return;
    state_ = State::closing;
    if (exchange_) {
      exchange_->conn = nullptr;
      exchange_.reset();
    }
    if (stream_) stream_->detach();
    reading_ = false;
    uv_timer_stop(&timer_);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_),
             [](uv_handle_t* h) { static_cast<HttpConnection*>(h->data)->handle_closed(); });
    tcp_.close([this] { handle_closed(); });
  }

  void respond(detail::HttpExchange& x, HttpResponse r) {
    if (&x != exchange_.get() || state_ != State::awaiting) return;
    x.done = true;
    exchange_.reset();
    bool no_body = r.status < 200 || r.status == 204 || r.status == 304;
    bool close_after = !keep_alive_ || peer_eof_ || srv_.closing_ || asks_close(r.headers);
    std::string_view conn_hdr = close_after ? "close" : (http10_ ? "keep-alive" : "");
    std::string head;
    append_response_head(head, r.status, r.headers, no_body ? -1 : (long long)r.body.size(),
                         conn_hdr, http_date(std::time(nullptr)));
    out_.append_copy(as_bytes(head));
    if (!no_body && !head_request_ && !r.body.empty()) out_.append_copy(as_bytes(r.body));
    tcp_.flush();
    if (state_ == State::closing) return;  // the write failed at once
    if (close_after) {
      finish_then_close();
      return;
    }
    state_ = State::reading;
    arm_timer(srv_.limits_.idle_timeout_ms);
    pump();
  }

  std::shared_ptr<HttpEventStream> start_stream(detail::HttpExchange& x, int status,
                                                HttpHeaders headers) {
    auto s = std::make_shared<HttpEventStream>();
    if (&x != exchange_.get() || state_ != State::awaiting) {
      s->ended_ = true;
      return s;
    }
    x.done = true;
    exchange_.reset();
    if (!has_header(headers, "Content-Type"))
      headers.emplace_back("Content-Type", "text/event-stream");
    if (!has_header(headers, "Cache-Control")) headers.emplace_back("Cache-Control", "no-cache");
    std::string head;
    append_response_head(head, status, headers, -1, "close", http_date(std::time(nullptr)));
    out_.append_copy(as_bytes(head));
    state_ = State::streaming;
    s->conn_ = this;
    stream_ = s;
    tcp_.flush();
    if (state_ != State::closing) update_reading();  // to notice the client leaving
    return s;
  }

  bool stream_write(std::string_view data) {
    if (state_ != State::streaming) return false;
    if (out_.size_bytes() + data.size() > srv_.limits_.max_stream_backlog_bytes) {
      srv_.log_.debug("http#{} event stream backlog over {} bytes; cutting the client off", id_,
                      srv_.limits_.max_stream_backlog_bytes);
      close();
      return false;
    }
    out_.append_copy(as_bytes(data));
    tcp_.flush();
    return state_ == State::streaming;
  }

  void stream_close() {
    if (state_ != State::streaming) return;
    stream_->detach();
    finish_then_close();
  }

 private:
  enum class State {
    reading,    // waiting for or reading a request; the idle timer runs
    awaiting,   // a request is with the handler
    streaming,  // an event stream owns the connection
    draining,   // the last response is being written
    lingering,  // write side shut down; waiting for the client to close
    closing,    // handles are closing
  };

  void on_read(ByteView data) {
    if (state_ != State::reading && state_ != State::awaiting) return;  // discarded
    if (state_ == State::reading) arm_timer(srv_.limits_.idle_timeout_ms);
    in_.append(as_chars(data));
    pump();
  }

  void on_end(int status) {
    reading_ = false;
    peer_eof_ = true;
    if (status != UV_EOF) {
      srv_.log_.debug("http#{} connection error: {}", id_, uv_strerror(status));
      close();
      return;
    }
    switch (state_) {
      case State::reading:
        // Whatever was complete has been answered; finish writing it, then close.
        state_ = State::draining;
        arm_timer(srv_.limits_.idle_timeout_ms);
        tcp_.when_drained([this] { close(); });
        break;
      case State::draining:
        break;  // after_drain() sees peer_eof_ and closes
      default:
        // A client that leaves while its request is answered or while it is streamed to is gone;
        // the responder turns into a no-op.
        close();
    }
  }

  // Parses buffered input and hands out requests one at a time, iteratively (a handler that
  // answers at once must not recurse into the next request).
  void pump() {
    if (pumping_) return;
    pumping_ = true;
    while (state_ == State::reading && in_off_ < in_.size()) {
      auto f = parser_.feed(std::string_view(in_).substr(in_off_));
      in_off_ += f.consumed;
      if (f.step == HttpRequestParser::Step::need_more) break;
      if (f.step == HttpRequestParser::Step::expect_continue) {
        out_.append_copy(as_bytes("HTTP/1.1 100 Continue\r\n\r\n"));
        tcp_.flush();
        continue;
      }
      if (f.step == HttpRequestParser::Step::error) {
        send_error();
        break;
      }
      dispatch(parser_.take_request());
    }
    if (in_off_ == in_.size()) {
      in_.clear();
      in_off_ = 0;
    } else if (in_off_ > kMaxBufferedInput) {
      in_.erase(0, in_off_);
      in_off_ = 0;
    }
    pumping_ = false;
    update_reading();
  }

  void dispatch(HttpRequest&& req) {
    ++srv_.stats_.requests;
    req.remote_ip = remote_ip_;
    keep_alive_ = req.keep_alive;
    http10_ = req.http_major == 1 && req.http_minor == 0;
    head_request_ = req.method == "HEAD";
    state_ = State::awaiting;
    uv_timer_stop(&timer_);
    exchange_ = std::make_shared<detail::HttpExchange>();
    exchange_->conn = this;
    srv_.handler_(std::move(req), HttpResponder(exchange_));
  }

  void send_error() {
    ++srv_.stats_.bad_requests;
    int status = parser_.error_status();
    srv_.log_.debug("http#{} {} {}: {}", id_, status, parser_.error_reason(),
                    parser_.error_detail());
    std::string body = "{\"message\":\"" + std::string(http_reason_phrase(status)) + "\"}";
    std::string head;
    append_response_head(head, status, {{"Content-Type", "application/json"}},
                         (long long)body.size(), "close", http_date(std::time(nullptr)));
    out_.append_copy(as_bytes(head));
    out_.append_copy(as_bytes(body));
    tcp_.flush();
    if (state_ != State::closing) finish_then_close();
  }

  void finish_then_close() {
    state_ = State::draining;
    // A client that does not read its last response within the idle timeout is dropped.
    arm_timer(srv_.limits_.idle_timeout_ms);
    update_reading();
    tcp_.when_drained([this] { after_drain(); });
  }

  void after_drain() {
    if (state_ != State::draining) return;
    if (peer_eof_) {
      close();
      return;
    }
    shutdown_req_.data = this;
    int rc = uv_shutdown(&shutdown_req_, tcp_.stream(), [](uv_shutdown_t* req, int status) {
      auto* self = static_cast<HttpConnection*>(req->data);
      if (status < 0 && self->state_ != State::closing) self->close();
    });
    if (rc != 0) {
      close();
      return;
    }
    state_ = State::lingering;
    arm_timer(std::min(kLingerMs, srv_.limits_.idle_timeout_ms));
    update_reading();
  }

  void update_reading() {
    bool want = false;
    switch (state_) {
      case State::reading:
      case State::streaming:
      case State::draining:
      case State::lingering:
        want = !peer_eof_;
        break;
      case State::awaiting:
        want = !peer_eof_ && in_.size() - in_off_ < kMaxBufferedInput;
        break;
      case State::closing:
        break;
    }
    if (want == reading_) return;
    reading_ = want;
    if (want) {
      int rc = tcp_.start_reading([this](ByteView b) { on_read(b); },
                                  [this](int status) { on_end(status); });
      if (rc != 0) close();
    } else {
      tcp_.stop_reading();
    }
  }

  void arm_timer(uint32_t ms) {
    uv_timer_start(
        &timer_, [](uv_timer_t* t) { static_cast<HttpConnection*>(t->data)->on_timer(); }, ms, 0);
  }

  void on_timer() {
    if (state_ == State::reading) {
      ++srv_.stats_.idle_timeouts;
      srv_.log_.debug("http#{} idle for {} ms; closing", id_, srv_.limits_.idle_timeout_ms);
    }
    close();
  }

  void handle_closed() {
    if (++handles_closed_ < 2) return;
    auto stream = std::move(stream_);
    if (stream) stream->fire_closed();
    srv_.connection_closed(this, counted_);  // deletes this: nothing after
  }

  HttpServer& srv_;
  uint64_t id_;
  bool counted_;
  OutQueue out_;  // before tcp_, which refers to it
  TcpStream tcp_;
  uv_timer_t timer_{};
  uv_shutdown_t shutdown_req_{};
  int handles_closed_ = 0;
  HttpRequestParser parser_;
  std::string in_;  // received, not yet parsed
  size_t in_off_ = 0;
  std::string remote_ip_;
  State state_ = State::reading;
  std::shared_ptr<detail::HttpExchange> exchange_;  // the request with the handler
  std::shared_ptr<HttpEventStream> stream_;
  bool pumping_ = false;
  bool reading_ = false;
  bool peer_eof_ = false;
  bool keep_alive_ = true;
  bool http10_ = false;
  bool head_request_ = false;
};

bool HttpEventStream::write(std::string_view data) {
  return conn_ && conn_->stream_write(data);
}

void HttpEventStream::close() {
  if (conn_) conn_->stream_close();
}

void HttpEventStream::on_close(std::function<void()> cb) {
  if (ended_) {
    if (cb) cb();
    return;
  }
  on_close_ = std::move(cb);
}

void HttpEventStream::fire_closed() {
  if (ended_) return;
  ended_ = true;
  conn_ = nullptr;
  if (on_close_) {
    auto cb = std::move(on_close_);
    on_close_ = nullptr;
    cb();
  }
}

void HttpResponder::respond(HttpResponse response) const {
  if (pending()) x_->conn->respond(*x_, std::move(response));
}

std::shared_ptr<HttpEventStream> HttpResponder::start_stream(int status,
                                                             HttpHeaders headers) const {
  if (pending()) return x_->conn->start_stream(*x_, status, std::move(headers));
  auto s = std::make_shared<HttpEventStream>();
  s->ended_ = true;
  return s;
}

HttpServer::HttpServer(uv_loop_t* loop, HttpLimits limits, spdlog::logger& log, Handler handler)
    : loop_(loop), limits_(limits), log_(log), handler_(std::move(handler)) {}

HttpServer::~HttpServer() {
  if (listener_open_ || !conns_.empty())
    log_.critical("HttpServer destroyed with open handles; close() was not awaited");
}

Status HttpServer::listen(const std::string& host, uint16_t port) {
  if (listener_open_ || closing_) return make_error("http.listen_state", "already listening");
  uv_tcp_init(loop_, &listener_);
  listener_.data = this;
  listener_open_ = true;
  auto bound = tcp_listen(&listener_, host, port, &HttpServer::on_connection, "HTTP");
  if (!bound) return bound.error();
  address_ = *bound;
  sockaddr_storage addr{};
  loopback_ = resolve_endpoint(host, port, addr) == 0 &&
              is_loopback_addr(reinterpret_cast<sockaddr*>(&addr));
  log_.info("listening for HTTP on {}", address_);
  return {};
}

void HttpServer::on_connection(uv_stream_t* server, int status) {
  auto* self = static_cast<HttpServer*>(server->data);
  if (status < 0) {
    self->log_.warn("HTTP accept failed: {}", uv_strerror(status));
    return;
  }
  if (self->closing_) return;
  bool over = self->active_ >= self->limits_.max_connections;
  self->conns_.push_back(std::make_unique<HttpConnection>(*self, self->next_id_++, !over));
  HttpConnection& c = *self->conns_.back();
  c.self = std::prev(self->conns_.end());
  if (!over) ++self->active_;
  if (c.accept(server) != 0) {
    c.close();
    return;
  }
  if (over) {
    // Accept and close at once: the client sees the refusal instead of waiting in the backlog.
    ++self->stats_.connections_refused;
    self->log_.warn("HTTP connection refused: {} connections open", self->active_);
    c.close();
    return;
  }
  ++self->stats_.connections_accepted;
  c.start();
}

void HttpServer::connection_closed(HttpConnection* c, bool counted) {
  if (counted) --active_;
  conns_.erase(c->self);
  maybe_finish_close();
}

void HttpServer::close(std::function<void()> on_closed) {
  if (closing_) return;
  closing_ = true;
  on_closed_ = std::move(on_closed);
  if (listener_open_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), [](uv_handle_t* h) {
      auto* self = static_cast<HttpServer*>(h->data);
      self->listener_open_ = false;
      self->maybe_finish_close();
    });
  }
  for (auto& c : conns_) c->close();
  maybe_finish_close();
}

void HttpServer::maybe_finish_close() {
  if (!closing_ || listener_open_ || !conns_.empty() || !on_closed_) return;
  auto cb = std::move(on_closed_);
  on_closed_ = nullptr;
  cb();  // may destroy the server: nothing after this
}

}  // namespace sg::gw
