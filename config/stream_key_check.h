// Checks an operator-supplied stream key from the YAML file (SPEC 4):
// rt_<accountId>_<region>_<ingestConfigurationId>_<secret>. The gateway has its own parser for
// keys arriving on the wire; this one explains what is wrong so the operator can fix the file.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sg::config {

// Minimum secret length: 22 base62 characters carry 128 bits (62^22 > 2^128).
inline constexpr size_t kMinStreamKeySecret = 22;

// nullopt when the key is well formed and belongs to this gateway's account and region, otherwise
// which part is wrong. The message never quotes the key or any part of it.
std::optional<std::string> stream_key_problem(std::string_view key, std::string_view account_id,
                                              std::string_view region);

// The ingest configuration id inside a key (the fourth field), or empty when malformed.
std::string_view stream_key_id(std::string_view key);

// The key with its secret replaced by '*', for --check-config summaries.
std::string mask_stream_key(std::string_view key);

}  // namespace sg::config
