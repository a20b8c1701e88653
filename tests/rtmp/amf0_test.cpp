#include "rtmp/amf0.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sg::amf0 {
namespace {

using Bytes = std::vector<uint8_t>;

// The body of the `connect` command ffmpeg 5.1 (Lavf59.27.100) sends for
// `ffmpeg ... -f flv rtmp://127.0.0.1:1935/app/key`, byte for byte.
const Bytes kFfmpegConnect = {
    0x02, 0x00, 0x07, 0x63, 0x6f, 0x6e, 0x6e, 0x65, 0x63, 0x74, 0x00, 0x3f, 0xf0, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x03, 0x00, 0x03, 0x61, 0x70, 0x70, 0x02, 0x00, 0x03, 0x61, 0x70, 0x70, 0x00,
    0x04, 0x74, 0x79, 0x70, 0x65, 0x02, 0x00, 0x0a, 0x6e, 0x6f, 0x6e, 0x70, 0x72, 0x69, 0x76, 0x61,
    0x74, 0x65, 0x00, 0x08, 0x66, 0x6c, 0x61, 0x73, 0x68, 0x56, 0x65, 0x72, 0x02, 0x00, 0x24, 0x46,
    0x4d, 0x4c, 0x45, 0x2f, 0x33, 0x2e, 0x30, 0x20, 0x28, 0x63, 0x6f, 0x6d, 0x70, 0x61, 0x74, 0x69,
    0x62, 0x6c, 0x65, 0x3b, 0x20, 0x4c, 0x61, 0x76, 0x66, 0x35, 0x39, 0x2e, 0x32, 0x37, 0x2e, 0x31,
    0x30, 0x30, 0x29, 0x00, 0x05, 0x74, 0x63, 0x55, 0x72, 0x6c, 0x02, 0x00, 0x19, 0x72, 0x74, 0x6d,
    0x70, 0x3a, 0x2f, 0x2f, 0x31, 0x32, 0x37, 0x2e, 0x30, 0x2e, 0x30, 0x2e, 0x31, 0x3a, 0x31, 0x39,
    0x33, 0x35, 0x2f, 0x61, 0x70, 0x70, 0x00, 0x00, 0x09,
};

std::vector<Value> ffmpeg_connect_values() {
  return {
      Value::make_string("connect"),
      Value::make_number(1),
      Value::make_object({
          {"app", Value::make_string("app")},
          {"type", Value::make_string("nonprivate")},
          {"flashVer", Value::make_string("FMLE/3.0 (compatible; Lavf59.27.100)")},
          {"tcUrl", Value::make_string("rtmp://127.0.0.1:1935/app")},
      }),
  };
}

struct Golden {
  const char* name;
  Bytes bytes;
  Value value;
};

Value long_string(std::string s) {
  Value v;
  v.type = Type::kLongString;
  v.string = std::move(s);
  return v;
}

std::vector<Golden> goldens() {
  return {
      {"number_zero", {0x00, 0, 0, 0, 0, 0, 0, 0, 0}, Value::make_number(0)},
      {"number_1_5", {0x00, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}, Value::make_number(1.5)},
      {"number_minus_2", {0x00, 0xc0, 0x00, 0, 0, 0, 0, 0, 0}, Value::make_number(-2)},
      {"true", {0x01, 0x01}, Value::make_bool(true)},
      {"false", {0x01, 0x00}, Value::make_bool(false)},
      {"empty_string", {0x02, 0x00, 0x00}, Value::make_string("")},
      {"string", {0x02, 0x00, 0x03, 'a', 'b', 'c'}, Value::make_string("abc")},
      {"null", {0x05}, Value::make_null()},
      {"undefined", {0x06}, Value::make_undefined()},
      {"empty_object", {0x03, 0x00, 0x00, 0x09}, Value::make_object()},
      {"object",
       {0x03, 0x00, 0x01, 'a', 0x01, 0x01, 0x00, 0x01, 'b', 0x05, 0x00, 0x00, 0x09},
       Value::make_object({{"a", Value::make_bool(true)}, {"b", Value::make_null()}})},
      {"object_empty_key",
       {0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x09},
       Value::make_object({{"", Value::make_bool(false)}})},
      {"ecma_array",
       {0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08, 'd', 'u', 'r', 'a',  't',  'i', 'o',
        'n',  0x00, 0x40, 0x24, 0,    0,    0,    0,   0,   0,   0x00, 0x00, 0x09},
       Value::make_ecma_array({{"duration", Value::make_number(10)}})},
      {"strict_array",
       {0x0a, 0x00, 0x00, 0x00, 0x03, 0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x02, 0x00, 0x01, 'x',
        0x05},
       Value::make_strict_array(
           {Value::make_number(1), Value::make_string("x"), Value::make_null()})},
      {"empty_strict_array", {0x0a, 0x00, 0x00, 0x00, 0x00}, Value::make_strict_array()},
      {"date",
       {0x0b, 0x42, 0x78, 0xbc, 0xfe, 0x56, 0x80, 0x00, 0x00, 0xff, 0xc4},
       Value::make_date(1700000000000.0, -60)},
      {"long_string", {0x0c, 0x00, 0x00, 0x00, 0x02, 'h', 'i'}, long_string("hi")},
      {"nested",
       {0x03, 0x00, 0x01, 'o',  0x03, 0x00, 0x01, 'a',  0x0a, 0x00,
        0x00, 0x00, 0x01, 0x06, 0x00, 0x00, 0x09, 0x00, 0x00, 0x09},
       Value::make_object({{"o", Value::make_object({{"a", Value::make_strict_array(
                                                               {Value::make_undefined()})}})}})},
  };
}

TEST(Amf0, GoldenEncode) {
  for (const auto& g : goldens()) {
    Bytes out;
    encode(g.value, out);
    EXPECT_EQ(out, g.bytes) << g.name;
  }
}

TEST(Amf0, GoldenDecode) {
  for (const auto& g : goldens()) {
    size_t pos = 0;
    auto v = decode(g.bytes, pos);
    ASSERT_TRUE(v) << g.name << ": " << v.error().detail;
    EXPECT_EQ(*v, g.value) << g.name;
    EXPECT_EQ(pos, g.bytes.size()) << g.name;
  }
}

TEST(Amf0, GoldenEveryTruncatedPrefixFailsCleanly) {
  for (const auto& g : goldens()) {
    for (size_t n = 0; n < g.bytes.size(); ++n) {
      Bytes prefix(g.bytes.begin(), g.bytes.begin() + long(n));
      size_t pos = 0;
      auto v = decode(prefix, pos);
      ASSERT_FALSE(v) << g.name << " prefix " << n;
      EXPECT_EQ(v.error().reason, "amf0.truncated") << g.name << " prefix " << n;
      EXPECT_EQ(pos, 0u) << "position must be untouched on error";
    }
  }
}

TEST(Amf0, FfmpegConnectBothWays) {
  EXPECT_EQ(encode_all(ffmpeg_connect_values()), kFfmpegConnect);
  auto vals = decode_all(kFfmpegConnect);
  ASSERT_TRUE(vals) << vals.error().detail;
  EXPECT_EQ(*vals, ffmpeg_connect_values());
  const Value& cmd = (*vals)[2];
  EXPECT_EQ((*vals)[0].as_string(), "connect");
  EXPECT_EQ((*vals)[1].as_number(), 1);
  ASSERT_NE(cmd.find("tcUrl"), nullptr);
  EXPECT_EQ(cmd.find("tcUrl")->as_string(), "rtmp://127.0.0.1:1935/app");
  EXPECT_EQ(cmd.find("flashVer")->as_string(), "FMLE/3.0 (compatible; Lavf59.27.100)");
  EXPECT_EQ(cmd.find("missing"), nullptr);
}

// Every prefix either ends exactly on a value boundary (and yields exactly the values before it)
// or fails with amf0.truncated; nothing in between.
TEST(Amf0, FfmpegConnectEveryPrefix) {
  const std::vector<size_t> boundaries = {0, 10, 19, kFfmpegConnect.size()};
  const auto all = ffmpeg_connect_values();
  for (size_t n = 0; n <= kFfmpegConnect.size(); ++n) {
    ByteView prefix(kFfmpegConnect.data(), n);
    auto vals = decode_all(prefix);
    size_t idx = 0;
    bool at_boundary = false;
    for (size_t i = 0; i < boundaries.size(); ++i) {
      if (boundaries[i] == n) {
        at_boundary = true;
        idx = i;
      }
    }
    if (at_boundary) {
      ASSERT_TRUE(vals) << "prefix " << n;
      EXPECT_EQ(*vals, std::vector<Value>(all.begin(), all.begin() + long(idx)));
    } else {
      ASSERT_FALSE(vals) << "prefix " << n;
      EXPECT_EQ(vals.error().reason, "amf0.truncated") << "prefix " << n;
    }
  }
}

TEST(Amf0, DecodeAdvancesAcrossValues) {
  size_t pos = 0;
  auto a = decode(kFfmpegConnect, pos);
  ASSERT_TRUE(a);
  EXPECT_EQ(pos, 10u);
  auto b = decode(kFfmpegConnect, pos);
  ASSERT_TRUE(b);
  EXPECT_EQ(pos, 19u);
  EXPECT_EQ(b->as_number(), 1);
}

Bytes nested_objects(int depth) {
  Bytes b;
  for (int i = 0; i < depth; ++i) b.insert(b.end(), {0x03, 0x00, 0x01, 'k'});
  b.push_back(0x05);
  for (int i = 0; i < depth; ++i) b.insert(b.end(), {0x00, 0x00, 0x09});
  return b;
}

TEST(Amf0, DepthLimit) {
  size_t pos = 0;
  auto ok = decode(nested_objects(32), pos);
  ASSERT_TRUE(ok) << ok.error().detail;
  pos = 0;
  auto deep = decode(nested_objects(33), pos);
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().reason, "amf0.too_deep");

