#include "config/map_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include "config/duration.h"
#include "config/endpoint.h"
#include "config/suggest.h"

namespace sg::config {
namespace {

std::string join(KeyList words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

std::string suggestion(std::string_view word, KeyList candidates) {
  const auto best = closest_match(word, candidates);
  return best ? " (did you mean '" + *best + "'?)" : "";
}

std::optional<uint64_t> parse_unsigned(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A key that holds what looks like a stream key (from "stream_key:rt_..." missing its space) must
// not be echoed back in an "unknown key" message.
bool may_hold_secret(std::string_view key) {
  return key.find("rt_") != std::string_view::npos || key.find(':') != std::string_view::npos;
}

}  // namespace

void report(ErrorList& errors, const YAML::Mark& mark, std::string message) {
  errors.add(mark.line + 1, mark.column + 1, std::move(message));
}

std::string quote_value(std::string_view value) {
  constexpr size_t kMax = 64;
  std::string out = "'";
  for (size_t i = 0; i < value.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  }
  if (value.size() > kMax) out += "...";
  return out + "'";
}

std::string_view describe_kind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a single value";
    default:
      return "nothing";
  }
}

MapReader::MapReader(const YAML::Node& node, std::string path, KeyList known_keys,
                     ErrorList& errors, YAML::Mark where)
    : path_(std::move(path)), mark_(where), errors_(&errors) {
  if (!node.IsDefined() || node.IsNull()) return;
  mark_ = node.Mark();
  const std::string in = path_.empty() ? "at the top level" : "in '" + path_ + "'";
  if (!node.IsMap()) {
    report(errors, node.Mark(),
           (path_.empty() ? std::string("the configuration") : "'" + path_ + "'") +
               " must be a mapping of keys to values, not " + std::string(describe_kind(node)));
    return;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      report(errors, key.Mark(),
             "keys " + in + " must be plain names, not " + std::string(describe_kind(key)));
      continue;
    }
    const std::string& name = key.Scalar();
    if (std::find(known_keys.begin(), known_keys.end(), name) == known_keys.end()) {
      if (may_hold_secret(name)) {
        report(errors, key.Mark(), "unknown key " + in + " (not shown: it may contain a secret)");
      } else {
        report(errors, key.Mark(),
               "unknown key " + quote_value(name) + " " + in + suggestion(name, known_keys));
      }
      continue;
    }
    if (const Entry* first = find(name)) {
      report(errors, key.Mark(),
             "duplicate key '" + name + "' " + in + " (first at line " +
                 std::to_string(first->key_node.Mark().line + 1) + ")");
      continue;
    }
    entries_.push_back({name, key, it->second});
  }
}

