#include "gateway/api_model.h"

#include <nlohmann/json.hpp>

namespace sg::gw::api {
namespace {

constexpr const char* kModelJson =
#include "gateway/api_model_data.inc"
    ;

// Length of a string in Unicode code points (what the model's min/max count).
size_t code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string quote_value(const Shape& shape, const nlohmann::json& v) {
  if (shape.sensitive) return "";
  std::string text = v.is_string() ? v.get<std::string>() : v.dump();
  if (text.size() > 100) text = text.substr(0, 100) + "...";
  return " '" + text + "'";
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

void check(const Shape& shape, const nlohmann::json& v, const std::string& path,
           std::vector<std::string>& errors) {
  auto fail = [&](const std::string& what) {
    errors.push_back("Value" + quote_value(shape, v) + " at '" + path +
                     "' failed to satisfy constraint: Member must " + what);
  };
  const std::string& t = shape.type;
  if (t == "structure") {
    if (!v.is_object()) return fail("be a structure");
    for (const auto& req : shape.required) {
      if (!v.contains(req) || v[req].is_null())
        errors.push_back("Value null at '" + (path.empty() ? req : path + "." + req) +
                         "' failed to satisfy constraint: Member must not be null");
    }
    for (const auto& m : shape.members) {
      auto it = v.find(m.name);
      if (it == v.end() || it->is_null()) continue;
      check(*m.shape, *it, path.empty() ? m.name : path + "." + m.name, errors);
    }
  } else if (t == "list") {
    if (!v.is_array()) return fail("be a list");
    if (shape.min && v.size() < *shape.min)
      fail("have length greater than or equal to " + std::to_string(int64_t(*shape.min)));
    if (shape.max && v.size() > *shape.max)
      fail("have length less than or equal to " + std::to_string(int64_t(*shape.max)));
    for (size_t i = 0; i < v.size(); ++i) check(*shape.member, v[i], path + ".member", errors);
  } else if (t == "map") {
    if (!v.is_object()) return fail("be a map");
    if (shape.min && v.size() < *shape.min)
      fail("have length greater than or equal to " + std::to_string(int64_t(*shape.min)));
    if (shape.max && v.size() > *shape.max)
      fail("have length less than or equal to " + std::to_string(int64_t(*shape.max)));
    for (const auto& [k, val] : v.items()) {
      check(*shape.key, nlohmann::json(k), path + ".key", errors);
      check(*shape.value, val, path + ".value", errors);
    }
  } else if (t == "string") {
    if (!v.is_string()) return fail("be a string");
    const auto& s = v.get_ref<const std::string&>();
    size_t len = code_points(s);
    if (shape.min && len < *shape.min)
      fail("have length greater than or equal to " + std::to_string(int64_t(*shape.min)));
    if (shape.max && len > *shape.max)
      fail("have length less than or equal to " + std::to_string(int64_t(*shape.max)));
    if (!shape.enums.empty() &&
        std::find(shape.enums.begin(), shape.enums.end(), s) == shape.enums.end())
      fail("satisfy enum value set: [" + join(shape.enums) + "]");
    if (shape.pattern && !std::regex_match(s, *shape.pattern))
      fail("satisfy regular expression pattern: " + shape.pattern_text);
  } else if (t == "integer" || t == "long") {
    if (!v.is_number_integer()) return fail("be an integer");
    auto n = v.get<int64_t>();
    if (shape.min && n < *shape.min)
      fail("have value greater than or equal to " + std::to_string(int64_t(*shape.min)));
    if (shape.max && n > *shape.max)
      fail("have value less than or equal to " + std::to_string(int64_t(*shape.max)));
  } else if (t == "boolean") {
    if (!v.is_boolean()) return fail("be a boolean");
  } else if (t == "float" || t == "double") {
    if (!v.is_number()) return fail("be a number");
  }
}

}  // namespace

std::unique_ptr<Model> Model::load_embedded() {
  auto doc = nlohmann::json::parse(kModelJson, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return nullptr;
  auto model = std::make_unique<Model>();
  model->source_ = doc.value("source", "");
  const auto& shapes = doc["shapes"];
  for (const auto& [name, js] : shapes.items()) {
    auto s = std::make_unique<Shape>();
    s->name = name;
    s->type = js.value("type", "");
    if (js.contains("min")) s->min = js["min"].get<double>();
    if (js.contains("max")) s->max = js["max"].get<double>();
    if (js.contains("pattern")) {
      s->pattern_text = js["pattern"].get<std::string>();
      s->pattern.emplace(s->pattern_text, std::regex::ECMAScript | std::regex::optimize);
    }
    if (js.contains("enum")) s->enums = js["enum"].get<std::vector<std::string>>();
    s->sensitive = js.value("sensitive", false);
    if (js.contains("required")) s->required = js["required"].get<std::vector<std::string>>();
    model->shapes_[name] = std::move(s);
  }
  auto ref = [&](const nlohmann::json& name) -> const Shape* {
    auto it = model->shapes_.find(name.get<std::string>());
    return it == model->shapes_.end() ? nullptr : it->second.get();
  };
  for (const auto& [name, js] : shapes.items()) {
    Shape& s = *model->shapes_[name];
    if (js.contains("members")) {
      for (const auto& [mname, mjs] : js["members"].items()) {
        s.members.push_back({mname, ref(mjs["shape"]), mjs.value("location", ""),
                             mjs.value("locationName", mname)});
      }
    }
    if (js.contains("member")) s.member = ref(js["member"]);
    if (js.contains("key")) s.key = ref(js["key"]);
    if (js.contains("value")) s.value = ref(js["value"]);
  }
  for (const auto& [name, js] : doc["operations"].items()) {
    Operation op{name, js.value("method", ""), js.value("uri", ""), nullptr};
    if (!js["input"].is_null()) op.input = ref(js["input"]);
    model->operations_.push_back(std::move(op));
  }
  return model;
}

const Operation* Model::find(std::string_view name) const {
  for (const auto& op : operations_)
    if (op.name == name) return &op;
  return nullptr;
}

const Operation* Model::route(std::string_view method, std::string_view path) const {
  for (const auto& op : operations_) {
    if (op.method != method) continue;
    auto brace = op.uri.find('{');
    if (brace == std::string::npos) {
      if (op.uri == path) return &op;
    } else if (path.size() > brace && path.substr(0, brace) == op.uri.substr(0, brace)) {
      return &op;  // "/tags/{resourceArn}": the rest of the path is the label
    }
  }
  return nullptr;
}

std::vector<std::string> validate(const Shape& shape, const nlohmann::json& value) {
  std::vector<std::string> errors;
  check(shape, value, "", errors);
  return errors;
}

std::string validation_message(const std::vector<std::string>& errors) {
  std::string out = std::to_string(errors.size()) + " validation error" +
                    (errors.size() == 1 ? "" : "s") + " detected: ";
  for (size_t i = 0; i < errors.size(); ++i) out += (i ? "; " : "") + errors[i];
  return out;
}

}  // namespace sg::gw::api
