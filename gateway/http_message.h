// HTTP/1.1 messages of the control API and the sans-I/O request parser behind the HTTP server.
//
// HttpRequestParser drives libhttp-parser (http_parser_execute with callbacks) over bytes handed to
// it and owns no socket, so the server, the unit tests and the fuzz target feed it the same way. It
// stops after each complete request and after the headers of a request that expects
// `100-continue`, which lets the server answer pipelined requests strictly in order and answer the
// expectation before the client sends the body.
#pragma once

#include <http_parser.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sg::gw {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpLimits {
  size_t max_header_bytes = 16384;  // request line + header names and values
  size_t max_headers = 64;
  size_t max_body_bytes = 1 << 20;
  uint32_t idle_timeout_ms = 60000;
  size_t max_connections = 256;
  // Bytes an event stream may have queued for a slow client before it is cut off.
  size_t max_stream_backlog_bytes = 1 << 20;
};

struct HttpRequest {
  std::string method;
  std::string target;   // raw request-target as sent
  std::string path;     // raw, still percent-encoded
  std::string query;    // raw, without '?'
  HttpHeaders headers;  // names as sent
  std::string body;
  std::string remote_ip;
  unsigned short http_major = 1;
  unsigned short http_minor = 1;
  bool keep_alive = true;  // the connection may carry another request after this one

  // Case-insensitive, first match; null when absent.
  const std::string* header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;
};

bool iequals(std::string_view a, std::string_view b);
std::string_view http_reason_phrase(int status);
// IMF-fixdate as the Date header wants it: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(std::time_t t);

// Appends a status line and header block. Framing headers (Content-Length, Transfer-Encoding,
// Connection) and header lines with CR/LF in them are dropped from `headers`: the server owns
// framing, and a handler must not be able to split a response. `content_length` < 0 means none.
void append_response_head(std::string& out, int status, const HttpHeaders& headers,
                          long long content_length, std::string_view connection,
                          std::string_view date);

class HttpRequestParser {
 public:
  enum class Step {
    need_more,        // everything was consumed; feed more bytes
    expect_continue,  // headers done, the client waits for "100 Continue" before sending the body
    request,          // a request is complete: take_request()
    error,            // malformed or over a limit: error_status(); sticky
  };
  struct Feed {
    Step step;
    size_t consumed;  // bytes of the input used; the caller feeds the rest again later
  };

  explicit HttpRequestParser(const HttpLimits& limits);
  HttpRequestParser(const HttpRequestParser&) = delete;
  HttpRequestParser& operator=(const HttpRequestParser&) = delete;

  Feed feed(std::string_view bytes);
  HttpRequest take_request();

  // True while part of a request has been consumed but the request is not complete.
  bool mid_request() const { return in_message_; }
  int error_status() const { return error_status_; }         // 400, 413 or 431
  std::string_view error_reason() const { return reason_; }  // "http.bad_request", ...
  const std::string& error_detail() const { return detail_; }

 private:
  static int on_message_begin(http_parser* p);
  static int on_url(http_parser* p, const char* at, size_t n);
  static int on_header_field(http_parser* p, const char* at, size_t n);
  static int on_header_value(http_parser* p, const char* at, size_t n);
  static int on_headers_complete(http_parser* p);
  static int on_body(http_parser* p, const char* at, size_t n);
  static int on_message_complete(http_parser* p);

  // Counts head bytes; false once any head limit has been passed (nothing more is stored).
  bool count_header_bytes(size_t n);
  void over_limit(std::string_view reason, std::string detail);  // notes the first one
  int report_over_limit();  // 0, or fail()'s -1 with the noted limit
  int fail(int status, std::string_view reason, std::string detail);

  HttpLimits limits_;
  http_parser parser_{};
  http_parser_settings settings_{};
  HttpRequest req_;
  size_t header_bytes_ = 0;
  bool in_message_ = false;
  bool headers_done_ = false;
  bool last_was_value_ = false;
  bool want_continue_ = false;
  bool complete_ = false;
  std::string_view over_reason_;  // a head limit passed; reported when the head is complete
  std::string over_detail_;
  int error_status_ = 0;
  std::string_view reason_;
  std::string detail_;
};

}  // namespace sg::gw
