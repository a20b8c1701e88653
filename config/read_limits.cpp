// limits and stage_endpoint: capacity, throttling and where accepted media goes (SPEC 4, 8).
#include <array>
#include <optional>

#include "config/sections.h"

namespace sg::config {
namespace {

using std::chrono::milliseconds;
using namespace std::literals;

constexpr uint32_t kMaxCount = 10'000'000;

// Only these placeholders are substituted in a relay URL; any other brace is a typo that would
// otherwise be sent upstream literally.
std::optional<std::string> url_template_problem(std::string_view url) {
  for (size_t i = 0; i < url.size(); ++i) {
    if (url[i] == '}') return "has a '}' without a matching '{'";
    if (url[i] != '{') continue;
    const size_t close = url.find('}', i);
    if (close == std::string_view::npos) return "has a '{' without a matching '}'";
    const std::string_view name = url.substr(i, close - i + 1);
    if (name != "{stageId}" && name != "{participantId}") {
      return "may only use the placeholders {stageId} and {participantId}";
    }
    i = close;
  }
  return std::nullopt;
}

}  // namespace

void read_limits(MapReader& top, Limits& out) {
  static constexpr std::array<std::string_view, 7> kKeys{
      "publishers_per_stage",          "ingest_configurations", "stages",         "takeover_window",
      "auth_failures_before_throttle", "auth_throttle_window",  "max_connections"};
  MapReader m = top.child("limits", kKeys);
  m.read_u32("publishers_per_stage", out.publishers_per_stage, 1, kMaxCount);
  m.read_u32("ingest_configurations", out.ingest_configurations, 1, kMaxCount);
  m.read_u32("stages", out.stages, 1, kMaxCount);
  // 0 means a second encoder always takes over a live key.
  m.read_duration("takeover_window", out.takeover_window, 0ms, 1h);
  m.read_u32("auth_failures_before_throttle", out.auth_failures_before_throttle, 1, kMaxCount);
  m.read_duration("auth_throttle_window", out.auth_throttle_window, 1ms, 24h);
  m.read_u32("max_connections", out.max_connections, 1, kMaxCount);
}

void read_stage_endpoint(MapReader& top, const std::string& base_dir, StageEndpoint& out) {
  static constexpr std::array<std::string_view, 6> kKeys{
      "kind", "url", "ca_file", "reconnect_initial", "reconnect_max", "max_downtime"};
  static constexpr std::array<std::string_view, 3> kKinds{"local", "rtmp", "rtmps"};
  MapReader m = top.child("stage_endpoint", kKeys);
  const bool kind_ok = m.read_enum("kind", out.kind, kKinds) || !m.has("kind");
  std::string url;
  const bool has_url = m.read_string("url", url);
  if (has_url) out.url = url;
  if (kind_ok && out.kind != "local") {
    const std::string scheme = out.kind + "://";
    if (!m.has("url")) {
      m.error_here("'stage_endpoint' needs 'url' when kind is " + out.kind);
    } else if (has_url && (!url.starts_with(scheme) || url.size() == scheme.size())) {
      // The URL may carry an upstream key, so it is not quoted.
      m.error_at("url",
                 "'stage_endpoint.url' must start with " + scheme + " when kind is " + out.kind);
    } else if (has_url) {
      if (const auto problem = url_template_problem(url)) {
        m.error_at("url", "'stage_endpoint.url' " + *problem);
      }
    }
  }
  std::string ca_file;
  if (m.read_string("ca_file", ca_file)) {
    if (ca_file.empty()) {
      m.error_at("ca_file",
                 "'stage_endpoint.ca_file' must not be empty (leave it out to trust "
                 "the system's CA store)");
    } else if (kind_ok && out.kind != "rtmps") {
      m.error_at("ca_file", "'stage_endpoint.ca_file' only applies when kind is rtmps");
    } else {
      out.ca_file = resolve_path(base_dir, ca_file);
    }
  }
  m.read_duration("reconnect_initial", out.reconnect_initial, 1ms, 1h);
  m.read_duration("reconnect_max", out.reconnect_max, 1ms, 1h);
  if (out.reconnect_initial > out.reconnect_max) {
    m.error_at("reconnect_initial",
               "'stage_endpoint.reconnect_initial' is longer than 'stage_endpoint.reconnect_max'");
  }
  m.read_duration("max_downtime", out.max_downtime, 1ms, 24h);
}

}  // namespace sg::config
