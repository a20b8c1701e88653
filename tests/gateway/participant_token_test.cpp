#include "gateway/participant_token.h"

#include <gtest/gtest.h>

#include "gateway/base64url.h"

namespace sg::gw {
namespace {

TokenClaims claims() {
  TokenClaims c;
  c.stage_arn = "arn:aws:ivs:us-east-1:123456789012:stage/AbCdEfGh1234";
  c.participant_id = "Pp1234567890";
  c.user_id = "viewer";
  c.attributes = {{"seat", "12"}};
  c.capabilities = {"SUBSCRIBE"};
  c.issued_at = 1'700'000'000'000;
  c.expires_at = c.issued_at + 60'000;
  return c;
}

TEST(ParticipantToken, RoundTripsItsClaims) {
  auto token = sign_participant_token(claims(), "key-1");
  auto back = verify_participant_token(token, "key-1", claims().issued_at + 1);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->stage_arn, claims().stage_arn);
  EXPECT_EQ(back->participant_id, "Pp1234567890");
  EXPECT_EQ(back->user_id, "viewer");
  EXPECT_TRUE(back->can("SUBSCRIBE"));
  EXPECT_FALSE(back->can("PUBLISH"));
  EXPECT_EQ(back->expires_at, claims().expires_at);
}

TEST(ParticipantToken, RefusesExpiredForgedAndMalformedTokens) {
  auto token = sign_participant_token(claims(), "key-1");
  EXPECT_FALSE(verify_participant_token(token, "key-1", claims().expires_at));
  EXPECT_FALSE(verify_participant_token(token, "key-2", claims().issued_at));
  for (size_t i = 0; i < token.size(); i += 7) {
    std::string t = token;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(verify_participant_token(t, "key-1", claims().issued_at)) << i;
  }
  for (std::string bad :
       std::vector<std::string>{"", ".", "..", "a.b.c", token.substr(0, token.rfind('.'))})
    EXPECT_FALSE(verify_participant_token(bad, "key-1", claims().issued_at)) << bad;
}

TEST(Base64Url, GoldenBothWays) {
  const std::pair<std::string, std::string> table[] = {
      {"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"\xfb\xff", "-_8"}};
  for (const auto& [raw, enc] : table) {
    EXPECT_EQ(base64url_encode(raw), enc);
    EXPECT_EQ(base64url_decode(enc), raw);
  }
  EXPECT_FALSE(base64url_decode("Zg=="));  // padding is not base64url here
  EXPECT_FALSE(base64url_decode("+/8"));
  EXPECT_FALSE(base64url_decode("Z"));
}

}  // namespace
}  // namespace sg::gw
