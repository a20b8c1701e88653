// Stream keys in the IVS format: rt_<accountId>_<region>_<ingestConfigurationId>_<secret>.
// The secret carries at least 128 bits from the CSPRNG (32 base62 characters = 190 bits) and is
// compared in constant time. Only the configuration id may ever be logged.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sg::gw {

struct StreamKeyParts {
  std::string_view account_id;
  std::string_view region;
  std::string_view configuration_id;
  std::string_view secret;
};

// Splits on the first four '_' (the secret may contain '_'). nullopt when the shape is wrong.
std::optional<StreamKeyParts> parse_stream_key(std::string_view key);

// A fresh key for `configuration_id`.
std::string generate_stream_key(std::string_view account_id, std::string_view region,
                                std::string_view configuration_id);

// Constant-time equality of two secrets (the length is not secret).
bool secrets_equal(std::string_view a, std::string_view b);

}  // namespace sg::gw
