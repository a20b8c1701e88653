#include "config/errors.h"

#include <algorithm>

namespace sg::config {

void ErrorList::add(int line, int column, std::string message) {
  entries_.push_back({std::max(line, 1), std::max(column, 1), std::move(message)});
}

std::vector<std::string> ErrorList::formatted() const {
  std::vector<Entry> sorted = entries_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  std::vector<std::string> out;
  out.reserve(sorted.size());
  for (const Entry& e : sorted) {
    out.push_back(source_ + ":" + std::to_string(e.line) + ":" + std::to_string(e.column) + ": " +
                  e.message);
  }
  return out;
}

}  // namespace sg::config
