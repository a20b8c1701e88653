// Participant tokens: JWTs (HS256) signed with a key the gateway keeps in its store, carrying the
// stage, the participant id, userId, attributes, capabilities and an expiry, as
// CreateParticipantToken returns them. Local-stage playback checks them (SUBSCRIBE capability for
// the same stage).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "gateway/model.h"

namespace sg::gw {

struct TokenClaims {
  std::string stage_arn;
  std::string participant_id;
  std::string user_id;
  StringMap attributes;
  std::vector<std::string> capabilities;  // PUBLISH, SUBSCRIBE
  Millis issued_at = 0;
  Millis expires_at = 0;
  bool can(std::string_view capability) const;
};

// Signs `claims` with `key` (raw bytes).
std::string sign_participant_token(const TokenClaims& claims, const std::string& key);
// Verifies signature and expiry at `now`; nullopt for any token that is not valid. Never throws.
std::optional<TokenClaims> verify_participant_token(std::string_view token, const std::string& key,
                                                    Millis now);

}  // namespace sg::gw
