// "did you mean ...?" for misspelt keys and enum values.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sg::config {

// The candidate closest to `word` by edit distance (a transposition counts as one edit, case is
// ignored), if it is close enough to be a plausible typo rather than a different word.
std::optional<std::string> closest_match(std::string_view word,
                                         std::span<const std::string_view> candidates);

}  // namespace sg::config
