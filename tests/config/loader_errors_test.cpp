// Every class of configuration error, with the exact FILE:LINE:COLUMN an editor would show.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.h"

namespace sg::config {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::vector<std::string> errors_of(std::string_view yaml) {
  LoadResult r = load_string(yaml, "x.yaml");
  // A result carries a Config exactly when there is nothing to report.
  EXPECT_EQ(r.config.has_value(), r.errors.empty());
  return r.errors;
}

struct Case {
  std::string_view yaml;
  std::vector<std::string> errors;
};

void expect_cases(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.yaml));
    EXPECT_THAT(errors_of(c.yaml), ElementsAreArray(c.errors));
  }
}

TEST(ConfigErrors, UnknownKeysWithSuggestions) {
  expect_cases({
      {"# comment\ngateway:\n    pubic_host: 127.0.0.1\n",
       {"x.yaml:3:5: unknown key 'pubic_host' in 'gateway' (did you mean 'public_host'?)"}},
      {"gatway:\n  region: us-east-1\n",
       {"x.yaml:1:1: unknown key 'gatway' at the top level (did you mean 'gateway'?)"}},
      {"gateway: {zzz: 1}\n", {"x.yaml:1:11: unknown key 'zzz' in 'gateway'"}},
      {"listeners:\n  rtmp:\n    max_chunksize: 4096\n",
       {"x.yaml:3:5: unknown key 'max_chunksize' in 'listeners.rtmp' (did you mean "
        "'max_chunk_size'?)"}},
      {"media:\n  video:\n    bframes: allow\n",
       {"x.yaml:3:5: unknown key 'bframes' in 'media.video' (did you mean 'b_frames'?)"}},
      {"stages:\n  - name: a\n    ingest_configurations:\n      - name: b\n        userid: u\n",
       {"x.yaml:5:9: unknown key 'userid' in 'stages[0].ingest_configurations[0]' (did you mean "
        "'user_id'?)"}},
      {"api:\n  credentials:\n    - {access_key: A, access_key_id: AKID, secret_access_key: "
       "0123456789abcdef}\n",
       {"x.yaml:3:8: unknown key 'access_key' in 'api.credentials[0]' (did you mean "
        "'access_key_id'?)"}},
      {"Gateway: {}\n",
       {"x.yaml:1:1: unknown key 'Gateway' at the top level (did you mean "
        "'gateway'?)"}},
  });
}

TEST(ConfigErrors, DuplicateKeys) {
  expect_cases({
      {"gateway:\n  region: eu-west-1\n  region: us-west-2\n",
       {"x.yaml:3:3: duplicate key 'region' in 'gateway' (first at line 2)"}},
      {"media: {}\nmedia: {}\n",
       {"x.yaml:2:1: duplicate key 'media' at the top level (first at "
        "line 1)"}},
      {"stages:\n  - name: s\n    ingest_configurations:\n      - name: c\n"
       "        attributes: {a: x, a: y}\n",
       {"x.yaml:5:28: duplicate key 'a' in 'stages[0].ingest_configurations[0].attributes'"}},
  });
}

