#include "rtmp/amf0.h"

#include <bit>
#include <cstring>

namespace sg::amf0 {

namespace {

constexpr uint8_t kObjectEndMarker = 0x09;

// Every decode shares one budget so that a small input cannot expand into an unbounded tree: the
// depth bounds recursion, the value count bounds memory (a 1-byte null becomes a ~100-byte Value).
struct Decoder {
  ByteView data;
  size_t& pos;
  const DecodeLimits& limits;
  size_t values = 0;

  bool have(size_t n) const { return data.size() - pos >= n; }

  Error truncated() const {
    return make_error("amf0.truncated", "AMF0 value truncated at offset " + std::to_string(pos));
  }

  Result<std::string> read_string(size_t len_bytes) {
    if (!have(len_bytes)) return truncated();
    size_t len = len_bytes == 2 ? get_be16(&data[pos]) : get_be32(&data[pos]);
    pos += len_bytes;
    if (!have(len)) return truncated();
    std::string s(reinterpret_cast<const char*>(&data[pos]), len);
    pos += len;
    return s;
  }

  Result<double> read_double() {
    if (!have(8)) return truncated();
    uint64_t bits = uint64_t(get_be32(&data[pos])) << 32 | get_be32(&data[pos + 4]);
    pos += 8;
    return std::bit_cast<double>(bits);
  }

  // Reads "key value" pairs until the empty key followed by the object end marker.
  Status read_properties(std::vector<Property>& props, int depth) {
    for (;;) {
      auto key = read_string(2);
      if (!key) return key.error();
      if (key->empty()) {
        if (!have(1)) return truncated();
        if (data[pos] == kObjectEndMarker) {
          ++pos;
          return Status::ok();
        }
        // An empty key that is not followed by the end marker is a legal (if odd) property name.
      }
      auto v = read_value(depth);
      if (!v) return v.error();
      props.emplace_back(std::move(*key), std::move(*v));
    }
  }

