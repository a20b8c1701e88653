// The problems found in one configuration source, each with the line and column an editor shows.
#pragma once

#include <string>
#include <vector>

namespace sg::config {

class ErrorList {
 public:
  explicit ErrorList(std::string source) : source_(std::move(source)) {}

  // line and column are 1-based. Messages must never contain a secret.
  void add(int line, int column, std::string message);

  bool empty() const { return entries_.empty(); }

  // "SOURCE:LINE:COLUMN: message", ordered by position so the list reads top to bottom like the
  // file (problems are found section by section, and unknown keys only at the end of a mapping).
  std::vector<std::string> formatted() const;

 private:
  struct Entry {
    int line;
    int column;
    std::string message;
  };
  std::string source_;
  std::vector<Entry> entries_;
};

}  // namespace sg::config