TEST(ConfigErrors, WrongTypes) {
  expect_cases({
      {"gateway: [1, 2]\n",
       {"x.yaml:1:10: 'gateway' must be a mapping of keys to values, not a list"}},
      {"- a\n- b\n",
       {"x.yaml:1:1: the configuration must be a mapping of keys to values, not a "
        "list"}},
      {"gateway:\n  region: {a: 1}\n",
       {"x.yaml:2:11: 'gateway.region' must be a string, not a mapping"}},
      {"gateway:\n  region:\n", {"x.yaml:2:3: 'gateway.region' must be a string, not nothing"}},
      {"listeners:\n  rtmp:\n    max_chunk_size: big\n",
       {"x.yaml:3:21: 'listeners.rtmp.max_chunk_size' must be an integer from 128 to 16777215, "
        "not 'big'"}},
      {"listeners: {rtmp: {max_chunk_streams: [1]}}\n",
       {"x.yaml:1:39: 'listeners.rtmp.max_chunk_streams' must be an integer, not a list"}},
      {"playback: {allow_any: yes}\n",
       {"x.yaml:1:23: 'playback.allow_any' must be true or false, not 'yes'"}},
      {"media: {bitrate_tolerance: lots}\n",
       {"x.yaml:1:28: 'media.bitrate_tolerance' must be a number from 0 to 1, not 'lots'"}},
      {"media: {max_duration: 1d}\n",
       {"x.yaml:1:23: 'media.max_duration' must be a duration such as 90s, 5m, 1h30m or 1500ms (a "
        "plain number is seconds), not '1d'"}},
      {"media: {video: {codecs: h264}}\n",
       {"x.yaml:1:25: 'media.video.codecs' must be a non-empty list of h264, hevc, av1, vp9"}},
      {"media: {audio: {sample_rates: [48000, x]}}\n",
       {"x.yaml:1:39: 'media.audio.sample_rates[1]' must be an integer from 8000 to 192000, not "
        "'x'"}},
      {"stages: {name: a}\n", {"x.yaml:1:9: 'stages' must be a list, not a mapping"}},
      {"stages:\n  - just-a-name\n",
       {"x.yaml:2:5: 'stages[0]' must be a mapping of keys to values, not a single value"}},
      // yaml-cpp places an empty item where the next token starts.
      {"stages:\n  -\n  - name: b\n",
       {"x.yaml:3:3: 'stages[0]' is empty; it needs at least a 'name'"}},
      {"listeners:\n  rtmp:\n    bind: 1935\n",
       {"x.yaml:3:11: 'listeners.rtmp.bind' must be HOST:PORT with an IPv4 address, a bracketed "
        "IPv6 address or localhost, and a port from 0 to 65535, not '1935'"}},
      {"? [a]\n: b\n", {"x.yaml:1:3: keys at the top level must be plain names, not a list"}},
  });
}

TEST(ConfigErrors, OutOfRangeValues) {
  expect_cases({
      {"listeners: {rtmp: {max_chunk_size: 127}}\n",
       {"x.yaml:1:36: 'listeners.rtmp.max_chunk_size' must be an integer from 128 to 16777215, "
        "not '127'"}},
      {"listeners: {rtmp: {max_chunk_size: 16777216}}\n",
       {"x.yaml:1:36: 'listeners.rtmp.max_chunk_size' must be an integer from 128 to 16777215, "
        "not '16777216'"}},
      {"listeners: {rtmp: {max_chunk_size: -5}}\n",
       {"x.yaml:1:36: 'listeners.rtmp.max_chunk_size' must be an integer from 128 to 16777215, "
        "not '-5'"}},
      {"listeners: {api: {bind: \"127.0.0.1:65536\"}}\n",
       {"x.yaml:1:25: 'listeners.api.bind' must be HOST:PORT with an IPv4 address, a bracketed "
        "IPv6 address or localhost, and a port from 0 to 65535, not '127.0.0.1:65536'"}},
      {"media: {video: {max_bitrate_kbps: 0}}\n",
       {"x.yaml:1:35: 'media.video.max_bitrate_kbps' must be an integer from 1 to 10000000, not "
        "'0'"}},
      {"media: {audio: {max_bitrate_kbps: 0}}\n",
       {"x.yaml:1:35: 'media.audio.max_bitrate_kbps' must be an integer from 1 to 10000000, not "
        "'0'"}},
      {"media: {bitrate_tolerance: 1.5}\n",
       {"x.yaml:1:28: 'media.bitrate_tolerance' must be a number from 0 to 1, not '1.5'"}},
      {"media:\n  video:\n    min_short_side: 800\n    max_short_side: 720\n",
       {"x.yaml:3:21: 'media.video.min_short_side' (800) is larger than "
        "'media.video.max_short_side' (720)"}},
      {"media: {video: {min_fps: 30, max_fps: 25}}\n",
       {"x.yaml:1:26: 'media.video.min_fps' is larger than 'media.video.max_fps'"}},
      {"media: {video: {min_idr_interval: 3s}}\n",
       {"x.yaml:1:35: 'media.video.min_idr_interval' is longer than "
        "'media.video.max_idr_interval'"}},
      {"listeners: {rtmp: {handshake_timeout: 0}}\n",
       {"x.yaml:1:39: 'listeners.rtmp.handshake_timeout' must be from 1ms to 4294967295ms, not "
        "'0'"}},
      {"stage_endpoint: {reconnect_initial: 10s, reconnect_max: 2s}\n",
       {"x.yaml:1:37: 'stage_endpoint.reconnect_initial' is longer than "
        "'stage_endpoint.reconnect_max'"}},
      {"limits: {publishers_per_stage: 0}\n",
       {"x.yaml:1:32: 'limits.publishers_per_stage' must be an integer from 1 to 10000000, not "
        "'0'"}},
  });
}

