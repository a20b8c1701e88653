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

}  // namespace

std::string Metrics::render() const {
  std::string o;
  family(o, "stagegate_rtmp_connections_total", "counter", "RTMP connections accepted.");
  sample(o, "stagegate_rtmp_connections_total", rtmp_connections_accepted);
  family(o, "stagegate_rtmp_connections", "gauge", "RTMP connections open now.");
  sample(o, "stagegate_rtmp_connections", rtmp_connections_open);
  family(o, "stagegate_rtmp_bytes_received_total", "counter", "Bytes received from RTMP peers.");
  sample(o, "stagegate_rtmp_bytes_received_total", rtmp_bytes_in);
  family(o, "stagegate_rtmp_bytes_sent_total", "counter", "Bytes sent to RTMP peers.");
  sample(o, "stagegate_rtmp_bytes_sent_total", rtmp_bytes_out);
  family(o, "stagegate_rtmp_protocol_errors_total", "counter",
         "RTMP connections closed for a protocol error.");
  sample(o, "stagegate_rtmp_protocol_errors_total", rtmp_protocol_errors);
  family(
      o, "stagegate_rtmps_connections_total", "counter",
      "Connections accepted on the RTMPS listener (included in stagegate_rtmp_connections_total).");
  sample(o, "stagegate_rtmps_connections_total", rtmps_connections_accepted);
  family(
      o, "stagegate_tls_handshake_failures_total", "counter",
      "RTMPS connections whose TLS handshake failed (garbage, plain RTMP, certificate refused).");
  sample(o, "stagegate_tls_handshake_failures_total", tls_handshake_failures);
  family(o, "stagegate_live_publishers", "gauge", "Publishers live now.");
  sample(o, "stagegate_live_publishers", live_publishers);
  family(o, "stagegate_players", "gauge", "Local-stage players connected now.");
  sample(o, "stagegate_players", players);
  family(o, "stagegate_event_streams", "gauge", "Open live event streams.");
  sample(o, "stagegate_event_streams", event_streams);
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
