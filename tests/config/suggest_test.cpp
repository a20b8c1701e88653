#include "config/suggest.h"

#include <gtest/gtest.h>

#include <array>

namespace sg::config {
namespace {

constexpr std::array<std::string_view, 5> kKeys{"region", "account_id", "public_host", "log_format",
                                                "log_level"};

TEST(ClosestMatch, SuggestsTyposOnly) {
  EXPECT_EQ(closest_match("pubic_host", kKeys), "public_host");
  EXPECT_EQ(closest_match("pubilc_host", kKeys), "public_host");  // transposition
  EXPECT_EQ(closest_match("Region", kKeys), "region");            // case
  EXPECT_EQ(closest_match("acount_id", kKeys), "account_id");
  EXPECT_EQ(closest_match("log_levels", kKeys), "log_level");
  EXPECT_EQ(closest_match("log_formt", kKeys), "log_format");
  EXPECT_EQ(closest_match("colour", kKeys), std::nullopt);
  EXPECT_EQ(closest_match("", kKeys), std::nullopt);
  EXPECT_EQ(closest_match(std::string(100, 'r'), kKeys), std::nullopt);
  // A short candidate is not suggested for a completely different short word.
  constexpr std::array<std::string_view, 2> kShort{"url", "kind"};
  EXPECT_EQ(closest_match("id", kShort), std::nullopt);
  EXPECT_EQ(closest_match("urls", kShort), "url");
}

}  // namespace
}  // namespace sg::config