TEST(ConfigErrors, GatewayIdentity) {
  expect_cases({
      {"gateway: {region: US_EAST}\n",
       {"x.yaml:1:19: 'gateway.region' must be lower-case letters, digits and '-' (like "
        "us-east-1), not 'US_EAST'"}},
      {"gateway: {account_id: 12345}\n",
       {"x.yaml:1:23: 'gateway.account_id' must be exactly 12 digits (quote it to keep leading "
        "zeros), not '12345'"}},
      {"gateway: {account_id: \"12345678901a\"}\n",
       {"x.yaml:1:23: 'gateway.account_id' must be exactly 12 digits (quote it to keep leading "
        "zeros), not '12345678901a'"}},
      {"gateway: {public_host: \"a b\"}\n",
       {"x.yaml:1:24: 'gateway.public_host' must be a host name or IP address, not 'a b'"}},
  });
}

TEST(ConfigErrors, EnumValues) {
  expect_cases({
      {"gateway: {log_format: xml}\n",
       {"x.yaml:1:23: 'gateway.log_format' must be one of text, json, not 'xml'"}},
      {"gateway: {log_level: warning}\n",
       {"x.yaml:1:22: 'gateway.log_level' must be one of trace, debug, info, warn, error, not "
        "'warning' (did you mean 'warn'?)"}},
      {"stage_endpoint: {kind: webrtc}\n",
       {"x.yaml:1:24: 'stage_endpoint.kind' must be one of local, rtmp, rtmps, not 'webrtc'"}},
      {"media: {video: {b_frames: forbid}}\n",
       {"x.yaml:1:27: 'media.video.b_frames' must be one of reject, allow, not 'forbid'"}},
      {"media: {video: {profiles: [baseline, constrained-baseline]}}\n",
       {"x.yaml:1:38: 'media.video.profiles[1]' must be one of baseline, constrained_baseline, "
        "main, extended, high, high10, high422, high444, not 'constrained-baseline' (did you mean "
        "'constrained_baseline'?)"}},
      {"media: {video: {codecs: [h264, h265]}}\n",
       {"x.yaml:1:32: 'media.video.codecs[1]' must be one of h264, hevc, av1, vp9, not 'h265' "
        "(did you mean 'h264'?)"}},
      {"media: {video: {codecs: [h264, h264]}}\n",
       {"x.yaml:1:32: 'media.video.codecs[1]' repeats 'h264'"}},
      {"media: {audio: {codecs: [aac-lc]}}\n",
       {"x.yaml:1:26: 'media.audio.codecs[0]' must be one of aac_lc, he_aac, he_aac_v2, mp3, "
        "opus, not 'aac-lc' (did you mean 'aac_lc'?)"}},
      {"stages:\n  - name: s\n    ingest_configurations:\n      - {name: c, ingest_protocol: "
       "rtmps}\n",
       {"x.yaml:4:36: 'stages[0].ingest_configurations[0].ingest_protocol' must be one of RTMP, "
        "RTMPS, not 'rtmps' (did you mean 'RTMPS'?)"}},
  });
}

