#include "config/stream_key_check.h"

#include <algorithm>
#include <array>

namespace sg::config {
namespace {

bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// rt, account, region, id, secret; false when there are fewer than four '_' separators.
bool split(std::string_view key, std::array<std::string_view, 5>& parts) {
  size_t start = 0;
  for (size_t i = 0; i < 4; ++i) {
    const size_t sep = key.find('_', start);
    if (sep == std::string_view::npos) return false;
    parts[i] = key.substr(start, sep - start);
    start = sep + 1;
  }
  parts[4] = key.substr(start);  // the secret may itself contain '_'
  return true;
}

}  // namespace

std::optional<std::string> stream_key_problem(std::string_view key, std::string_view account_id,
                                              std::string_view region) {
  std::array<std::string_view, 5> p;
  if (!key.starts_with("rt_")) return "'stream_key' must start with 'rt_'";
  if (!split(key, p)) {
    return "'stream_key' must have the form rt_<account_id>_<region>_<id>_<secret>";
  }
  if (p[1] != account_id) {
    return "the account id in 'stream_key' does not match gateway.account_id";
  }
  if (p[2] != region) return "the region in 'stream_key' does not match gateway.region";
  if (p[3].size() != 12 || !std::all_of(p[3].begin(), p[3].end(), is_alnum)) {
    return "the id in 'stream_key' must be 12 letters or digits";
  }
  if (p[4].size() < kMinStreamKeySecret) {
    return "the secret in 'stream_key' must be at least " + std::to_string(kMinStreamKeySecret) +
           " characters (128 bits in base62)";
  }
  // The key travels as the last segment of an RTMP URL and in JSON, so keep it to URL-safe text.
  if (!std::all_of(p[4].begin(), p[4].end(),
                   [](char c) { return is_alnum(c) || c == '-' || c == '_'; })) {
    return "the secret in 'stream_key' may contain only letters, digits, '-' and '_'";
  }
  return std::nullopt;
}

std::string_view stream_key_id(std::string_view key) {
  std::array<std::string_view, 5> p;
  if (!key.starts_with("rt_") || !split(key, p)) return {};
  return p[3];
}

std::string mask_stream_key(std::string_view key) {
  std::array<std::string_view, 5> p;
  if (!key.starts_with("rt_") || !split(key, p)) return std::string(key.empty() ? "" : "****");
  return "rt_" + std::string(p[1]) + "_" + std::string(p[2]) + "_" + std::string(p[3]) + "_****";
}

}  // namespace sg::config
