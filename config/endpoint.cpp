#include "config/endpoint.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstdint>

namespace sg::config {
namespace {

bool is_ipv4(const std::string& host) {
  in_addr addr{};
  return inet_pton(AF_INET, host.c_str(), &addr) == 1;
}

bool is_ipv6(const std::string& host) {
  in6_addr addr{};
  return inet_pton(AF_INET6, host.c_str(), &addr) == 1;
}

std::optional<uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  uint32_t port = 0;
  std::from_chars(text.data(), text.data() + text.size(), port);
  if (port > 65535) return std::nullopt;
  return static_cast<uint16_t>(port);
}

}  // namespace

std::optional<Endpoint> parse_endpoint(std::string_view text) {
  // inet_pton reads a C string, so an embedded NUL would hide whatever follows it.
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  std::string host;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return std::nullopt;
    }
    host = std::string(text.substr(1, close - 1));
    if (!is_ipv6(host)) return std::nullopt;
    port_text = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = std::string(text.substr(0, colon));
    // An unbracketed IPv6 address would make the port ambiguous ("::1:1935").
    if (host != "localhost" && !is_ipv4(host)) return std::nullopt;
    port_text = text.substr(colon + 1);
  }
  const auto port = parse_port(port_text);
  if (!port) return std::nullopt;
  return Endpoint{std::move(host), *port};
}

std::string format_endpoint(const Endpoint& e) {
  const bool v6 = e.host.find(':') != std::string::npos;
  return (v6 ? "[" + e.host + "]" : e.host) + ":" + std::to_string(e.port);
}

bool is_loopback(const Endpoint& e) {
  if (e.host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, e.host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, e.host.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;
}

}  // namespace sg::config