TEST(ConfigErrors, ListenersAndEndpoints) {
  expect_cases({
      {"listeners:\n  rtmps:\n    bind: \"127.0.0.1:4443\"\n",
       {"x.yaml:3:5: 'listeners.rtmps' needs 'certificate' (a PEM file) when RTMPS is enabled",
        "x.yaml:3:5: 'listeners.rtmps' needs 'private_key' (a PEM file) when RTMPS is enabled"}},
      {"listeners:\n  rtmps:\n",
       {"x.yaml:2:3: 'listeners.rtmps' needs 'certificate' (a PEM file) when RTMPS is enabled",
        "x.yaml:2:3: 'listeners.rtmps' needs 'private_key' (a PEM file) when RTMPS is enabled"}},
      {"listeners:\n  rtmp: {bind: \"127.0.0.1:9000\"}\n  api: {bind: \"127.0.0.1:9000\"}\n",
       {"x.yaml:3:15: 'listeners.api.bind' uses the same address as 'listeners.rtmp.bind'"}},
      {"stage_endpoint: {kind: rtmp}\n",
       {"x.yaml:1:17: 'stage_endpoint' needs 'url' when kind is rtmp"}},
      {"stage_endpoint: {kind: rtmps, url: \"rtmp://h/live/{stageId}\"}\n",
       {"x.yaml:1:36: 'stage_endpoint.url' must start with rtmps:// when kind is rtmps"}},
      {"stage_endpoint: {kind: rtmp, url: \"rtmp://h/live/{stageId}\", ca_file: ca.pem}\n",
       {"x.yaml:1:71: 'stage_endpoint.ca_file' only applies when kind is rtmps"}},
      {"stage_endpoint: {kind: rtmps, url: \"rtmps://h/live/{stageId}\", ca_file: \"\"}\n",
       {"x.yaml:1:73: 'stage_endpoint.ca_file' must not be empty (leave it out to trust the "
        "system's CA store)"}},
      {"stage_endpoint: {kind: rtmp, url: \"rtmp://h/live/{stage}\"}\n",
       {"x.yaml:1:35: 'stage_endpoint.url' may only use the placeholders {stageId} and "
        "{participantId}"}},
      {"api: {allow_anonymous: true}\nlisteners: {api: {bind: \"0.0.0.0:8080\"}}\n",
       {"x.yaml:1:24: 'api.allow_anonymous' needs 'listeners.api.bind' on a loopback address"}},
      {"api:\n  credentials:\n    - {access_key_id: AKID}\n",
       {"x.yaml:3:7: 'api.credentials[0]' needs 'secret_access_key'"}},
  });
}

TEST(ConfigErrors, StagesAndIngestConfigurations) {
  const std::string long_user(129, 'u');
  const std::string big_value(1020, 'v');
  expect_cases({
      {"stages:\n  - name: \"bad name\"\n",
       {"x.yaml:2:11: 'stages[0].name' must be 1 to 128 letters, digits, '-' or '_', not 'bad "
        "name'"}},
      {"stages:\n  - ingest_configurations: []\n",
       {"x.yaml:2:5: 'stages[0]' needs a 'name' (it is how a stage is matched at start-up)"}},
      {"stages:\n  - name: a\n  - name: a\n", {"x.yaml:3:11: stage 'a' is declared twice"}},
      {"stages:\n  - name: a\n    ingest_configurations:\n      - name: c\n      - name: c\n",
       {"x.yaml:5:15: ingest configuration 'c' is declared twice in stage 'a'"}},
      {"stages:\n  - name: a\n    ingest_configurations:\n      - name: c\n        "
       "ingest_protocol: RTMP\n",
       {"x.yaml:5:26: 'stages[0].ingest_configurations[0].ingest_protocol' RTMP requires "
        "'insecure_ingest: true'"}},
      {"limits: {stages: 1}\nstages:\n  - name: a\n  - name: b\n",
       {"x.yaml:4:5: more stages than 'limits.stages' (1)"}},
  });
  EXPECT_THAT(
      errors_of("stages:\n  - name: a\n    ingest_configurations:\n      - name: c\n        "
                "user_id: " +
                long_user + "\n"),
      ElementsAre("x.yaml:5:18: 'stages[0].ingest_configurations[0].user_id' must be at most 128 "
                  "characters"));
  // 128 characters of UTF-8 are fine even though they take more bytes.
  std::string long_utf8;
  for (int i = 0; i < 128; ++i) long_utf8 += "\xC3\xA9";
  EXPECT_THAT(errors_of("stages:\n  - name: a\n    ingest_configurations:\n      - name: c\n"
                        "        user_id: " +
                        long_utf8 + "\n"),
              IsEmpty());
  EXPECT_THAT(errors_of("stages:\n  - name: a\n    ingest_configurations:\n      - name: c\n"
                        "        attributes: {k1: " +
                        big_value + ", k2: x}\n"),
              ElementsAre("x.yaml:5:21: 'stages[0].ingest_configurations[0].attributes' hold 1025 "
                          "bytes of names and values; at most 1024 are allowed"));
  EXPECT_THAT(errors_of("stages:\n  - name: a\n    ingest_configurations:\n      - name: c\n"
                        "        attributes: {k1: " +
                        big_value + ", k: x}\n"),
              IsEmpty());
}

