#include "config/endpoint.h"

#include <gtest/gtest.h>

namespace sg::config {
namespace {

TEST(ParseEndpoint, AcceptedForms) {
  const struct {
    std::string_view text;
    Endpoint expected;
    std::string_view formatted;
  } table[] = {
      {"127.0.0.1:1935", {"127.0.0.1", 1935}, "127.0.0.1:1935"},
      {"[::1]:1935", {"::1", 1935}, "[::1]:1935"},
      {"localhost:0", {"localhost", 0}, "localhost:0"},
      {"0.0.0.0:65535", {"0.0.0.0", 65535}, "0.0.0.0:65535"},
      {"[::]:8080", {"::", 8080}, "[::]:8080"},
      {"[2001:db8::7]:443", {"2001:db8::7", 443}, "[2001:db8::7]:443"},
      {"127.0.0.1:00080", {"127.0.0.1", 80}, "127.0.0.1:80"},
  };
  for (const auto& row : table) {
    SCOPED_TRACE(std::string(row.text));
    const auto e = parse_endpoint(row.text);
    ASSERT_TRUE(e);
    EXPECT_EQ(*e, row.expected);
    EXPECT_EQ(format_endpoint(*e), row.formatted);
  }
}

TEST(ParseEndpoint, RefusedForms) {
  for (std::string_view text :
       std::initializer_list<std::string_view>{"",
                                               "1935",
                                               ":1935",
                                               "127.0.0.1",
                                               "127.0.0.1:",
                                               "127.0.0.1:65536",
                                               "127.0.0.1:-1",
                                               "127.0.0.1:99999999",
                                               "127.0.0.1:1a",
                                               "127.0.0.1: 80",
                                               "::1:1935",
                                               "[::1]",
                                               "[::1]1935",
                                               "[127.0.0.1]:80",
                                               "[::1:80",
                                               "example.com:80",
                                               "256.0.0.1:80",
                                               "127.0.0:80",
                                               "LOCALHOST:80",
                                               std::string_view("127.0.0.1\0x:80", 14)}) {
    SCOPED_TRACE(std::string(text));
    EXPECT_EQ(parse_endpoint(text), std::nullopt);
  }
}

TEST(IsLoopback, OnlyThisMachine) {
  EXPECT_TRUE(is_loopback({"127.0.0.1", 0}));
  EXPECT_TRUE(is_loopback({"127.200.3.4", 0}));
  EXPECT_TRUE(is_loopback({"::1", 0}));
  EXPECT_TRUE(is_loopback({"localhost", 0}));
  EXPECT_FALSE(is_loopback({"0.0.0.0", 0}));
  EXPECT_FALSE(is_loopback({"::", 0}));
  EXPECT_FALSE(is_loopback({"10.0.0.1", 0}));
  EXPECT_FALSE(is_loopback({"128.0.0.1", 0}));
}

}  // namespace
}  // namespace sg::config