  Result<Value> read_value(int depth) {
    if (!have(1)) return truncated();
    if (++values > limits.max_values) {
      return make_error("amf0.too_many_values", "more than " + std::to_string(limits.max_values) +
                                                    " AMF0 values in one message");
    }
    const uint8_t marker = data[pos++];
    Value v;
    switch (marker) {
      case uint8_t(Type::kNumber): {
        auto d = read_double();
        if (!d) return d.error();
        return Value::make_number(*d);
      }
      case uint8_t(Type::kBoolean):
        if (!have(1)) return truncated();
        return Value::make_bool(data[pos++] != 0);
      case uint8_t(Type::kString):
      case uint8_t(Type::kLongString): {
        auto s = read_string(marker == uint8_t(Type::kString) ? 2 : 4);
        if (!s) return s.error();
        v.type = Type(marker);
        v.string = std::move(*s);
        return v;
      }
      case uint8_t(Type::kNull):
        return Value::make_null();
      case uint8_t(Type::kUndefined):
        return Value::make_undefined();
      case uint8_t(Type::kObject):
      case uint8_t(Type::kEcmaArray):
      case uint8_t(Type::kStrictArray): {
        if (depth + 1 > limits.max_depth) {
          return make_error("amf0.too_deep",
                            "AMF0 nesting deeper than " + std::to_string(limits.max_depth));
        }
        v.type = Type(marker);
        if (marker == uint8_t(Type::kObject)) {
          Status st = read_properties(v.properties, depth + 1);
          if (!st) return st.error();
          return v;
        }
        if (!have(4)) return truncated();
        const uint32_t count = get_be32(&data[pos]);
        pos += 4;
        if (marker == uint8_t(Type::kEcmaArray)) {
          // The count is only a hint (encoders get it wrong); the end marker terminates the array.
          Status st = read_properties(v.properties, depth + 1);
          if (!st) return st.error();
          return v;
        }
        // Every element takes at least one byte, so a count beyond the input is a truncation; this
        // check also keeps a hostile count from driving the loop.
        if (count > data.size() - pos) return truncated();
        for (uint32_t i = 0; i < count; ++i) {
          auto e = read_value(depth + 1);
          if (!e) return e.error();
          v.elements.push_back(std::move(*e));
        }
        return v;
      }
      case uint8_t(Type::kDate): {
        auto d = read_double();
        if (!d) return d.error();
        if (!have(2)) return truncated();
        v.type = Type::kDate;
        v.number = *d;
        v.timezone = int16_t(get_be16(&data[pos]));
        pos += 2;
        return v;
      }
      default:
        --pos;  // report the offset of the marker itself
        return make_error("amf0.bad_type", "unsupported AMF0 marker " + std::to_string(marker) +
                                               " at offset " + std::to_string(pos));
    }
  }
};

void put_double(std::vector<uint8_t>& out, double d) {
  const uint64_t bits = std::bit_cast<uint64_t>(d);
  put_be32(out, uint32_t(bits >> 32));
  put_be32(out, uint32_t(bits));
}

// Keys are limited to 16-bit lengths by the format; longer keys are cut rather than corrupting
// the stream (nothing stagegate sends comes close).
void put_key(std::vector<uint8_t>& out, std::string_view key) {
  if (key.size() > 0xFFFF) key = key.substr(0, 0xFFFF);
  put_be16(out, uint32_t(key.size()));
  out.insert(out.end(), key.begin(), key.end());
}

void put_properties(std::vector<uint8_t>& out, const std::vector<Property>& props) {
  for (const auto& [k, val] : props) {
    put_key(out, k);
    encode(val, out);
  }
  put_be16(out, 0);
  put_u8(out, kObjectEndMarker);
}

bool same_number(double a, double b) {
  // Bitwise, so that NaN payloads and -0 survive an encode/decode round trip comparison.
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

}  // namespace

Value Value::make_number(double v) {
  Value r;
  r.type = Type::kNumber;
  r.number = v;
  return r;
}
Value Value::make_bool(bool v) {
  Value r;
  r.type = Type::kBoolean;
  r.boolean = v;
  return r;
}
Value Value::make_string(std::string v) {
  Value r;
  r.type = v.size() > 0xFFFF ? Type::kLongString : Type::kString;
  r.string = std::move(v);
  return r;
}
Value Value::make_null() {
  return Value{};
}
Value Value::make_undefined() {
  Value r;
  r.type = Type::kUndefined;
  return r;
}
Value Value::make_object(std::vector<Property> props) {
  Value r;
  r.type = Type::kObject;
  r.properties = std::move(props);
  return r;
}
Value Value::make_ecma_array(std::vector<Property> props) {
  Value r;
  r.type = Type::kEcmaArray;
  r.properties = std::move(props);
  return r;
}
Value Value::make_strict_array(std::vector<Value> elements) {
  Value r;
  r.type = Type::kStrictArray;
  r.elements = std::move(elements);
  return r;
}
Value Value::make_date(double ms, int16_t timezone) {
  Value r;
  r.type = Type::kDate;
  r.number = ms;
  r.timezone = timezone;
  return r;
}

const Value* Value::find(std::string_view key) const {
  if (type != Type::kObject && type != Type::kEcmaArray) return nullptr;
  for (const auto& [k, v] : properties) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::string_view Value::as_string(std::string_view dflt) const {
  return is_string() ? std::string_view(string) : dflt;
}

double Value::as_number(double dflt) const {
  return type == Type::kNumber ? number : dflt;
}

bool Value::operator==(const Value& o) const {
  if (type != o.type) return false;
  switch (type) {
    case Type::kNumber:
      return same_number(number, o.number);
    case Type::kBoolean:
      return boolean == o.boolean;
    case Type::kString:
    case Type::kLongString:
      return string == o.string;
    case Type::kObject:
    case Type::kEcmaArray:
      return properties == o.properties;
    case Type::kStrictArray:
      return elements == o.elements;
    case Type::kDate:
      return same_number(number, o.number) && timezone == o.timezone;
    case Type::kNull:
    case Type::kUndefined:
      return true;
  }
  return false;
}

Result<Value> decode(ByteView data, size_t& pos, const DecodeLimits& limits) {
  if (pos > data.size()) return make_error("amf0.truncated", "decode position past the end");
  size_t p = pos;
  Decoder d{data, p, limits};
  auto v = d.read_value(0);
  if (v) pos = p;  // on failure the caller's position is left untouched
  return v;
}

Result<Value> decode(ByteView data, size_t& pos) {
  return decode(data, pos, DecodeLimits{});
}

Result<std::vector<Value>> decode_all(ByteView data, const DecodeLimits& limits) {
  std::vector<Value> values;
  size_t pos = 0;
  // One shared budget for the whole message, not per top-level value.
  Decoder d{data, pos, limits};
  while (pos < data.size()) {
    auto v = d.read_value(0);
    if (!v) return v.error();
    values.push_back(std::move(*v));
  }
  return values;
}

Result<std::vector<Value>> decode_all(ByteView data) {
  return decode_all(data, DecodeLimits{});
}

void encode(const Value& v, std::vector<uint8_t>& out) {
  switch (v.type) {
    case Type::kNumber:
      put_u8(out, uint8_t(Type::kNumber));
      put_double(out, v.number);
      return;
    case Type::kBoolean:
      put_u8(out, uint8_t(Type::kBoolean));
      put_u8(out, v.boolean ? 1 : 0);
      return;
    case Type::kString:
    case Type::kLongString:
      // A kString that outgrew 16 bits is sent as a long string instead of a corrupt length.
      if (v.type == Type::kString && v.string.size() <= 0xFFFF) {
        put_u8(out, uint8_t(Type::kString));
        put_be16(out, uint32_t(v.string.size()));
      } else {
        put_u8(out, uint8_t(Type::kLongString));
        put_be32(out, uint32_t(v.string.size()));
      }
      out.insert(out.end(), v.string.begin(), v.string.end());
      return;
    case Type::kObject:
      put_u8(out, uint8_t(Type::kObject));
      put_properties(out, v.properties);
      return;
    case Type::kNull:
    case Type::kUndefined:
      put_u8(out, uint8_t(v.type));
      return;
    case Type::kEcmaArray:
      put_u8(out, uint8_t(Type::kEcmaArray));
      put_be32(out, uint32_t(v.properties.size()));
      put_properties(out, v.properties);
      return;
    case Type::kStrictArray:
      put_u8(out, uint8_t(Type::kStrictArray));
      put_be32(out, uint32_t(v.elements.size()));
      for (const auto& e : v.elements) encode(e, out);
      return;
    case Type::kDate:
      put_u8(out, uint8_t(Type::kDate));
      put_double(out, v.number);
      put_be16(out, uint16_t(v.timezone));
      return;
  }
}

std::vector<uint8_t> encode_all(const std::vector<Value>& values) {
  std::vector<uint8_t> out;
  for (const auto& v : values) encode(v, out);
  return out;
}

}  // namespace sg::amf0
