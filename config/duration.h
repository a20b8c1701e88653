// Durations as operators write them in YAML: "24h", "90m", "1500ms", "2s", "1h30m", or a plain
// integer meaning seconds. Kept separate from the loader so the command line can reuse it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sg::config {

// Units h, m, s, ms, each at most once and from largest to smallest ("1h30m", not "30m1h"), so a
// typo such as "1m1m" is refused instead of silently adding up. nullopt on anything else, including
// negative values, fractions and values that overflow.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// A form that parse_duration reads back to the same value ("1h30m", "1500ms", "0s").
std::string format_duration(std::chrono::milliseconds d);

}  // namespace sg::config
