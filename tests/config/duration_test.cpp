#include "config/duration.h"

#include <gtest/gtest.h>

#include <optional>

namespace sg::config {
namespace {

using std::chrono::milliseconds;

TEST(ParseDuration, AcceptedForms) {
  const struct {
    std::string_view text;
    int64_t ms;
  } table[] = {
      {"24h", 86'400'000},      {"90m", 5'400'000}, {"1500ms", 1500}, {"2s", 2000},
      {"1h30m", 5'400'000},     {"0", 0},           {"45", 45'000},   {"0ms", 0},
      {"1h1m1s1ms", 3'661'001}, {"2m30s", 150'000}, {"007s", 7000},   {"1h500ms", 3'600'500},
  };
  for (const auto& row : table) {
    SCOPED_TRACE(std::string(row.text));
    EXPECT_EQ(parse_duration(row.text), milliseconds{row.ms});
  }
}

TEST(ParseDuration, RefusedForms) {
  for (std::string_view text :
       std::initializer_list<std::string_view>{"",
                                               "h",
                                               "-1s",
                                               "+1s",
                                               "1.5s",
                                               "1 s",
                                               " 1s",
                                               "1s ",
                                               "1d",
                                               "1sec",
                                               "30m1h",
                                               "1m1m",
                                               "1ms1s",
                                               "1h30",
                                               "s1",
                                               "1H",
                                               "1hh",
                                               "99999999999999999999s",
                                               "9223372036854775807h",
                                               std::string_view("1\0s", 3)}) {
    SCOPED_TRACE(std::string(text));
    EXPECT_EQ(parse_duration(text), std::nullopt);
  }
}

TEST(FormatDuration, ReadsBackToTheSameValue) {
  const struct {
    int64_t ms;
    std::string_view text;
  } table[] = {
      {0, "0s"},           {1500, "1500ms"},      {2000, "2s"}, {5'400'000, "1h30m"},
      {86'400'000, "24h"}, {3'661'000, "1h1m1s"}, {1, "1ms"},   {4294967295, "4294967295ms"}};
  for (const auto& row : table) {
    SCOPED_TRACE(std::string(row.text));
    EXPECT_EQ(format_duration(milliseconds{row.ms}), row.text);
    EXPECT_EQ(parse_duration(row.text), milliseconds{row.ms});
  }
}

}  // namespace
}  // namespace sg::config
