#include "config/duration.h"

#include <array>
#include <cstdint>
#include <limits>

namespace sg::config {
namespace {

struct Unit {
  std::string_view suffix;
  int64_t ms;
};

// Ordered from largest to smallest; "ms" must be tried before "m" when matching a suffix.
constexpr std::array<Unit, 4> kUnits{{{"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}}};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t total = 0;
  size_t next_unit = 0;  // index into kUnits of the smallest unit still allowed
  size_t i = 0;
  while (i < text.size()) {
    if (!is_digit(text[i])) return std::nullopt;
    int64_t value = 0;
    while (i < text.size() && is_digit(text[i])) {
      const int digit = text[i] - '0';
      if (value > (kMax - digit) / 10) return std::nullopt;
      value = value * 10 + digit;
      ++i;
    }
    int64_t unit_ms = 0;
    if (i == text.size()) {
      // A bare number is seconds, but only on its own: "1h30" is ambiguous, so refuse it.
      if (next_unit != 0) return std::nullopt;
      unit_ms = 1000;
    } else {
      const std::string_view rest = text.substr(i);
      size_t matched = kUnits.size();
      if (rest.starts_with("ms")) {
        matched = 3;
      } else {
        for (size_t u = 0; u < 3; ++u) {
          if (rest.starts_with(kUnits[u].suffix)) matched = u;
        }
      }
      if (matched == kUnits.size() || matched < next_unit) return std::nullopt;
      unit_ms = kUnits[matched].ms;
      i += kUnits[matched].suffix.size();
      next_unit = matched + 1;
    }
    if (value > kMax / unit_ms) return std::nullopt;
    const int64_t part = value * unit_ms;
    if (total > kMax - part) return std::nullopt;
    total += part;
  }
  return std::chrono::milliseconds{total};
}

std::string format_duration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  if (ms % 1000 != 0)
    return out + std::to_string(ms) + "ms";  // "1500ms" reads better than "1s500ms"
  for (const Unit& unit : kUnits) {
    if (ms >= unit.ms) {
      out += std::to_string(ms / unit.ms);
      out += unit.suffix;
      ms %= unit.ms;
    }
  }
  return out;
}

}  // namespace sg::config
