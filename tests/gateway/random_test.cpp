// CSPRNG-backed identifiers: alphabet, length and the IVS id shapes.
#include "gateway/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace sg::gw {
namespace {

bool is_base62(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

TEST(RandomTest, AlnumHasTheRequestedLength) {
  for (size_t n : {0u, 1u, 12u, 32u, 63u, 64u, 65u, 1000u}) {
    EXPECT_EQ(random_alnum(n).size(), n) << n;
  }
}

TEST(RandomTest, AlnumUsesTheWholeBase62AlphabetAndNothingElse) {
  // 20000 characters: each of the 62 symbols is missing with probability ~(61/62)^20000 ~ 0.
  std::string s = random_alnum(20000);
  EXPECT_TRUE(is_base62(s));
  std::set<char> seen(s.begin(), s.end());
  EXPECT_EQ(seen.size(), 62u);
}

TEST(RandomTest, AlnumIsRoughlyUniform) {
  // A bias such as b % 62 without rejection favours the first symbols by ~25%; with 62000 draws
  // each count is ~1000 +- 32 (1 sigma); [800, 1200] is > 6 sigma.
  std::string s = random_alnum(62000);
  std::map<char, int> counts;
  for (char c : s) counts[c]++;
  for (const auto& [c, n] : counts) {
    EXPECT_GT(n, 800) << c;
    EXPECT_LT(n, 1200) << c;
  }
}

TEST(RandomTest, ResourceIdIs12Alnum) {
  std::string id = new_resource_id();
  EXPECT_EQ(id.size(), 12u);
  EXPECT_TRUE(is_base62(id)) << id;
  EXPECT_NE(new_resource_id(), new_resource_id());
}

TEST(RandomTest, SessionIdIsStDash13Alnum) {
  std::string id = new_session_id();
  ASSERT_EQ(id.size(), 16u) << id;
  EXPECT_EQ(id.substr(0, 3), "st-");
  EXPECT_TRUE(is_base62(id.substr(3))) << id;
  EXPECT_NE(new_session_id(), new_session_id());
}

TEST(RandomTest, RandomBytesFillsTheBuffer) {
  // 256 zero bytes staying all zero has probability 2^-2048.
  uint8_t buf[256] = {};
  random_bytes(buf, sizeof buf);
  EXPECT_TRUE(std::any_of(std::begin(buf), std::end(buf), [](uint8_t b) { return b != 0; }));
}

}  // namespace
}  // namespace sg::gw
