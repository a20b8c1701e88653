// Command line of sg_push: options, the FLV file and the rtmp:// URL it publishes to.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "rtmp/status.h"

namespace sg::tools {

struct RtmpUrl {
  std::string host;  // as written, without the brackets of an IPv6 literal
  uint16_t port = 1935;
  std::string app;          // everything between the authority and the last '/'
  std::string stream_name;  // after the last '/'
  std::string tc_url;       // rtmp://host:port/app
};

struct PushOptions {
  std::string file;
  RtmpUrl url;
  bool realtime = true;
  uint64_t ts_offset = 0;
  uint32_t chunk_size = 4096;
  std::optional<uint64_t> stall_after;  // media ms
  std::optional<uint64_t> stall_for;    // wall ms
  std::optional<uint64_t> garbage_after;
  std::optional<uint64_t> duration;
  uint64_t loops = 1;
  // Local address the socket is bound to before connect (e.g. 127.0.0.2, to appear as another
  // client address); empty: the kernel chooses.
  std::string source_address;
};

// Reason id tools.usage, with a sentence saying what is wrong.
Result<RtmpUrl> parse_rtmp_url(const std::string& url);
Result<PushOptions> parse_push_options(int argc, char** argv);
extern const char* const kPushUsage;

}  // namespace sg::tools
