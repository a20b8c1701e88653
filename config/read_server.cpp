// The sections about the process itself: identity, listeners, state, API access, playback,
// sessions.
#include <algorithm>
#include <array>
#include <filesystem>
#include <limits>
#include <optional>

#include "config/endpoint.h"
#include "config/sections.h"

namespace sg::config {
namespace {

using std::chrono::milliseconds;
using namespace std::literals;

constexpr uint32_t kMaxU32 = std::numeric_limits<uint32_t>::max();
constexpr uint32_t kMaxRtmpLength = 16777215;  // RTMP chunk and message sizes are 24-bit

bool all_of(std::string_view s, bool (*pred)(char)) {
  return std::all_of(s.begin(), s.end(), pred);
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_region_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || c == '-';
}
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_host_char(char c) {
  return is_alnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
}

}  // namespace

std::string resolve_path(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path == ":memory:" || base_dir.empty()) return path;
  const std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

void read_gateway(MapReader& top, Gateway& out) {
  static constexpr std::array<std::string_view, 5> kKeys{"region", "account_id", "public_host",
                                                         "log_format", "log_level"};
  static constexpr std::array<std::string_view, 2> kFormats{"text", "json"};
  static constexpr std::array<std::string_view, 5> kLevels{"trace", "debug", "info", "warn",
                                                           "error"};
  MapReader m = top.child("gateway", kKeys);
  std::string region;
  if (m.read_string("region", region)) {
    // The region is part of every ARN and stream key, so it follows the ARN pattern exactly.
    if (region.empty() || region.size() > 64 || !all_of(region, is_region_char)) {
      m.error_at("region",
                 "'gateway.region' must be lower-case letters, digits and '-' (like "
                 "us-east-1), not " +
                     quote_value(region));
    } else {
      out.region = region;
    }
  }
  std::string account;
  if (m.read_string("account_id", account)) {
    if (account.size() != 12 || !all_of(account, is_digit)) {
      m.error_at("account_id",
                 "'gateway.account_id' must be exactly 12 digits (quote it to keep "
                 "leading zeros), not " +
                     quote_value(account));
    } else {
      out.account_id = account;
    }
  }
  std::string host;
  if (m.read_string("public_host", host)) {
    if (host.empty() || host.size() > 253 || !all_of(host, is_host_char)) {
      m.error_at("public_host", "'gateway.public_host' must be a host name or IP address, not " +
                                    quote_value(host));
    } else {
      out.public_host = host;
    }
  }
  m.read_enum("log_format", out.log_format, kFormats);
  m.read_enum("log_level", out.log_level, kLevels);
}

void read_listeners(MapReader& top, const std::string& base_dir, Config& out) {
  static constexpr std::array<std::string_view, 3> kKeys{"rtmp", "rtmps", "api"};
  static constexpr std::array<std::string_view, 8> kRtmpKeys{"bind",
                                                             "max_chunk_size",
                                                             "max_message_size",
                                                             "max_chunk_streams",
                                                             "max_pending_output_bytes",
                                                             "handshake_timeout",
                                                             "idle_timeout",
                                                             "out_chunk_size"};
  static constexpr std::array<std::string_view, 4> kRtmpsKeys{"enabled", "bind", "certificate",
                                                              "private_key"};
  static constexpr std::array<std::string_view, 2> kApiKeys{"enabled", "bind"};
  MapReader listeners = top.child("listeners", kKeys);

  MapReader rtmp = listeners.child("rtmp", kRtmpKeys);
  RtmpListener& r = out.rtmp;
  rtmp.read_endpoint("bind", r.bind);
  rtmp.read_u32("max_chunk_size", r.max_chunk_size, 128, kMaxRtmpLength);
  // A connect command alone needs a few hundred bytes; below 4 KiB no encoder gets through.
  rtmp.read_u32("max_message_size", r.max_message_size, 4096, kMaxRtmpLength);
  rtmp.read_u32("max_chunk_streams", r.max_chunk_streams, 2, 65599);
  rtmp.read_u32("max_pending_output_bytes", r.max_pending_output_bytes, 4096, kMaxU32);
  rtmp.read_duration_ms("handshake_timeout", r.handshake_timeout_ms, 1, kMaxU32);
  rtmp.read_duration_ms("idle_timeout", r.idle_timeout_ms, 1, kMaxU32);
  rtmp.read_u32("out_chunk_size", r.out_chunk_size, 128, kMaxRtmpLength);

  // The block's presence turns RTMPS on; `enabled: false` keeps it written down but off.
  std::optional<MapReader> rtmps;
  if (listeners.has("rtmps")) {
    rtmps.emplace(listeners.child("rtmps", kRtmpsKeys));
    RtmpsListener& s = out.rtmps;
    s.enabled = true;
    rtmps->read_bool("enabled", s.enabled);
    rtmps->read_endpoint("bind", s.bind);
    for (auto [key, field] :
         {std::pair{"certificate"sv, &s.certificate}, std::pair{"private_key"sv, &s.private_key}}) {
      std::string path;
      if (rtmps->read_string(key, path)) {
        if (path.empty()) {
          rtmps->error_at(key, "'" + rtmps->key_path(key) + "' must not be empty");
        } else {
          *field = resolve_path(base_dir, path);
        }
      } else if (s.enabled && !rtmps->has(key)) {
        rtmps->error_here("'listeners.rtmps' needs '" + std::string(key) +
                          "' (a PEM file) when RTMPS is enabled");
      }
    }
  }

  MapReader api = listeners.child("api", kApiKeys);
  api.read_bool("enabled", out.api_listener.enabled);
  api.read_endpoint("bind", out.api_listener.bind);

  // Two enabled listeners on one fixed port would fail at bind time with a less helpful message.
  struct Bound {
    MapReader* reader;
    bool enabled;
    const Endpoint* endpoint;
  };
  const std::array<Bound, 3> bound{{{&rtmp, true, &out.rtmp.bind},
                                    {rtmps ? &*rtmps : nullptr, out.rtmps.enabled, &out.rtmps.bind},
                                    {&api, out.api_listener.enabled, &out.api_listener.bind}}};
  for (size_t i = 0; i < bound.size(); ++i) {
    for (size_t j = i + 1; j < bound.size(); ++j) {
      const Bound& a = bound[i];
      const Bound& b = bound[j];
      if (a.reader && b.reader && a.enabled && b.enabled && a.endpoint->port != 0 &&
          *a.endpoint == *b.endpoint) {
        b.reader->error_at("bind", "'" + b.reader->key_path("bind") +
                                       "' uses the same address as '" + a.reader->key_path("bind") +
                                       "'");
      }
    }
  }
}

void read_state(MapReader& top, const std::string& base_dir, State& out) {
  static constexpr std::array<std::string_view, 1> kKeys{"path"};
  MapReader m = top.child("state", kKeys);
  std::string path;
  if (m.read_string("path", path)) {
    if (path.empty()) {
      m.error_at("path", "'state.path' must not be empty");
    } else {
      out.path = resolve_path(base_dir, path);
    }
  }
}

void read_api(MapReader& top, const ApiListener& listener, Api& out) {
  static constexpr std::array<std::string_view, 4> kKeys{"credentials", "allow_anonymous",
                                                         "rate_limits", "default_rate_limit"};
  static constexpr std::array<std::string_view, 2> kCredentialKeys{"access_key_id",
                                                                   "secret_access_key"};
  MapReader m = top.child("api", kKeys);
  m.for_each_item("credentials", [&](const YAML::Node& item, const std::string& path) {
    MapReader c(item, path, kCredentialKeys, m.errors(), item.Mark());
    Credential credential;
    if (!c.read_string("access_key_id", credential.access_key_id)) {
      if (!c.has("access_key_id")) c.error_here("'" + path + "' needs 'access_key_id'");
    } else if (credential.access_key_id.empty() || credential.access_key_id.size() > 128 ||
               !all_of(credential.access_key_id, is_alnum)) {
      c.error_at("access_key_id",
                 "'" + path + ".access_key_id' must be 1 to 128 letters or digits");
      credential.access_key_id.clear();
    } else {
      for (const Credential& earlier : out.credentials) {
        if (earlier.access_key_id == credential.access_key_id) {
          c.error_at("access_key_id", "'" + path + ".access_key_id' is listed twice");
        }
      }
    }
    if (!c.read_secret("secret_access_key", credential.secret_access_key)) {
      if (!c.has("secret_access_key")) c.error_here("'" + path + "' needs 'secret_access_key'");
    } else if (credential.secret_access_key.size() < 16) {
      // Never quote the secret, not even a short one.
      c.error_at("secret_access_key",
                 "'" + path + ".secret_access_key' must be at least 16 characters");
    }
    out.credentials.push_back(std::move(credential));
  });
  m.read_double("default_rate_limit", out.default_rate_limit, 0, 1e6);
  if (const YAML::Node* limits = m.value("rate_limits")) {
    if (!limits->IsMap()) {
      m.error(*limits, "'api.rate_limits' must map operation names to requests per second");
    } else {
      for (const auto& kv : *limits) {
        std::string op = kv.first.Scalar();
        double tps = 0;
        bool ok = kv.second.IsScalar() && YAML::convert<double>::decode(kv.second, tps) &&
                  tps >= 0 && tps <= 1e6;
        bool name_ok = !op.empty() && all_of(op, is_alnum);
        if (!name_ok) m.error(kv.first, "'api.rate_limits' keys are operation names");
        if (!ok) m.error(kv.second, "'api.rate_limits." + op + "' must be a number from 0 to 1e6");
        if (ok && name_ok) out.rate_limits.emplace_back(op, tps);
      }
    }
  }
  if (m.read_bool("allow_anonymous", out.allow_anonymous) && out.allow_anonymous &&
      listener.enabled && !is_loopback(listener.bind)) {
    // SPEC 7: unsigned requests are only acceptable when nobody else can reach the listener.
    m.error_at("allow_anonymous",
               "'api.allow_anonymous' needs 'listeners.api.bind' on a loopback address");
  }
}

void read_storage(MapReader& top, const std::string& base_dir, Storage& out) {
  static constexpr std::array<std::string_view, 1> kKeys{"root"};
  MapReader m = top.child("storage", kKeys);
  std::string root;
  if (m.read_string("root", root)) {
    if (root.empty()) {
      m.error_at("root", "'storage.root' must not be empty");
    } else {
      out.root = resolve_path(base_dir, root);
    }
  }
}

void read_playback(MapReader& top, Playback& out) {
  static constexpr std::array<std::string_view, 2> kKeys{"allow_loopback", "allow_any"};
  MapReader m = top.child("playback", kKeys);
  m.read_bool("allow_loopback", out.allow_loopback);
  m.read_bool("allow_any", out.allow_any);
}

void read_sessions(MapReader& top, Sessions& out) {
  static constexpr std::array<std::string_view, 1> kKeys{"idle_end"};
  MapReader m = top.child("sessions", kKeys);
  m.read_duration("idle_end", out.idle_end, 0ms, 24h);
}

}  // namespace sg::config
