// Stream key parsing, generation and constant-time comparison (SPEC section 4).
#include "gateway/stream_key.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>

namespace sg::gw {
namespace {

struct ParseCase {
  const char* key;
  bool ok;
  const char* account = "";
  const char* region = "";
  const char* config = "";
  const char* secret = "";
};

// Table of keys -> parts (or refusal), in the IVS shape rt_<account>_<region>_<config>_<secret>.
const ParseCase kParseCases[] = {
    {"rt_123456789012_us-east-1_AbCdEf123456_s3cr3tS3cr3t", true, "123456789012", "us-east-1",
     "AbCdEf123456", "s3cr3tS3cr3t"},
    // The secret may contain '_': only the first four separators split.
    {"rt_1_eu-west-1_cfg_sec_ret__x", true, "1", "eu-west-1", "cfg", "sec_ret__x"},
    {"rt_a_b_c_d", true, "a", "b", "c", "d"},
    // Missing parts.
    {"", false},
    {"rt", false},
    {"rt_", false},
    {"rt_1_us-east-1_cfg", false},
    {"rt_1_us-east-1", false},
    // Empty parts.
    {"rt__us-east-1_cfg_secret", false},
    {"rt_1__cfg_secret", false},
    {"rt_1_us-east-1__secret", false},
    {"rt_1_us-east-1_cfg_", false},
    {"rt____", false},
    // Wrong prefix.
    {"sk_1_us-east-1_cfg_secret", false},
    {"RT_1_us-east-1_cfg_secret", false},
    {"xrt_1_us-east-1_cfg_secret", false},
    {"_rt_1_us-east-1_cfg_secret", false},
};

TEST(StreamKeyTest, ParseTable) {
  for (const auto& c : kParseCases) {
    SCOPED_TRACE(c.key);
    auto p = parse_stream_key(c.key);
    ASSERT_EQ(p.has_value(), c.ok);
    if (!c.ok) continue;
    EXPECT_EQ(p->account_id, c.account);
    EXPECT_EQ(p->region, c.region);
    EXPECT_EQ(p->configuration_id, c.config);
    EXPECT_EQ(p->secret, c.secret);
  }
}

TEST(StreamKeyTest, ParsedPartsAreViewsIntoTheKey) {
  std::string key = "rt_1_r_c_s";
  auto p = parse_stream_key(key);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->secret.data(), key.data() + 9);
}

TEST(StreamKeyTest, GenerateHasTheIvsFormatAnd32AlnumSecret) {
  std::string key = generate_stream_key("123456789012", "us-east-1", "AbCdEf123456");
  const std::string prefix = "rt_123456789012_us-east-1_AbCdEf123456_";
  ASSERT_EQ(key.rfind(prefix, 0), 0u) << key;
  std::string secret = key.substr(prefix.size());
  EXPECT_EQ(secret.size(), 32u);
  EXPECT_TRUE(std::all_of(secret.begin(), secret.end(), [](unsigned char ch) {
    return std::isalnum(ch) != 0;
  })) << secret;
  auto p = parse_stream_key(key);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->account_id, "123456789012");
  EXPECT_EQ(p->region, "us-east-1");
  EXPECT_EQ(p->configuration_id, "AbCdEf123456");
  EXPECT_EQ(p->secret, secret);
}

TEST(StreamKeyTest, TwoGeneratedKeysDiffer) {
  std::string a = generate_stream_key("1", "r", "c");
  std::string b = generate_stream_key("1", "r", "c");
  EXPECT_NE(a, b);
  EXPECT_NE(parse_stream_key(a)->secret, parse_stream_key(b)->secret);
}

TEST(StreamKeyTest, SecretsEqual) {
  EXPECT_TRUE(secrets_equal("abcDEF123", "abcDEF123"));
  EXPECT_TRUE(secrets_equal("", ""));
  EXPECT_FALSE(secrets_equal("abcDEF123", "abcDEF124"));
  EXPECT_FALSE(secrets_equal("Xbc", "abc"));
  EXPECT_FALSE(secrets_equal("abc", "abC"));
  // Different lengths, including a prefix of the other.
  EXPECT_FALSE(secrets_equal("abc", "abcd"));
  EXPECT_FALSE(secrets_equal("abcd", "abc"));
  EXPECT_FALSE(secrets_equal("", "a"));
}

}  // namespace
}  // namespace sg::gw
