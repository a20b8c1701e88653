#include "config/loader.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "config/errors.h"
#include "config/map_reader.h"
#include "config/sections.h"

namespace sg::config {
namespace {

// Far above any real configuration; stops a wrong path (a disk image, /dev/zero) early.
constexpr size_t kMaxFileBytes = 4 * 1024 * 1024;

// yaml-cpp appends the offending text to a few messages ("unknown escape character: x"); that
// text may be part of a secret, so only the fixed part is kept.
std::string safe_parser_message(const std::string& msg) {
  for (std::string_view prefix :
       {"unknown escape character", "invalid unicode", "bad YAML version"}) {
    if (msg.starts_with(prefix)) return std::string(prefix);
  }
  return msg;
}

// Notes where each document starts and ignores everything else.
class DocumentStarts : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { last_start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  YAML::Mark last_start;
};

// Where a second document starts, if there is one. yaml-cpp 0.7's LoadAll() can loop forever,
// allocating, on some malformed input (it keeps returning empty documents; fixed upstream in
// jbeder/yaml-cpp#1319), so the document after the first is looked at, never more.
std::optional<YAML::Mark> second_document(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts starts;
  if (!parser.HandleNextDocument(starts) || !parser.HandleNextDocument(starts)) {
    return std::nullopt;
  }
  return starts.last_start;
}

void read_config(const YAML::Node& root, const std::string& base_dir, Config& cfg,
                 ErrorList& errors) {
  static constexpr std::array<std::string_view, 11> kKeys{
      "gateway", "listeners",      "state",    "storage",  "api",   "media",
      "limits",  "stage_endpoint", "playback", "sessions", "stages"};
  MapReader top(root, "", kKeys, errors);
  // Order matters only where a later section is checked against an earlier one: api against its
  // listener, declared stream keys against the gateway's account and region, stages against limits.
  read_gateway(top, cfg.gateway);
  read_listeners(top, base_dir, cfg);
  read_state(top, base_dir, cfg.state);
  read_storage(top, base_dir, cfg.storage);
  read_api(top, cfg.api_listener, cfg.api);
  read_media(top, cfg.media);
  read_limits(top, cfg.limits);
  read_stage_endpoint(top, base_dir, cfg.stage_endpoint);
  read_playback(top, cfg.playback);
  read_sessions(top, cfg.sessions);
  read_stages(top, cfg.gateway, cfg.limits, cfg.stages);
}

}  // namespace

LoadResult load_string(std::string_view yaml, std::string source_name) {
  ErrorList errors(source_name);
  LoadResult result;
  Config cfg;
  cfg.source = source_name;
  const std::string base_dir = std::filesystem::path(source_name).parent_path().string();
  // yaml-cpp reports problems by throwing; this is start-up code, and the exceptions stop here.
  try {
    const std::string text(yaml);
    const YAML::Node root = YAML::Load(text);
    if (const auto second = second_document(text)) {
      report(errors, *second, "only one YAML document is allowed; remove the second '---'");
    }
    read_config(root, base_dir, cfg, errors);
  } catch (const YAML::Exception& e) {
    report(errors, e.mark, safe_parser_message(e.msg));
  } catch (const std::exception& e) {
    errors.add(1, 1, std::string("cannot read the configuration: ") + e.what());
  }
  result.errors = errors.formatted();
  if (result.errors.empty()) result.config = std::move(cfg);
  return result;
}

LoadResult load_file(const std::string& path) {
  LoadResult failed;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    failed.errors.push_back(path + ": cannot read configuration file: it is a directory");
    return failed;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    failed.errors.push_back(path + ": cannot read configuration file: " + std::strerror(errno));
    return failed;
  }
  // Read in pieces so that a wrong path such as /dev/zero stops at the size limit.
  std::string text;
  std::array<char, 64 * 1024> buffer;
  while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
    text.append(buffer.data(), static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxFileBytes) {
      failed.errors.push_back(path + ": cannot read configuration file: larger than 4 MiB");
      return failed;
    }
  }
  if (in.bad()) {
    failed.errors.push_back(path + ": cannot read configuration file: read error");
    return failed;
  }
  return load_string(text, path);
}

LoadResult defaults() {
  LoadResult result;
  result.config = Config{};
  return result;
}

}  // namespace sg::config
