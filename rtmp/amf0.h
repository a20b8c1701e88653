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
  double number = 0;                 // kNumber, kDate (ms since epoch)
  bool boolean = false;              // kBoolean
  std::string string;                // kString, kLongString
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
  static Value make_strict_array(std::vector<Value> elements = {});
  static Value make_date(double ms_since_epoch, int16_t timezone = 0);

  // Object / ECMA array lookup; nullptr when absent or not an object.
  const Value* find(std::string_view key) const;
  // Convenience accessors with defaults when the type differs.
  std::string_view as_string(std::string_view dflt = {}) const;
  double as_number(double dflt = 0) const;
  bool is_string() const { return type == Type::kString || type == Type::kLongString; }
  bool operator==(const Value& o) const;
};

// Bounds of one decode call: nesting depth of objects/arrays, and the total number of values (a
// one-byte null expands to a ~100-byte Value, so the count bounds memory, not the input size).
struct DecodeLimits {
  int max_depth = 32;
  size_t max_values = 65536;
};

// Decodes one value at `data[pos]`, advancing pos (left unchanged on error). Reason ids:
// amf0.truncated, amf0.bad_type, amf0.too_deep, amf0.too_many_values.
Result<Value> decode(ByteView data, size_t& pos);
Result<Value> decode(ByteView data, size_t& pos, const DecodeLimits& limits);
// Decodes every value until the end of data (a command message: name, transaction id, ...).
Result<std::vector<Value>> decode_all(ByteView data);
Result<std::vector<Value>> decode_all(ByteView data, const DecodeLimits& limits);

// Encoding cannot fail: a kString longer than 65535 bytes is written as a long string, and object
// keys are cut at 65535 bytes.
void encode(const Value& v, std::vector<uint8_t>& out);
std::vector<uint8_t> encode_all(const std::vector<Value>& values);

}  // namespace sg::amf0
