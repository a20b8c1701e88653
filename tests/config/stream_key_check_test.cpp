#include "config/stream_key_check.h"

#include <gtest/gtest.h>

namespace sg::config {
namespace {

constexpr std::string_view kGood =
    "rt_123456789012_us-west-2_AbCdEfGh1234_abcd1234efgh5678ijkl9012MNOP34";

TEST(StreamKeyCheck, AcceptsTheDocumentedExample) {
  EXPECT_EQ(stream_key_problem(kGood, "123456789012", "us-west-2"), std::nullopt);
  EXPECT_EQ(stream_key_id(kGood), "AbCdEfGh1234");
}

TEST(StreamKeyCheck, ProblemsNeverQuoteTheKey) {
  for (std::string_view key :
       {std::string_view(""), std::string_view("rt_"), std::string_view("rt_1_2_3"),
        std::string_view("rt_123456789012_us-west-2_AbCdEfGh1234_short"),
        std::string_view("rt_123456789012_us-west-2_AbCdEfGh12345_abcd1234efgh5678ijkl9012"),
        kGood}) {
    SCOPED_TRACE(std::string(key));
    const auto problem = stream_key_problem(key, "123456789012", "eu-west-1");
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->find("abcd1234"), std::string::npos);
    EXPECT_EQ(problem->find("short"), std::string::npos);
  }
}

TEST(StreamKeyCheck, MaskKeepsOnlyThePublicParts) {
  EXPECT_EQ(mask_stream_key(kGood), "rt_123456789012_us-west-2_AbCdEfGh1234_****");
  EXPECT_EQ(mask_stream_key("garbage-secret"), "****");
  EXPECT_EQ(mask_stream_key(""), "");
}

}  // namespace
}  // namespace sg::config
