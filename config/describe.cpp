// The --check-config summary. It is printed to a terminal and pasted into tickets, so every
// secret is masked here rather than trusting callers.
#include <sstream>

#include "config/loader.h"
#include "config/stream_key_check.h"

namespace sg::config {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string join(const std::vector<uint32_t>& items) {
  std::string out;
  for (uint32_t v : items) out += (out.empty() ? "" : ", ") + std::to_string(v);
  return out;
}

std::string on_off(bool b) {
  return b ? "on" : "off";
}

std::string ms(uint32_t value) {
  return format_duration(std::chrono::milliseconds{value});
}

// A relay URL may carry an upstream stream key in its path or a password before '@', so only the
// scheme and host are shown.
std::string mask_url(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "****";
  const size_t host_start = scheme_end + 3;
  size_t host_end = url.find('/', host_start);
  if (host_end == std::string::npos) host_end = url.size();
  std::string host = url.substr(host_start, host_end - host_start);
  if (const size_t at = host.rfind('@'); at != std::string::npos)
    host = "****@" + host.substr(at + 1);
  return url.substr(0, host_start) + host + (host_end < url.size() ? "/****" : "");
}

}  // namespace

std::string describe(const Config& c) {
  std::ostringstream o;
  const Gateway& g = c.gateway;
  o << "configuration: " << c.source << "\n";
  o << "gateway: region " << g.region << ", account " << g.account_id << ", public host "
    << g.public_host << ", logs " << g.log_format << "/" << g.log_level << "\n";
  const RtmpListener& r = c.rtmp;
  o << "rtmp: " << format_endpoint(r.bind) << " (chunk <= " << r.max_chunk_size
    << ", message <= " << r.max_message_size << ", chunk streams <= " << r.max_chunk_streams
    << ", pending output <= " << r.max_pending_output_bytes << ", handshake timeout "
    << ms(r.handshake_timeout_ms) << ", idle timeout " << ms(r.idle_timeout_ms) << ", out chunk "
    << r.out_chunk_size << ")\n";
  if (c.rtmps.enabled) {
    o << "rtmps: " << format_endpoint(c.rtmps.bind) << " (certificate " << c.rtmps.certificate
      << ", private key " << c.rtmps.private_key << ")\n";
  } else {
    o << "rtmps: off\n";
  }
  if (c.api_listener.enabled) {
    o << "api: " << format_endpoint(c.api_listener.bind);
  } else {
    o << "api: off";
  }
  o << ", anonymous access " << on_off(c.api.allow_anonymous) << ", credentials:";
  if (c.api.credentials.empty()) o << " none";
  for (const Credential& cred : c.api.credentials) o << " " << cred.access_key_id << "/****";
  o << "\n";
  o << "state: " << c.state.path << "\n";
  const Media& m = c.media;
  o << "media: max duration " << format_duration(m.max_duration) << ", bitrate window "
    << format_duration(m.bitrate_window) << " +" << m.bitrate_tolerance * 100 << "%, track grace "
    << format_duration(m.track_grace) << "\n";
  const VideoRules& v = m.video;
  o << "  video: " << join(v.codecs) << " (" << join(v.profiles) << ") <= " << v.max_bitrate_kbps
    << " kbps, b-frames " << v.b_frames << ", short side " << v.min_short_side << ".."
    << v.max_short_side << ", long side <= " << v.max_long_side << ", fps " << v.min_fps << ".."
    << v.max_fps << (v.enforce_fps ? " (enforced)" : " (measured)") << ", IDR interval "
    << ms(v.min_idr_interval_ms) << ".." << ms(v.max_idr_interval_ms)
    << (v.enforce_idr_interval ? " (enforced)" : " (measured)") << "\n";
  const AudioRules& a = m.audio;
  o << "  audio: " << join(a.codecs) << ", " << join(a.sample_rates) << " Hz, <= " << a.max_channels
    << " channels, <= " << a.max_bitrate_kbps << " kbps\n";
  const Limits& l = c.limits;
  o << "limits: " << l.publishers_per_stage << " publishers per stage, " << l.ingest_configurations
    << " ingest configurations, " << l.stages << " stages, " << l.max_connections
    << " connections, takeover after " << format_duration(l.takeover_window) << ", throttle after "
    << l.auth_failures_before_throttle << " failures for "
    << format_duration(l.auth_throttle_window) << "\n";
  const StageEndpoint& s = c.stage_endpoint;
  o << "stage endpoint: " << s.kind;
  if (s.kind != "local") {
    o << " " << mask_url(s.url) << " (reconnect " << format_duration(s.reconnect_initial) << ".."
      << format_duration(s.reconnect_max) << ", give up after " << format_duration(s.max_downtime)
      << ")";
    if (s.kind == "rtmps")
      o << ", upstream certificate checked against "
        << (s.ca_file.empty() ? std::string("the system CA store") : s.ca_file);
  }
  o << "\n";
  o << "playback without token: loopback " << on_off(c.playback.allow_loopback) << ", anyone "
    << on_off(c.playback.allow_any) << "\n";
  o << "sessions: end " << format_duration(c.sessions.idle_end) << " after the last participant\n";
  o << "stages:" << (c.stages.empty() ? " none" : "") << "\n";
  for (const DeclaredStage& stage : c.stages) {
    o << "  " << stage.name << "\n";
    for (const DeclaredIngestConfiguration& ic : stage.ingest_configurations) {
      o << "    " << ic.name << ": " << ic.ingest_protocol
        << (ic.insecure_ingest ? " (insecure ingest allowed)" : "") << ", user '" << ic.user_id
        << "', " << ic.attributes.size() << " attribute(s), stream key "
        << (ic.stream_key.empty() ? "generated" : mask_stream_key(ic.stream_key)) << "\n";
    }
  }
  return o.str();
}

}  // namespace sg::config