// A well-formed key for the default gateway; its secret is what must never be printed.
constexpr std::string_view kSecret = "S3cr3tS3cr3tS3cr3tS3cr3tXyZ";

std::string with_key(std::string_view key, std::string_view gateway = "") {
  return std::string(gateway) +
         "stages:\n  - name: a\n    ingest_configurations:\n      - name: c\n        stream_key: " +
         std::string(key) + "\n";
}

TEST(ConfigErrors, BadStreamKeysNameThePartWithoutPrintingTheKey) {
  const std::string secret(kSecret);
  const std::string prefix = "x.yaml:5:21: 'stages[0].ingest_configurations[0].stream_key'";
  struct KeyCase {
    std::string key;
    std::string message;
  };
  const std::vector<KeyCase> cases = {
      {"xx_123456789012_us-east-1_AbCdEfGh1234_" + secret,
       prefix + ": 'stream_key' must start with 'rt_'"},
      {"rt_123456789012_us-east-1_" + secret,
       prefix + ": 'stream_key' must have the form rt_<account_id>_<region>_<id>_<secret>"},
      {"rt_999999999999_us-east-1_AbCdEfGh1234_" + secret,
       prefix + ": the account id in 'stream_key' does not match gateway.account_id"},
      {"rt_123456789012_eu-west-1_AbCdEfGh1234_" + secret,
       prefix + ": the region in 'stream_key' does not match gateway.region"},
      {"rt_123456789012_us-east-1_AbCd-fGh1234_" + secret,
       prefix + ": the id in 'stream_key' must be 12 letters or digits"},
      {"rt_123456789012_us-east-1_AbCdEfGh123_" + secret,
       prefix + ": the id in 'stream_key' must be 12 letters or digits"},
      {"rt_123456789012_us-east-1_AbCdEfGh1234_" + secret.substr(0, 21),
       prefix + ": the secret in 'stream_key' must be at least 22 characters (128 bits in "
                "base62)"},
      {"rt_123456789012_us-east-1_AbCdEfGh1234_" + secret + "%2F",
       prefix + ": the secret in 'stream_key' may contain only letters, digits, '-' and '_'"},
  };
  for (const KeyCase& c : cases) {
    SCOPED_TRACE(c.message);
    const auto errors = errors_of(with_key(c.key));
    ASSERT_THAT(errors, ElementsAre(c.message));
    EXPECT_THAT(errors[0], Not(HasSubstr(secret.substr(0, 10))));
  }
  // The key matches the gateway section of the same file, wherever that is written.
  EXPECT_THAT(errors_of(with_key("rt_000000000001_eu-west-1_AbCdEfGh1234_" + secret,
                                 "gateway: {region: eu-west-1, account_id: \"000000000001\"}\n")),
              IsEmpty());
  // A secret may contain '_' (the key is split on the first four only).
  EXPECT_THAT(errors_of(with_key("rt_123456789012_us-east-1_AbCdEfGh1234_abc_" + secret)),
              IsEmpty());
}

TEST(ConfigErrors, StreamKeyIdsMustBeUnique) {
  const std::string secret(kSecret);
  const std::string yaml =
      "stages:\n"
      "  - name: a\n"
      "    ingest_configurations:\n"
      "      - {name: c1, stream_key: rt_123456789012_us-east-1_AbCdEfGh1234_" +
      secret +
      "}\n"
      "  - name: b\n"
      "    ingest_configurations:\n"
      "      - {name: c2, stream_key: rt_123456789012_us-east-1_AbCdEfGh1234_x" +
      secret + "}\n";
  const auto errors = errors_of(yaml);
  EXPECT_THAT(errors, ElementsAre("x.yaml:7:32: the id in 'stages[1].ingest_configurations[0]."
                                  "stream_key' is already used by "
                                  "'stages[0].ingest_configurations[0].stream_key'"));
}

