// libFuzzer target for the YAML configuration loader (config/loader.h) and the small parsers it
// uses. Invariants: nothing throws or crashes, a Config comes back exactly when there are no
// errors, and every error starts with the source name and a 1-based position.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Configuration files are small; larger inputs only slow the fuzzer down inside yaml-cpp.
  if (size > 64 * 1024) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  sg::config::parse_duration(text);
  if (const auto e = sg::config::parse_endpoint(text)) {
    // format_endpoint must read back to the same endpoint.
    if (sg::config::parse_endpoint(sg::config::format_endpoint(*e)) != e) std::abort();
  }
  if (const auto d = sg::config::parse_duration(text)) {
    if (sg::config::parse_duration(sg::config::format_duration(*d)) != d) std::abort();
  }

  const sg::config::LoadResult r = sg::config::load_string(text, "fuzz/x.yaml");
  if (r.config.has_value() == !r.errors.empty()) std::abort();
  for (const std::string& e : r.errors) {
    if (e.rfind("fuzz/x.yaml:", 0) != 0) std::abort();
    const char* p = e.c_str() + 12;
    char* end = nullptr;
    if (std::strtol(p, &end, 10) < 1 || *end != ':') std::abort();
    if (std::strtol(end + 1, &end, 10) < 1 || *end != ':') std::abort();
  }
  if (r.config) (void)sg::config::describe(*r.config);
  return 0;
}
