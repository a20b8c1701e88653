// The ivs-realtime service model as far as the server needs it: operations (method, URI) and the
// constraints of their input shapes, loaded from the table generated out of botocore's model
// (scripts/gen_api_model.py -> api_model_data.inc), and a validator that checks a request against
// every constraint stated there, with messages in the AWS style that name the member.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace sg::gw::api {

struct Shape;

struct Member {
  std::string name;
  const Shape* shape = nullptr;
  std::string location;       // "" (body), "uri", "querystring" or "header"
  std::string location_name;  // the name in the URI template, query string or header
};

struct Shape {
  std::string name;
  std::string type;  // structure, list, map, string, integer, long, boolean, timestamp, ...
  std::optional<double> min, max;
  std::string pattern_text;
  std::optional<std::regex> pattern;  // matched in full, as AWS services do
  std::vector<std::string> enums;
  bool sensitive = false;
  std::vector<std::string> required;
  std::vector<Member> members;    // structure
  const Shape* member = nullptr;  // list
  const Shape* key = nullptr;     // map
  const Shape* value = nullptr;   // map
};

struct Operation {
  std::string name;
  std::string method;
  std::string uri;  // "/CreateStage", "/tags/{resourceArn}"
  const Shape* input = nullptr;
};

class Model {
 public:
  // Parses the embedded table; fails only if the table itself is broken.
  static std::unique_ptr<Model> load_embedded();
  const Operation* find(std::string_view name) const;
  // The operation a request addresses: "POST /CreateStage", or the /tags/{resourceArn} routes.
  const Operation* route(std::string_view method, std::string_view path) const;
  const std::vector<Operation>& operations() const { return operations_; }
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::map<std::string, std::unique_ptr<Shape>, std::less<>> shapes_;
  std::vector<Operation> operations_;
};

// Every violation of `shape`'s constraints by `value`, as AWS words them:
//   "Value 'FOO' at 'ingestProtocol' failed to satisfy constraint: Member must satisfy enum value
//    set: [RTMP, RTMPS]"
// Members are named by their path (e.g. 'tags.member.key'). Unknown members are ignored (as the
// AWS JSON protocols do). Sensitive values are never quoted.
std::vector<std::string> validate(const Shape& shape, const nlohmann::json& value);
// "N validation error(s) detected: <first>; <second>..."
std::string validation_message(const std::vector<std::string>& errors);

}  // namespace sg::gw::api
