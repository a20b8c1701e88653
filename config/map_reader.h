// Reads one YAML mapping against a fixed list of keys and converts its values, reporting every
// problem (unknown or duplicate key, wrong type, out-of-range value) with the line and column of
// the offending node. Nothing here throws: yaml-cpp's exceptions end at the loader.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/errors.h"

namespace sg::config {

using KeyList = std::span<const std::string_view>;

class MapReader {
 public:
  // `node` may be absent (an undefined or null node), which reads as an empty mapping; `where` is
  // then the position used for "missing key" messages (the parent key). `path` names the mapping
  // in messages ("listeners.rtmp", "stages[0]", "" for the top level).
  MapReader(const YAML::Node& node, std::string path, KeyList known_keys, ErrorList& errors,
            YAML::Mark where = YAML::Mark());

  const std::string& path() const { return path_; }
  std::string key_path(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }
  const YAML::Node* value(std::string_view key) const;

  // Problems that involve more than one value, reported at a value or at the mapping itself.
  void error_at(std::string_view key, std::string message);
  void error_here(std::string message);
  void error(const YAML::Node& at, std::string message);

  // Typed reads. Each returns true when the key is present and its value was stored; otherwise
  // `out` keeps its default, and a present but bad value has been reported.
  bool read_string(std::string_view key, std::string& out);
  // Like read_string, but the value never appears in a message.
  bool read_secret(std::string_view key, std::string& out);
  bool read_bool(std::string_view key, bool& out);
  bool read_u32(std::string_view key, uint32_t& out, uint32_t min, uint32_t max);
  bool read_double(std::string_view key, double& out, double min, double max);
  bool read_duration(std::string_view key, std::chrono::milliseconds& out,
                     std::chrono::milliseconds min, std::chrono::milliseconds max);
  // A duration stored as a uint32_t number of milliseconds (the *_ms fields of Config).
  bool read_duration_ms(std::string_view key, uint32_t& out, uint32_t min_ms, uint32_t max_ms);
  bool read_enum(std::string_view key, std::string& out, KeyList allowed);
  // A non-empty list of enum values; duplicates are refused because they always mean a typo.
  bool read_enum_list(std::string_view key, std::vector<std::string>& out, KeyList allowed);
  bool read_u32_list(std::string_view key, std::vector<uint32_t>& out, uint32_t min, uint32_t max);
  bool read_endpoint(std::string_view key, Endpoint& out);

  // The mapping under `key` (empty when absent or null; reported when it is not a mapping).
  MapReader child(std::string_view key, KeyList known_keys);

  // Calls fn(item, item_path) for every element of the list under `key` (absent or null = empty).
  void for_each_item(std::string_view key,
                     const std::function<void(const YAML::Node&, const std::string&)>& fn);

  ErrorList& errors() { return *errors_; }

 private:
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
  };
  const Entry* find(std::string_view key) const;
  // The scalar text of the value under `key`, or nullopt (reported) when it is not a scalar.
  std::optional<std::string> scalar(const Entry& e, std::string_view expected);

  std::string path_;
  YAML::Mark mark_;
  ErrorList* errors_;
  std::vector<Entry> entries_;  // first occurrence of every key, in file order
};

// Where a node sits in the file (1-based), or 1:1 for a node without a position.
void report(ErrorList& errors, const YAML::Mark& mark, std::string message);

// A value made safe for a one-line message: control characters replaced, long values cut short.
std::string quote_value(std::string_view value);

// "a mapping", "a list", "a string", "nothing" — for "must be X, not Y" messages.
std::string_view describe_kind(const YAML::Node& node);

}  // namespace sg::config