std::string MapReader::key_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const MapReader::Entry* MapReader::find(std::string_view key) const {
  for (const Entry& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

const YAML::Node* MapReader::value(std::string_view key) const {
  const Entry* e = find(key);
  return e ? &e->value : nullptr;
}

void MapReader::error_at(std::string_view key, std::string message) {
  const Entry* e = find(key);
  report(*errors_, e ? e->value.Mark() : mark_, std::move(message));
}

void MapReader::error_here(std::string message) {
  report(*errors_, mark_, std::move(message));
}

void MapReader::error(const YAML::Node& at, std::string message) {
  report(*errors_, at.Mark(), std::move(message));
}

std::optional<std::string> MapReader::scalar(const Entry& e, std::string_view expected) {
  if (e.value.IsScalar()) return e.value.Scalar();
  // Only the kind of the value is named, so this is safe for secrets too.
  report(*errors_, e.value.IsNull() ? e.key_node.Mark() : e.value.Mark(),
         "'" + key_path(e.key) + "' must be " + std::string(expected) + ", not " +
             std::string(describe_kind(e.value)));
  return std::nullopt;
}

bool MapReader::read_string(std::string_view key, std::string& out) {
  const Entry* e = find(key);
  if (!e) return false;
  auto text = scalar(*e, "a string");
  if (!text) return false;
  out = std::move(*text);
  return true;
}

bool MapReader::read_secret(std::string_view key, std::string& out) {
  const Entry* e = find(key);
  if (!e) return false;
  auto text = scalar(*e, "a string");
  if (!text) return false;
  out = std::move(*text);
  return true;
}

bool MapReader::read_bool(std::string_view key, bool& out) {
  const Entry* e = find(key);
  if (!e) return false;
  const auto text = scalar(*e, "true or false");
  if (!text) return false;
  // Only the YAML 1.2 spellings: "no" or "off" meaning false surprises people (the Norway problem).
  if (*text == "true" || *text == "True" || *text == "TRUE") {
    out = true;
    return true;
  }
  if (*text == "false" || *text == "False" || *text == "FALSE") {
    out = false;
    return true;
  }
  error(e->value, "'" + key_path(key) + "' must be true or false, not " + quote_value(*text));
  return false;
}

bool MapReader::read_u32(std::string_view key, uint32_t& out, uint32_t min, uint32_t max) {
  const Entry* e = find(key);
  if (!e) return false;
  const auto text = scalar(*e, "an integer");
  if (!text) return false;
  const auto value = parse_unsigned(*text);
  if (!value || *value < min || *value > max) {
    error(e->value, "'" + key_path(key) + "' must be an integer from " + std::to_string(min) +
                        " to " + std::to_string(max) + ", not " + quote_value(*text));
    return false;
  }
  out = static_cast<uint32_t>(*value);
  return true;
}

bool MapReader::read_double(std::string_view key, double& out, double min, double max) {
  const Entry* e = find(key);
  if (!e) return false;
  const auto text = scalar(*e, "a number");
  if (!text) return false;
  double value = 0;
  const char* begin = text->data();
  const char* end = begin + text->size();
  const auto [stop, ec] = std::from_chars(begin, end, value);
  if (text->empty() || ec != std::errc() || stop != end || !std::isfinite(value) || value < min ||
      value > max) {
    auto number = [](double d) {
      std::string s = std::to_string(d);
      s.erase(s.find_last_not_of('0') + 1);
      if (s.ends_with('.')) s.pop_back();
      return s;
    };
    error(e->value, "'" + key_path(key) + "' must be a number from " + number(min) + " to " +
                        number(max) + ", not " + quote_value(*text));
    return false;
  }
  out = value;
  return true;
}

bool MapReader::read_duration(std::string_view key, std::chrono::milliseconds& out,
                              std::chrono::milliseconds min, std::chrono::milliseconds max) {
  const Entry* e = find(key);
  if (!e) return false;
  const auto text = scalar(*e, "a duration");
  if (!text) return false;
  const auto value = parse_duration(*text);
  if (!value) {
    error(e->value, "'" + key_path(key) +
                        "' must be a duration such as 90s, 5m, 1h30m or 1500ms (a plain number "
                        "is seconds), not " +
                        quote_value(*text));
    return false;
  }
  if (*value < min || *value > max) {
    error(e->value, "'" + key_path(key) + "' must be from " + format_duration(min) + " to " +
                        format_duration(max) + ", not " + quote_value(*text));
    return false;
  }
  out = *value;
  return true;
}

bool MapReader::read_duration_ms(std::string_view key, uint32_t& out, uint32_t min_ms,
                                 uint32_t max_ms) {
  std::chrono::milliseconds value{out};
  if (!read_duration(key, value, std::chrono::milliseconds{min_ms},
                     std::chrono::milliseconds{max_ms})) {
    return false;
  }
  out = static_cast<uint32_t>(value.count());
  return true;
}

bool MapReader::read_enum(std::string_view key, std::string& out, KeyList allowed) {
  const Entry* e = find(key);
  if (!e) return false;
  const auto text = scalar(*e, "one of " + join(allowed));
  if (!text) return false;
  if (std::find(allowed.begin(), allowed.end(), *text) == allowed.end()) {
    error(e->value, "'" + key_path(key) + "' must be one of " + join(allowed) + ", not " +
                        quote_value(*text) + suggestion(*text, allowed));
    return false;
  }
  out = *text;
  return true;
}

bool MapReader::read_enum_list(std::string_view key, std::vector<std::string>& out,
                               KeyList allowed) {
  const Entry* e = find(key);
  if (!e) return false;
  const std::string name = key_path(key);
  if (!e->value.IsSequence() || e->value.size() == 0) {
    report(*errors_, e->value.IsNull() ? e->key_node.Mark() : e->value.Mark(),
           "'" + name + "' must be a non-empty list of " + join(allowed));
    return false;
  }
  std::vector<std::string> values;
  bool ok = true;
  for (size_t i = 0; i < e->value.size(); ++i) {
    const YAML::Node item = e->value[i];
    const std::string item_name = name + "[" + std::to_string(i) + "]";
    if (!item.IsScalar()) {
      error(item, "'" + item_name + "' must be one of " + join(allowed) + ", not " +
                      std::string(describe_kind(item)));
      ok = false;
    } else if (std::find(allowed.begin(), allowed.end(), item.Scalar()) == allowed.end()) {
      error(item, "'" + item_name + "' must be one of " + join(allowed) + ", not " +
                      quote_value(item.Scalar()) + suggestion(item.Scalar(), allowed));
      ok = false;
    } else if (std::find(values.begin(), values.end(), item.Scalar()) != values.end()) {
      error(item, "'" + item_name + "' repeats '" + item.Scalar() + "'");
      ok = false;
    } else {
      values.push_back(item.Scalar());
    }
  }
  if (!ok) return false;
  out = std::move(values);
  return true;
}

bool MapReader::read_u32_list(std::string_view key, std::vector<uint32_t>& out, uint32_t min,
                              uint32_t max) {
  const Entry* e = find(key);
  if (!e) return false;
  const std::string name = key_path(key);
  const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!e->value.IsSequence() || e->value.size() == 0) {
    report(*errors_, e->value.IsNull() ? e->key_node.Mark() : e->value.Mark(),
           "'" + name + "' must be a non-empty list of integers");
    return false;
  }
  std::vector<uint32_t> values;
  bool ok = true;
  for (size_t i = 0; i < e->value.size(); ++i) {
    const YAML::Node item = e->value[i];
    const std::string item_name = name + "[" + std::to_string(i) + "]";
    const auto value = item.IsScalar() ? parse_unsigned(item.Scalar()) : std::nullopt;
    if (!value || *value < min || *value > max) {
      error(item,
            "'" + item_name + "' must be " + range + ", not " +
                (item.IsScalar() ? quote_value(item.Scalar()) : std::string(describe_kind(item))));
      ok = false;
    } else if (std::find(values.begin(), values.end(), *value) != values.end()) {
      error(item, "'" + item_name + "' repeats " + item.Scalar());
      ok = false;
    } else {
      values.push_back(static_cast<uint32_t>(*value));
    }
  }
  if (!ok) return false;
  out = std::move(values);
  return true;
}

bool MapReader::read_endpoint(std::string_view key, Endpoint& out) {
  const Entry* e = find(key);
  if (!e) return false;
  const auto text = scalar(*e, "an address such as \"127.0.0.1:1935\"");
  if (!text) return false;
  const auto value = parse_endpoint(*text);
  if (!value) {
    error(e->value, "'" + key_path(key) +
                        "' must be HOST:PORT with an IPv4 address, a bracketed IPv6 address or "
                        "localhost, and a port from 0 to 65535, not " +
                        quote_value(*text));
    return false;
  }
  out = *value;
  return true;
}

MapReader MapReader::child(std::string_view key, KeyList known_keys) {
  const Entry* e = find(key);
  if (!e) return MapReader(YAML::Node(), key_path(key), known_keys, *errors_, mark_);
  return MapReader(e->value, key_path(key), known_keys, *errors_, e->key_node.Mark());
}

void MapReader::for_each_item(
    std::string_view key, const std::function<void(const YAML::Node&, const std::string&)>& fn) {
  const Entry* e = find(key);
  if (!e || e->value.IsNull()) return;
  const std::string name = key_path(key);
  if (!e->value.IsSequence()) {
    error(e->value, "'" + name + "' must be a list, not " + std::string(describe_kind(e->value)));
    return;
  }
  for (size_t i = 0; i < e->value.size(); ++i) {
    fn(e->value[i], name + "[" + std::to_string(i) + "]");
  }
}

}  // namespace sg::config
