#include "gateway/stream_key.h"

#include <openssl/crypto.h>

#include "gateway/random.h"

namespace sg::gw {

std::optional<StreamKeyParts> parse_stream_key(std::string_view key) {
  std::string_view parts[5];
  size_t start = 0;
  for (int i = 0; i < 4; ++i) {
    size_t us = key.find('_', start);
    if (us == std::string_view::npos) return std::nullopt;
    parts[i] = key.substr(start, us - start);
    start = us + 1;
  }
  parts[4] = key.substr(start);
  if (parts[0] != "rt") return std::nullopt;
  for (int i = 1; i < 5; ++i)
    if (parts[i].empty()) return std::nullopt;
  return StreamKeyParts{parts[1], parts[2], parts[3], parts[4]};
}

std::string generate_stream_key(std::string_view account_id, std::string_view region,
                                std::string_view configuration_id) {
  std::string key = "rt_";
  key.append(account_id).append("_").append(region).append("_").append(configuration_id);
  key.append("_").append(random_alnum(32));
  return key;
}

bool secrets_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace sg::gw
