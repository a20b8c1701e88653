#include "gateway/metrics.h"

namespace sg::gw {
namespace {

void family(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += " ";
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += " ";
  out += type;
  out += "\n";
}

void sample(std::string& out, const std::string& name, uint64_t value) {
  out += name + " " + std::to_string(value) + "\n";
}

// A metric without labels: its family header and its one sample, the name written once.
void scalar(std::string& out, const char* name, const char* type, const char* help,
            uint64_t value) {
  family(out, name, type, help);
  sample(out, name, value);
}

}  // namespace

std::string Metrics::render() const {
  std::string o;
  scalar(o, "stagegate_rtmp_connections_total", "counter", "RTMP connections accepted.",
         rtmp_connections_accepted);
  scalar(o, "stagegate_rtmp_connections", "gauge", "RTMP connections open now.",
         rtmp_connections_open);
  scalar(o, "stagegate_rtmp_bytes_received_total", "counter", "Bytes received from RTMP peers.",
         rtmp_bytes_in);
  scalar(o, "stagegate_rtmp_bytes_sent_total", "counter", "Bytes sent to RTMP peers.",
         rtmp_bytes_out);
  scalar(o, "stagegate_rtmp_protocol_errors_total", "counter",
         "RTMP connections closed for a protocol error.", rtmp_protocol_errors);
  scalar(
      o, "stagegate_rtmps_connections_total", "counter",
      "Connections accepted on the RTMPS listener (included in stagegate_rtmp_connections_total).",
      rtmps_connections_accepted);
  scalar(o, "stagegate_tls_handshake_failures_total", "counter",
         "RTMPS connections whose TLS handshake failed (garbage, plain RTMP, certificate refused).",
         tls_handshake_failures);
  scalar(o, "stagegate_live_publishers", "gauge", "Publishers live now.", live_publishers);
  scalar(o, "stagegate_players", "gauge", "Local-stage players connected now.", players);
  scalar(o, "stagegate_event_streams", "gauge", "Open live event streams.", event_streams);
  family(o, "stagegate_publish_refusals_total", "counter",
         "Publishes refused or ended, by error code.");
  for (const auto& [code, n] : refusals)
    sample(o, "stagegate_publish_refusals_total{code=\"" + code + "\"}", n);
  family(o, "stagegate_api_requests_total", "counter",
         "Control API requests by operation and status.");
  for (const auto& [key, n] : api_requests)
    sample(o,
           "stagegate_api_requests_total{operation=\"" + key.first + "\",status=\"" +
               std::to_string(key.second) + "\"}",
           n);
  return o;
}

}  // namespace sg::gw
