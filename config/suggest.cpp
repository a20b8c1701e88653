#include "config/suggest.h"

#include <algorithm>
#include <vector>

namespace sg::config {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Optimal string alignment distance: Levenshtein plus adjacent transpositions ("pubilc").
size_t edit_distance(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  const size_t m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

}  // namespace

std::optional<std::string> closest_match(std::string_view word,
                                         std::span<const std::string_view> candidates) {
  // Keys are short; a long unknown word is not a typo of one, and the quadratic table stays small.
  if (word.size() > 64) return std::nullopt;
  std::optional<std::string> best;
  size_t best_distance = 0;
  for (std::string_view candidate : candidates) {
    size_t distance = edit_distance(word, candidate);
    // Up to a third of the candidate may be wrong (at least two edits) but less than half of it,
    // so "id" is not offered "kind". A word that merely extends a candidate ("warning" for "warn")
    // is a near miss too.
    const size_t allowed = std::max<size_t>(2, candidate.size() / 3);
    const bool prefix = candidate.size() >= 3 && word.size() >= 3 &&
                        (word.starts_with(candidate) || candidate.starts_with(word));
    if (prefix) {
      distance = std::min(distance, allowed);
    } else if (distance > allowed || distance * 2 >= candidate.size()) {
      continue;
    }
    if (!best || distance < best_distance) {
      best = std::string(candidate);
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace sg::config
