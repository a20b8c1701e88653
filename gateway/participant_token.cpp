#include "gateway/participant_token.h"

#include "gateway/base64url.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace sg::gw {
namespace {

using nlohmann::json;

std::string hmac_sha256(const std::string& key, std::string_view data) {
  unsigned char mac[32];
  unsigned int len = sizeof mac;
  HMAC(EVP_sha256(), key.data(), int(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return std::string(reinterpret_cast<char*>(mac), len);
}

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

}  // namespace

bool TokenClaims::can(std::string_view capability) const {
  return std::find(capabilities.begin(), capabilities.end(), capability) != capabilities.end();
}

std::string sign_participant_token(const TokenClaims& c, const std::string& key) {
  json payload = {{"resource", c.stage_arn},
                  {"jti", c.participant_id},
                  {"user_id", c.user_id},
                  {"attributes", c.attributes},
                  {"capabilities",
                   {{"allow_publish", c.can("PUBLISH")}, {"allow_subscribe", c.can("SUBSCRIBE")}}},
                  {"iat", c.issued_at / 1000},
                  {"exp", c.expires_at / 1000},
                  {"version", "1.0"}};
  std::string signing_input = base64url_encode(kHeader) + "." + base64url_encode(payload.dump());
  return signing_input + "." + base64url_encode(hmac_sha256(key, signing_input));
}

std::optional<TokenClaims> verify_participant_token(std::string_view token, const std::string& key,
                                                    Millis now) {
  auto dot1 = token.find('.');
  auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.size() > 8192) return std::nullopt;
  auto header = base64url_decode(token.substr(0, dot1));
  auto payload = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto sig = base64url_decode(token.substr(dot2 + 1));
  if (!header || !payload || !sig || *header != kHeader) return std::nullopt;
  std::string expected = hmac_sha256(key, token.substr(0, dot2));
  if (sig->size() != expected.size() ||
      CRYPTO_memcmp(sig->data(), expected.data(), expected.size()) != 0)
    return std::nullopt;
  auto j = json::parse(*payload, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j["exp"].is_number_integer() || !j["resource"].is_string() ||
      !j["jti"].is_string() || !j["capabilities"].is_object())
    return std::nullopt;
  TokenClaims c;
  c.stage_arn = j["resource"].get<std::string>();
  c.participant_id = j["jti"].get<std::string>();
  c.user_id = j.value("user_id", "");
  c.expires_at = j["exp"].get<int64_t>() * 1000;
  c.issued_at = j.value("iat", int64_t{0}) * 1000;
  if (j["capabilities"].value("allow_publish", false)) c.capabilities.push_back("PUBLISH");
  if (j["capabilities"].value("allow_subscribe", false)) c.capabilities.push_back("SUBSCRIBE");
  if (now >= c.expires_at) return std::nullopt;
  return c;
}

}  // namespace sg::gw
