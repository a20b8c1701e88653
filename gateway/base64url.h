// Base64url without padding (RFC 4648 section 5), for page tokens and participant tokens.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sg::gw {

std::string base64url_encode(std::string_view in);
// nullopt for anything that is not unpadded base64url.
std::optional<std::string> base64url_decode(std::string_view in);

}  // namespace sg::gw
