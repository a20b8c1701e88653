// What an operator watches, as counters and gauges, rendered in the Prometheus text format at
// GET /metrics. Owned by the Gateway and updated on the loop thread only (no locks needed).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace sg::gw {

struct Metrics {
  uint64_t rtmp_connections_accepted = 0;
  uint64_t rtmp_connections_open = 0;
  uint64_t rtmps_connections_accepted = 0;  // of rtmp_connections_accepted, on the RTMPS listener
  uint64_t tls_handshake_failures = 0;
  uint64_t rtmp_bytes_in = 0;
  uint64_t rtmp_bytes_out = 0;
  uint64_t rtmp_protocol_errors = 0;
  uint64_t live_publishers = 0;              // gauge, set before rendering
  uint64_t players = 0;                      // gauge
  uint64_t event_streams = 0;                // gauge
  std::map<std::string, uint64_t> refusals;  // by error code (INVALID_STREAM_KEY, ...)
  std::map<std::pair<std::string, int>, uint64_t> api_requests;  // by operation and status

  std::string render() const;
};

}  // namespace sg::gw
