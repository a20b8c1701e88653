// Listener addresses as written in YAML: "127.0.0.1:1935", "[::1]:1935", "localhost:0".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

namespace sg::config {

// host:port where host is an IPv4 literal, a bracketed IPv6 literal or "localhost", and port is
// 0..65535 (0 = pick a free port). Host names other than "localhost" are refused on purpose: a
// listener must not depend on DNS at start-up. The IPv6 host is stored without brackets.
std::optional<Endpoint> parse_endpoint(std::string_view text);

// The inverse of parse_endpoint ("[::1]:1935" for IPv6).
std::string format_endpoint(const Endpoint& e);

// True for 127.0.0.0/8, ::1 and "localhost": addresses only this machine can reach.
bool is_loopback(const Endpoint& e);

}  // namespace sg::config
