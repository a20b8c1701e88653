// YAML -> validated Config (SPEC 9). The loader is the only place that sees YAML; everything
// else receives the frozen Config by const reference.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/duration.h"
#include "config/endpoint.h"

namespace sg::config {

struct LoadResult {
  std::optional<Config> config;     // set exactly when errors is empty
  std::vector<std::string> errors;  // "FILE:LINE:COLUMN: message", 1-based, in file order
};

// Reads and validates a file. A file that cannot be read gives one error naming it.
// Relative paths inside (state.path, listeners.rtmps.certificate / private_key) are resolved
// against the file's directory.
LoadResult load_file(const std::string& path);

// Validates YAML text; `source_name` is used in messages and as Config::source, and its directory
// (if any) resolves relative paths as for load_file. Never throws.
LoadResult load_string(std::string_view yaml, std::string source_name);

// The configuration without any file: the documented defaults (relative paths stay relative to
// the current directory).
LoadResult defaults();

// A multi-line human summary for --check-config. Secrets (API secret access keys, stream key
// secrets, the path of a relay URL) are masked.
std::string describe(const Config& config);

}  // namespace sg::config
