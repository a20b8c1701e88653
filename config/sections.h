// One reader per top-level section of the YAML file (SPEC 9). Each fills its part of Config from
// the top-level mapping and reports problems to the reader's ErrorList; values that fail keep
// their defaults so later checks still run and every problem is reported in one pass.
#pragma once

#include <string>

#include "config/config.h"
#include "config/map_reader.h"

namespace sg::config {

// `base_dir` is the directory of the YAML file; relative paths in the file are resolved against it.
void read_gateway(MapReader& top, Gateway& out);
void read_listeners(MapReader& top, const std::string& base_dir, Config& out);
void read_state(MapReader& top, const std::string& base_dir, State& out);
void read_api(MapReader& top, const ApiListener& listener, Api& out);
void read_media(MapReader& top, Media& out);
void read_limits(MapReader& top, Limits& out);
void read_stage_endpoint(MapReader& top, const std::string& base_dir, StageEndpoint& out);
void read_storage(MapReader& top, const std::string& base_dir, Storage& out);
void read_playback(MapReader& top, Playback& out);
void read_sessions(MapReader& top, Sessions& out);
void read_stages(MapReader& top, const Gateway& gateway, const Limits& limits,
                 std::vector<DeclaredStage>& out);

// `path` joined to `base_dir` unless it is absolute, empty or SQLite's ":memory:".
std::string resolve_path(const std::string& base_dir, const std::string& path);

}  // namespace sg::config
