#include "tests/tools/push_options.h"

#include <charconv>
#include <string_view>
#include <vector>

namespace sg::tools {

const char* const kPushUsage =
    "usage: sg_push [--no-realtime] [--ts-offset MS] [--chunk-size N] [--stall-after MS]\n"
    "               [--stall-for MS] [--garbage-after MS] [--loop N] [--duration MS]\n"
    "               [--source-address IP]\n"
    "               FILE.flv rtmp://HOST:PORT/APP/STREAMKEY\n";

namespace {

std::optional<uint64_t> parse_u64(std::string_view s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

Result<RtmpUrl> parse_rtmp_url(const std::string& url) {
  constexpr std::string_view kScheme = "rtmp://";
  if (url.rfind(kScheme, 0) != 0) return make_error("tools.usage", "only rtmp:// URLs");
  const std::string rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  if (slash == std::string::npos) return make_error("tools.usage", "no app in URL");
  const std::string authority = rest.substr(0, slash);
  const std::string path = rest.substr(slash + 1);

  RtmpUrl u;
  std::string port_text;
  if (!authority.empty() && authority[0] == '[') {  // [::1]:1935
    const size_t close = authority.find(']');
    if (close == std::string::npos) return make_error("tools.usage", "bad IPv6 literal");
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return make_error("tools.usage", "bad authority");
      port_text = authority.substr(close + 2);
    }
  } else {
    const size_t colon = authority.find(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) port_text = authority.substr(colon + 1);
  }
  if (u.host.empty()) return make_error("tools.usage", "no host in URL");
  if (!port_text.empty()) {
    auto port = parse_u64(port_text);
    if (!port || *port == 0 || *port > 65535) return make_error("tools.usage", "bad port");
    u.port = uint16_t(*port);
  }
  const size_t last = path.rfind('/');
  if (last == std::string::npos || last == 0 || last + 1 == path.size()) {
    return make_error("tools.usage", "URL needs /APP/STREAMKEY");
  }
  u.app = path.substr(0, last);
  u.stream_name = path.substr(last + 1);
  u.tc_url =
      "rtmp://" + authority + (port_text.empty() ? ":" + std::to_string(u.port) : "") + "/" + u.app;
  return u;
}

Result<PushOptions> parse_push_options(int argc, char** argv) {
  PushOptions o;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--no-realtime") {
      o.realtime = false;
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      positional.emplace_back(arg);
      continue;
    }
    if (i + 1 >= argc) return make_error("tools.usage", std::string(arg) + " needs a value");
    if (arg == "--source-address") {
      o.source_address = argv[++i];
      continue;
    }
    auto v = parse_u64(argv[++i]);
    if (!v) return make_error("tools.usage", std::string(arg) + " needs a number");
    if (arg == "--ts-offset") {
      o.ts_offset = *v;
    } else if (arg == "--chunk-size") {
      // RTMP chunk sizes are 31-bit. Sizes the server refuses are allowed on purpose (tests).
      if (*v < 1 || *v > 0x7FFFFFFF) return make_error("tools.usage", "bad --chunk-size");
      o.chunk_size = uint32_t(*v);
    } else if (arg == "--stall-after") {
      o.stall_after = *v;
    } else if (arg == "--stall-for") {
      o.stall_for = *v;
    } else if (arg == "--garbage-after") {
      o.garbage_after = *v;
    } else if (arg == "--loop") {
      if (*v == 0) return make_error("tools.usage", "--loop needs N >= 1");
      o.loops = *v;
    } else if (arg == "--duration") {
      o.duration = *v;
    } else {
      return make_error("tools.usage", "unknown option " + std::string(arg));
    }
  }
  if (positional.size() != 2) return make_error("tools.usage", "need FILE.flv and an rtmp:// URL");
  o.file = positional[0];
  auto url = parse_rtmp_url(positional[1]);
  if (!url) return url.error();
  o.url = *url;
  return o;
}

}  // namespace sg::tools
