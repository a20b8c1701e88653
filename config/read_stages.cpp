// stages: resources declared in the file and created at start-up when missing (SPEC 9), with the
// same constraints the control API applies to them (reference/ivs-realtime.md 2.1).
#include <algorithm>
#include <array>
#include <map>

#include "config/sections.h"
#include "config/stream_key_check.h"

namespace sg::config {
namespace {

constexpr size_t kMaxAttributeBytes = 1024;

bool is_name_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
         c == '_';
}

// Counts code points, as the API's length limits do, not bytes.
size_t utf8_length(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Stages and configurations are matched by name at start-up, so unlike in the API the name is
// required here.
bool read_name(MapReader& m, const std::string& what, std::string& out) {
  if (!m.has("name")) {
    m.error_here("'" + m.path() + "' needs a 'name' (it is how " + what +
                 " is matched at start-up)");
    return false;
  }
  std::string name;
  if (!m.read_string("name", name)) return false;
  if (name.empty() || name.size() > 128 || !std::all_of(name.begin(), name.end(), is_name_char)) {
    m.error_at("name", "'" + m.key_path("name") +
                           "' must be 1 to 128 letters, digits, '-' or '_', not " +
                           quote_value(name));
    return false;
  }
  out = std::move(name);
  return true;
}

void read_attributes(MapReader& m, DeclaredIngestConfiguration& out) {
  const YAML::Node* node = m.value("attributes");
  if (!node || node->IsNull()) return;
  const std::string path = m.key_path("attributes");
  if (!node->IsMap()) {
    m.error(*node, "'" + path + "' must be a mapping of names to strings, not " +
                       std::string(describe_kind(*node)));
    return;
  }
  size_t total = 0;
  for (auto it = node->begin(); it != node->end(); ++it) {
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar()) {
      m.error(key, "keys in '" + path + "' must be plain names");
      continue;
    }
    const std::string& name = key.Scalar();
    const auto earlier = std::find_if(out.attributes.begin(), out.attributes.end(),
                                      [&](const auto& kv) { return kv.first == name; });
    if (earlier != out.attributes.end()) {
      m.error(key, "duplicate key " + quote_value(name) + " in '" + path + "'");
      continue;
    }
    if (!value.IsScalar()) {
      m.error(value.IsNull() ? key : value, "'" + path + "." + name + "' must be a string, not " +
                                                std::string(describe_kind(value)));
      continue;
    }
    total += name.size() + value.Scalar().size();
    out.attributes.emplace_back(name, value.Scalar());
  }
  if (total > kMaxAttributeBytes) {
    m.error(*node, "'" + path + "' hold " + std::to_string(total) +
                       " bytes of names and values; at most 1024 are allowed");
  }
}

void read_ingest_configuration(const YAML::Node& item, const std::string& path,
                               const Gateway& gateway, ErrorList& errors,
                               std::map<std::string, std::string>& key_ids, DeclaredStage& stage) {
  static constexpr std::array<std::string_view, 6> kKeys{
      "name", "user_id", "attributes", "ingest_protocol", "insecure_ingest", "stream_key"};
  static constexpr std::array<std::string_view, 2> kProtocols{"RTMP", "RTMPS"};
  MapReader m(item, path, kKeys, errors, item.Mark());
  if (!item.IsMap()) {
    if (item.IsNull()) m.error_here("'" + path + "' is empty; it needs at least a 'name'");
    return;  // anything else was reported by MapReader
  }
  DeclaredIngestConfiguration c;
  if (read_name(m, "an ingest configuration", c.name)) {
    for (const DeclaredIngestConfiguration& earlier : stage.ingest_configurations) {
      if (earlier.name == c.name) {
        m.error_at("name", "ingest configuration '" + c.name + "' is declared twice in stage '" +
                               stage.name + "'");
      }
    }
  }
  if (m.read_string("user_id", c.user_id) && utf8_length(c.user_id) > 128) {
    m.error_at("user_id", "'" + m.key_path("user_id") + "' must be at most 128 characters");
  }
  read_attributes(m, c);
  const bool protocol_ok = m.read_enum("ingest_protocol", c.ingest_protocol, kProtocols);
  m.read_bool("insecure_ingest", c.insecure_ingest);
  if (protocol_ok && c.ingest_protocol == "RTMP" && !c.insecure_ingest) {
    // SPEC 4: plain RTMP sends the key in the clear, so the operator must say so explicitly.
    m.error_at("ingest_protocol",
               "'" + m.key_path("ingest_protocol") + "' RTMP requires 'insecure_ingest: true'");
  }
  std::string key;
  if (m.read_secret("stream_key", key)) {
    if (const auto problem = stream_key_problem(key, gateway.account_id, gateway.region)) {
      m.error_at("stream_key", "'" + m.key_path("stream_key") + "': " + *problem);
    } else {
      const std::string id(stream_key_id(key));
      const auto [it, inserted] = key_ids.emplace(id, path);
      if (!inserted) {
        m.error_at("stream_key", "the id in '" + m.key_path("stream_key") +
                                     "' is already used by '" + it->second + ".stream_key'");
      } else {
        c.stream_key = std::move(key);
      }
    }
  }
  stage.ingest_configurations.push_back(std::move(c));
}

}  // namespace

void read_stages(MapReader& top, const Gateway& gateway, const Limits& limits,
                 std::vector<DeclaredStage>& out) {
  static constexpr std::array<std::string_view, 2> kKeys{"name", "ingest_configurations"};
  std::map<std::string, std::string> key_ids;  // stream key id -> where it was declared
  size_t configurations = 0;
  top.for_each_item("stages", [&](const YAML::Node& item, const std::string& path) {
    MapReader m(item, path, kKeys, top.errors(), item.Mark());
    if (!item.IsMap()) {
      if (item.IsNull()) m.error_here("'" + path + "' is empty; it needs at least a 'name'");
      return;  // anything else was reported by MapReader
    }
    DeclaredStage stage;
    if (read_name(m, "a stage", stage.name)) {
      const bool repeated = std::any_of(
          out.begin(), out.end(), [&](const DeclaredStage& s) { return s.name == stage.name; });
      if (repeated) m.error_at("name", "stage '" + stage.name + "' is declared twice");
    }
    m.for_each_item("ingest_configurations", [&](const YAML::Node& c, const std::string& c_path) {
      read_ingest_configuration(c, c_path, gateway, top.errors(), key_ids, stage);
      ++configurations;
      if (configurations == static_cast<size_t>(limits.ingest_configurations) + 1) {
        m.error(c, "more ingest configurations than 'limits.ingest_configurations' (" +
                       std::to_string(limits.ingest_configurations) + ")");
      }
    });
    out.push_back(std::move(stage));
    if (out.size() == static_cast<size_t>(limits.stages) + 1) {
      m.error_here("more stages than 'limits.stages' (" + std::to_string(limits.stages) + ")");
    }
  });
}

}  // namespace sg::config
