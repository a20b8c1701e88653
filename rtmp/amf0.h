// AMF0 values, decoder and encoder (AMF0 specification, Adobe 2007). Strict bounds: every read is
// checked against the input; nesting depth is limited (reason id amf0.too_deep).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rtmp/bytes.h"
#include "rtmp/status.h"

namespace sg::amf0 {

enum class Type : uint8_t {
  kNumber = 0x00,
  kBoolean = 0x01,
  kString = 0x02,
  kObject = 0x03,
  kNull = 0x05,
  kUndefined = 0x06,
  kEcmaArray = 0x08,
  kStrictArray = 0x0A,
  kDate = 0x0B,
  kLongString = 0x0C,
};

struct Value;
using Property = std::pair<std::string, Value>;

// One AMF0 value. Objects and ECMA arrays keep their properties in wire order.
struct Value {
  Type type = Type::kNull;
  double number = 0;          // kNumber, kDate (ms since epoch)
  bool boolean = false;       // kBoolean
  std::string string;         // kString, kLongString
  std::vector<Property> properties;  // kObject, kEcmaArray
  std::vector<Value> elements;       // kStrictArray
  int16_t timezone = 0;              // kDate

  static Value make_number(double v);
  static Value make_bool(bool v);
  static Value make_string(std::string v);  // encodes as long string when > 65535 bytes
  static Value make_null();
  static Value make_undefined();
  static Value make_object(std::vector<Property> props = {});
  static Value make_ecma_array(std::vector<Property> props = {});

  // Object / ECMA array lookup; nullptr when absent or not an object.
  const Value* find(std::string_view key) const;
  // Convenience accessors with defaults when the type differs.
  std::string_view as_string(std::string_view dflt = {}) const;
  double as_number(double dflt = 0) const;
  bool is_string() const { return type == Type::kString || type == Type::kLongString; }
  bool operator==(const Value& o) const;
};

// Decodes one value at `data[pos]`, advancing pos. Reason ids: amf0.truncated, amf0.bad_type,
// amf0.too_deep.
Result<Value> decode(ByteView data, size_t& pos);
// Decodes every value until the end of data (a command message: name, transaction id, ...).
Result<std::vector<Value>> decode_all(ByteView data);

void encode(const Value& v, std::vector<uint8_t>& out);
std::vector<uint8_t> encode_all(const std::vector<Value>& values);

}  // namespace sg::amf0