  // Strict arrays count towards the same limit.
  Bytes arrays;
  for (int i = 0; i < 40; ++i) arrays.insert(arrays.end(), {0x0a, 0x00, 0x00, 0x00, 0x01});
  arrays.push_back(0x05);
  pos = 0;
  auto deep_arrays = decode(arrays, pos);
  ASSERT_FALSE(deep_arrays);
  EXPECT_EQ(deep_arrays.error().reason, "amf0.too_deep");
}

TEST(Amf0, UnsupportedMarkersAreBadType) {
  for (uint8_t marker : {0x04, 0x07, 0x09, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x42}) {
    Bytes b = {0x05, marker, 0x00, 0x00};
    auto v = decode_all(b);
    ASSERT_FALSE(v) << int(marker);
    EXPECT_EQ(v.error().reason, "amf0.bad_type") << int(marker);
    EXPECT_NE(v.error().detail.find("offset 1"), std::string::npos) << v.error().detail;
  }
}

TEST(Amf0, HostileStrictArrayCountIsTruncatedNotAllocated) {
  Bytes b = {0x0a, 0xff, 0xff, 0xff, 0xff, 0x05, 0x05};
  size_t pos = 0;
  auto v = decode(b, pos);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().reason, "amf0.truncated");
}

TEST(Amf0, ValueCountLimit) {
  Bytes b = {0x0a, 0x00, 0x00, 0x00, 100};
  b.insert(b.end(), 100, 0x05);
  size_t pos = 0;
  ASSERT_TRUE(decode(b, pos, DecodeLimits{32, 101}));
  pos = 0;
  auto v = decode(b, pos, DecodeLimits{32, 100});
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().reason, "amf0.too_many_values");
  // decode_all shares one budget across the top-level values.
  Bytes nulls(50, 0x05);
  EXPECT_TRUE(decode_all(nulls, DecodeLimits{32, 50}));
  EXPECT_FALSE(decode_all(nulls, DecodeLimits{32, 49}));
}

