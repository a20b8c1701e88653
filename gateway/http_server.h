// HTTP/1.1 server on the libuv loop for the control API, /healthz, /metrics and event streams.
//
// Each connection parses with HttpRequestParser and hands one request at a time to the handler:
// a pipelined request waits until the previous response has been queued, so responses always go
// out in request order even when the handler answers later (after a database write, say).
// Event streams (Server-Sent Events) are delimited by closing the connection: their head carries
// `Connection: close` and neither Content-Length nor chunked encoding, so every HTTP/1.x client
// reads them the same way, and the stream is the last thing the connection carries.
#pragma once

#include <spdlog/logger.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/http_message.h"
#include "rtmp/status.h"

namespace sg::gw {

class HttpConnection;  // one accepted connection; defined in http_server.cpp

// One Server-Sent Events stream. Owned by whoever keeps the shared_ptr; the connection only points
// at it. Everything runs on the loop thread.
class HttpEventStream {
 public:
  // Queues raw bytes (already formatted "event: ...\ndata: ...\n\n"). False once the client is
  // gone or the stream closed; a client whose backlog would exceed
  // HttpLimits::max_stream_backlog_bytes is cut off and this returns false.
  bool write(std::string_view data);
  // Sends what is queued, then closes the connection.
  void close();
  bool open() const { return conn_ != nullptr; }
  // Runs once when the stream has ended, whatever ended it (client gone, close(), server close).
  // It always runs from a libuv close callback, never inside write() or close(), so it may safely
  // drop the subscriber list entry that holds this stream. If the stream has already ended, `cb`
  // runs at once.
  void on_close(std::function<void()> cb);

 private:
  friend class HttpConnection;
  friend class HttpResponder;
  void detach() { conn_ = nullptr; }  // the connection is closing
  void fire_closed();                 // the connection's handles are closed

  HttpConnection* conn_ = nullptr;
  bool ended_ = false;
  std::function<void()> on_close_;
};

namespace detail {
// State shared between a connection and the responders of its current request.
struct HttpExchange {
  HttpConnection* conn = nullptr;  // null once the connection is gone
  bool done = false;               // responded or streaming
};
}  // namespace detail

// Handed to the request handler; a copyable handle on one request's reply. respond() may run
// later (asynchronously, on the loop thread); once the request has been answered, or its
// connection is gone, further calls do nothing.
class HttpResponder {
 public:
  void respond(HttpResponse response) const;
  // Sends a head with `Content-Type: text/event-stream` and returns the stream. Never null: when
  // the connection is gone (or the request was already answered) the stream is already closed.
  std::shared_ptr<HttpEventStream> start_stream(int status, HttpHeaders headers = {}) const;
  // True while the connection is there and no reply has been given.
  bool pending() const { return x_ && x_->conn && !x_->done; }

 private:
  friend class HttpConnection;
  explicit HttpResponder(std::shared_ptr<detail::HttpExchange> x) : x_(std::move(x)) {}
  std::shared_ptr<detail::HttpExchange> x_;
};

// Counters an operator watches (exported by /metrics).
struct HttpServerStats {
  uint64_t connections_accepted = 0;
  uint64_t connections_refused = 0;  // over max_connections
  uint64_t requests = 0;
  uint64_t bad_requests = 0;  // answered 400, 413 or 431 by the server itself
  uint64_t idle_timeouts = 0;
};

class HttpServer {
 public:
  using Handler = std::function<void(HttpRequest&&, HttpResponder)>;

  HttpServer(uv_loop_t* loop, HttpLimits limits, spdlog::logger& log, Handler handler);
  // After listen() (even a failed one) the owner must call close() and wait for its callback
  // before destroying the server: libuv frees handles only in their close callbacks.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  Status listen(const std::string& host, uint16_t port);  // port 0 = a free port
  std::string address() const { return address_; }        // "127.0.0.1:PORT" as bound
  bool is_loopback() const { return loopback_; }
  // Stops listening, closes every connection (event streams included), then calls on_closed, which
  // may destroy the server. Responses not yet written are dropped. If nothing was ever opened,
  // on_closed runs at once.
  void close(std::function<void()> on_closed);
  size_t connection_count() const { return active_; }
  const HttpServerStats& stats() const { return stats_; }

 private:
  friend class HttpConnection;
  static void on_connection(uv_stream_t* server, int status);
  void connection_closed(HttpConnection* c, bool counted);  // from the connection's close callback
  void maybe_finish_close();

  uv_loop_t* loop_;
  HttpLimits limits_;
  spdlog::logger& log_;
  Handler handler_;
  uv_tcp_t listener_{};
  bool listener_open_ = false;  // initialised and not yet closed
  bool closing_ = false;
  std::function<void()> on_closed_;
  std::list<std::unique_ptr<HttpConnection>> conns_;
  size_t active_ = 0;
  uint64_t next_id_ = 1;
  std::string address_;
  bool loopback_ = false;
  HttpServerStats stats_;
};

}  // namespace sg::gw
