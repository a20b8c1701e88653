#include "gateway/http_message.h"

#include <cstring>

namespace sg::gw {

namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

// RFC 9110 tchar: what a header name may consist of.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
    if (!ok || c == '\0') return false;
  }
  return true;
}

bool safe_value(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

HttpRequestParser& self_of(http_parser* p) {
  return *static_cast<HttpRequestParser*>(p->data);
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

const std::string* HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return &v;
  return nullptr;
}

std::string_view http_reason_phrase(int status) {
  if (status < 100 || status > 999) return "Unknown";
  std::string_view s = http_status_str(static_cast<http_status>(status));
  return s == "<unknown>" ? std::string_view("Unknown") : s;
}

std::string http_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

void append_response_head(std::string& out, int status, const HttpHeaders& headers,
                          long long content_length, std::string_view connection,
                          std::string_view date) {
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += http_reason_phrase(status);
  out += "\r\n";
  bool has_date = false;
  for (const auto& [name, value] : headers) {
    if (!is_token(name) || !safe_value(value)) continue;
    if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
        iequals(name, "Connection"))
      continue;
    if (iequals(name, "Date")) has_date = true;
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (!has_date && !date.empty()) {
    out += "Date: ";
    out += date;
    out += "\r\n";
  }
  if (content_length >= 0) {
    out += "Content-Length: ";
    out += std::to_string(content_length);
    out += "\r\n";
  }
  if (!connection.empty()) {
    out += "Connection: ";
    out += connection;
    out += "\r\n";
  }
  out += "\r\n";
}

HttpRequestParser::HttpRequestParser(const HttpLimits& limits) : limits_(limits) {
  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
  http_parser_settings_init(&settings_);
  settings_.on_message_begin = &HttpRequestParser::on_message_begin;
  settings_.on_url = &HttpRequestParser::on_url;
  settings_.on_header_field = &HttpRequestParser::on_header_field;
  settings_.on_header_value = &HttpRequestParser::on_header_value;
  settings_.on_headers_complete = &HttpRequestParser::on_headers_complete;
  settings_.on_body = &HttpRequestParser::on_body;
  settings_.on_message_complete = &HttpRequestParser::on_message_complete;
}

HttpRequestParser::Feed HttpRequestParser::feed(std::string_view bytes) {
  if (error_status_ != 0) return {Step::error, 0};
  if (complete_) return {Step::request, 0};  // the caller has not taken the last one yet
  // An empty buffer would tell http_parser the peer closed the connection.
  if (bytes.empty()) return {Step::need_more, 0};
  http_parser_pause(&parser_, 0);
  size_t n = http_parser_execute(&parser_, &settings_, bytes.data(), bytes.size());
  auto err = static_cast<http_errno>(parser_.http_errno);
  if (err == HPE_PAUSED) {
    // We pause only after a complete message or after headers that expect 100-continue.
    if (complete_) return {Step::request, n};
    if (want_continue_) {
      want_continue_ = false;
      return {Step::expect_continue, n};
    }
    return {Step::need_more, n};
  }
  if (err != HPE_OK) {
    if (error_status_ == 0) {
      // Our callbacks set their own status before failing; the rest are protocol errors.
      error_status_ = err == HPE_HEADER_OVERFLOW ? 431 : 400;
      reason_ = err == HPE_HEADER_OVERFLOW ? "http.header_too_large" : "http.bad_request";
      detail_ = std::string(http_errno_description(err)) + " (byte " + std::to_string(n) + ")";
    }
    return {Step::error, n};
  }
  return {Step::need_more, n};
}

HttpRequest HttpRequestParser::take_request() {
  complete_ = false;
  HttpRequest r = std::move(req_);
  req_ = HttpRequest{};
  return r;
}

int HttpRequestParser::fail(int status, std::string_view reason, std::string detail) {
  error_status_ = status;
  reason_ = reason;
  detail_ = std::move(detail);
  return -1;
}

bool HttpRequestParser::count_header_bytes(size_t n) {
  header_bytes_ += n;
  if (header_bytes_ > limits_.max_header_bytes)
    over_limit("http.header_too_large", "header block over the limit");
  return over_reason_.empty();
}

void HttpRequestParser::over_limit(std::string_view reason, std::string detail) {
  if (!over_reason_.empty()) return;  // the first one is reported
  over_reason_ = reason;
  over_detail_ = std::move(detail);
}

// Limits are reported once the head (or the trailers) has parsed, not in the callback that passed
// them: a callback may see a partial element at a read boundary, and a syntax error after the
// limit must win or lose the same way however the bytes were cut. Past a limit nothing more is
// stored, and http_parser caps the head at 80 KiB.
int HttpRequestParser::report_over_limit() {
  return over_reason_.empty() ? 0 : fail(431, over_reason_, std::move(over_detail_));
}

int HttpRequestParser::on_message_begin(http_parser* p) {
  auto& s = self_of(p);
  s.req_ = HttpRequest{};
  s.header_bytes_ = 0;
  s.in_message_ = true;
  s.headers_done_ = false;
  s.last_was_value_ = false;
  return 0;
}

int HttpRequestParser::on_url(http_parser* p, const char* at, size_t n) {
  auto& s = self_of(p);
  if (s.count_header_bytes(n)) s.req_.target.append(at, n);
  return 0;
}

int HttpRequestParser::on_header_field(http_parser* p, const char* at, size_t n) {
  auto& s = self_of(p);
  if (s.headers_done_) {  // chunked trailers: counted, not kept
    s.count_header_bytes(n);
    return 0;
  }
  auto& h = s.req_.headers;
  const bool new_field = h.empty() || s.last_was_value_;  // else the rest of a split name
  if (new_field && h.size() >= s.limits_.max_headers)
    s.over_limit("http.too_many_headers",
                 "more than " + std::to_string(s.limits_.max_headers) + " header fields");
  if (!s.count_header_bytes(n)) return 0;
  if (new_field) h.emplace_back();
  s.last_was_value_ = false;
  h.back().first.append(at, n);
  return 0;
}

int HttpRequestParser::on_header_value(http_parser* p, const char* at, size_t n) {
  auto& s = self_of(p);
  if (!s.count_header_bytes(n) || s.headers_done_) return 0;
  s.last_was_value_ = true;
  s.req_.headers.back().second.append(at, n);
  return 0;
}

int HttpRequestParser::on_headers_complete(http_parser* p) {
  auto& s = self_of(p);
  auto& r = s.req_;
  s.headers_done_ = true;
  if (s.report_over_limit() != 0) return -1;
  r.method = http_method_str(static_cast<http_method>(p->method));
  r.http_major = p->http_major;
  r.http_minor = p->http_minor;

  if (r.target == "*") {
    r.path = r.target;  // OPTIONS * HTTP/1.1
  } else {
    http_parser_url u;
    http_parser_url_init(&u);
    if (http_parser_parse_url(r.target.data(), r.target.size(), p->method == HTTP_CONNECT, &u) != 0)
      return s.fail(400, "http.bad_target", "unparsable request-target");
    if (u.field_set & (1 << UF_PATH))
      r.path = r.target.substr(u.field_data[UF_PATH].off, u.field_data[UF_PATH].len);
    if (u.field_set & (1 << UF_QUERY))
      r.query = r.target.substr(u.field_data[UF_QUERY].off, u.field_data[UF_QUERY].len);
  }

  bool has_length = (p->flags & F_CONTENTLENGTH) != 0;
  if (has_length && p->content_length > s.limits_.max_body_bytes)
    return s.fail(413, "http.body_too_large",
                  "Content-Length " + std::to_string(p->content_length) + " over the limit");

  const std::string* expect = r.header("Expect");
  bool body_follows = (p->flags & F_CHUNKED) != 0 || (has_length && p->content_length > 0);
  if (expect && iequals(*expect, "100-continue") && body_follows && p->http_major == 1 &&
      p->http_minor >= 1) {
    s.want_continue_ = true;
    http_parser_pause(p, 1);
  }
  return 0;
}

int HttpRequestParser::on_body(http_parser* p, const char* at, size_t n) {
  auto& s = self_of(p);
  if (s.req_.body.size() + n > s.limits_.max_body_bytes)
    return s.fail(413, "http.body_too_large", "body over the limit");
  s.req_.body.append(at, n);
  return 0;
}

int HttpRequestParser::on_message_complete(http_parser* p) {
  auto& s = self_of(p);
  if (s.report_over_limit() != 0) return -1;  // over the limit in chunked trailers
  // An upgrade (or CONNECT) that we answer as plain HTTP leaves the peer in an unknown protocol.
  s.req_.keep_alive = http_should_keep_alive(p) != 0 && p->upgrade == 0;
  s.complete_ = true;
  s.in_message_ = false;
  http_parser_pause(p, 1);
  return 0;
}

}  // namespace sg::gw