TEST(Amf0, EcmaArrayCountIsOnlyAHint) {
  // Count says 0 but two properties follow: the end marker decides.
  Bytes b = {0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 'a',
             0x05, 0x00, 0x01, 'b',  0x06, 0x00, 0x00, 0x09};
  size_t pos = 0;
  auto v = decode(b, pos);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->properties.size(), 2u);
  EXPECT_EQ(pos, b.size());
}

TEST(Amf0, LongStringsRoundTrip) {
  const std::string big(70000, 'z');
  Value v = Value::make_string(big);
  EXPECT_EQ(v.type, Type::kLongString);
  Bytes out;
  encode(v, out);
  ASSERT_EQ(out.size(), 5 + big.size());
  EXPECT_EQ(out[0], 0x0c);
  size_t pos = 0;
  auto back = decode(out, pos);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, v);

  // A kString that grew beyond 16 bits is still encoded validly (as a long string).
  Value s;
  s.type = Type::kString;
  s.string = big;
  Bytes out2;
  encode(s, out2);
  EXPECT_EQ(out2, out);
}

TEST(Amf0, AccessorsFallBackOnTypeMismatch) {
  Value n = Value::make_number(3);
  EXPECT_EQ(n.as_string("d"), "d");
  EXPECT_EQ(n.as_number(), 3);
  EXPECT_EQ(Value::make_string("x").as_number(7), 7);
  EXPECT_EQ(Value::make_string("x").find("a"), nullptr);
  EXPECT_TRUE(long_string("q").is_string());
  EXPECT_EQ(long_string("q").as_string(), "q");
  EXPECT_FALSE(Value::make_number(1) == Value::make_bool(true));
  EXPECT_FALSE(Value::make_date(1, 0) == Value::make_date(1, 60));
}

}  // namespace
}  // namespace sg::amf0