TEST(ConfigErrors, SecretsNeverAppearInMessages) {
  // A short API secret is refused without being quoted.
  auto errors = errors_of(
      "api:\n  credentials:\n    - {access_key_id: AKID, secret_access_key: tooShortSecret}\n");
  ASSERT_THAT(errors, ElementsAre("x.yaml:3:48: 'api.credentials[0].secret_access_key' must be "
                                  "at least 16 characters"));
  // A stream key glued to its key name ("stream_key:rt_..." in a flow mapping) becomes an unknown
  // key; its text is withheld.
  const std::string secret(kSecret);
  errors = errors_of(
      "stages:\n  - {name: a, ingest_configurations: [{name: c, "
      "stream_key:rt_123456789012_us-east-1_AbCdEfGh1234_" +
      secret + "}]}\n");
  ASSERT_FALSE(errors.empty());
  for (const std::string& e : errors) EXPECT_THAT(e, Not(HasSubstr(secret)));
  // A bad escape inside a quoted key: yaml-cpp would append the offending character.
  errors = errors_of(with_key("\"rt_123456789012_us-east-1_AbCdEfGh1234_\\q" + secret + "\""));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], ::testing::StartsWith("x.yaml:5:"));
  EXPECT_THAT(errors[0], Not(HasSubstr("\\q")));
}

TEST(ConfigErrors, YamlSyntaxErrorsCarryTheirPosition) {
  expect_cases({
      {"gateway: {region: us-east-1\n", {"x.yaml:2:1: end of map flow not found"}},
      {"gateway:\n  region: a\n bad: b\n", {"x.yaml:3:2: end of map not found"}},
      {"gateway: {}\n---\nlimits: {}\n",
       {"x.yaml:2:1: only one YAML document is allowed; remove the second "
        "'---'"}},
  });
}

// yaml-cpp 0.7's LoadAll() loops forever on these (found by tests/fuzz/config_fuzz.cpp); the
// loader must refuse them instead of hanging or accepting them as an empty file.
TEST(ConfigErrors, InputsThatHangYamlCppLoadAllAreRefused) {
  for (std::string_view yaml : {",", ", 2,  &x\n? [k &x\n? [k]"}) {
    SCOPED_TRACE(std::string(yaml));
    EXPECT_THAT(errors_of(yaml), Not(IsEmpty()));
  }
}

TEST(ConfigErrors, AllErrorsAreReportedTogetherInFileOrder) {
  const std::string yaml =
      "gateway:\n"                 // 1
      "  region: Bad_Region\n"     // 2
      "  log_format: xml\n"        // 3
      "listeners:\n"               // 4
      "  rtmp:\n"                  // 5
      "    max_chunk_size: 1\n"    // 6
      "    idle_timout: 5s\n"      // 7
      "media:\n"                   // 8
      "  video:\n"                 // 9
      "    min_short_side: 900\n"  // 10
      "stages:\n"                  // 11
      "  - name: a\n"              // 12
      "  - name: a\n";             // 13
  EXPECT_THAT(
      errors_of(yaml),
      ElementsAre("x.yaml:2:11: 'gateway.region' must be lower-case letters, digits and '-' (like "
                  "us-east-1), not 'Bad_Region'",
                  "x.yaml:3:15: 'gateway.log_format' must be one of text, json, not 'xml'",
                  "x.yaml:6:21: 'listeners.rtmp.max_chunk_size' must be an integer from 128 to "
                  "16777215, not '1'",
                  "x.yaml:7:5: unknown key 'idle_timout' in 'listeners.rtmp' (did you mean "
                  "'idle_timeout'?)",
                  "x.yaml:10:21: 'media.video.min_short_side' (900) is larger than "
                  "'media.video.max_short_side' (720)",
                  "x.yaml:13:11: stage 'a' is declared twice"));
}

}  // namespace
}  // namespace sg::config
