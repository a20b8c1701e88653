// Loading whole files: defaults, every key, the sample, relative paths, unreadable files.
#include "config/loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace sg::config {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kData = STAGEGATE_TEST_DATA;
const std::string kSource = STAGEGATE_SOURCE_DIR;

Config load_ok(std::string_view yaml, std::string name = "test.yaml") {
  LoadResult r = load_string(yaml, std::move(name));
  EXPECT_THAT(r.errors, IsEmpty());
  return r.config.value_or(Config{});
}

// The values SPEC 3-9 and config.h document, written out independently of Config's initializers
// so that a changed default fails here.
TEST(ConfigDefaults, MatchTheDocumentedValues) {
  const LoadResult r = defaults();
  ASSERT_TRUE(r.config);
  EXPECT_THAT(r.errors, IsEmpty());
  const Config& c = *r.config;
  EXPECT_EQ(c.source, "<defaults>");
  EXPECT_EQ(c.gateway.region, "us-east-1");
  EXPECT_EQ(c.gateway.account_id, "123456789012");
  EXPECT_EQ(c.gateway.public_host, "127.0.0.1");
  EXPECT_EQ(c.gateway.log_format, "text");
  EXPECT_EQ(c.gateway.log_level, "info");
  EXPECT_EQ(c.rtmp.bind, (Endpoint{"127.0.0.1", 1935}));
  EXPECT_EQ(c.rtmp.max_chunk_size, 65536u);
  EXPECT_EQ(c.rtmp.max_message_size, 8388608u);
  EXPECT_EQ(c.rtmp.max_chunk_streams, 64u);
  EXPECT_EQ(c.rtmp.max_pending_output_bytes, 33554432u);
  EXPECT_EQ(c.rtmp.handshake_timeout_ms, 10000u);
  EXPECT_EQ(c.rtmp.idle_timeout_ms, 30000u);
  EXPECT_EQ(c.rtmp.out_chunk_size, 4096u);
  EXPECT_FALSE(c.rtmps.enabled);
  EXPECT_EQ(c.rtmps.bind, (Endpoint{"127.0.0.1", 4443}));
  EXPECT_TRUE(c.api_listener.enabled);
  EXPECT_EQ(c.api_listener.bind, (Endpoint{"127.0.0.1", 8080}));
  EXPECT_EQ(c.state.path, "var/stagegate.db");
  EXPECT_THAT(c.api.credentials, IsEmpty());
  EXPECT_FALSE(c.api.allow_anonymous);
  EXPECT_EQ(c.media.max_duration, 24h);
  EXPECT_EQ(c.media.bitrate_window, 2s);
  EXPECT_DOUBLE_EQ(c.media.bitrate_tolerance, 0.10);
  EXPECT_EQ(c.media.track_grace, 5s);
  EXPECT_THAT(c.media.video.codecs, ElementsAre("h264"));
  EXPECT_THAT(c.media.video.profiles, ElementsAre("baseline", "constrained_baseline"));
  EXPECT_EQ(c.media.video.max_bitrate_kbps, 8500u);
  EXPECT_EQ(c.media.video.b_frames, "reject");
  EXPECT_EQ(c.media.video.min_short_side, 160u);
  EXPECT_EQ(c.media.video.max_short_side, 720u);
  EXPECT_EQ(c.media.video.max_long_side, 1280u);
  EXPECT_DOUBLE_EQ(c.media.video.min_fps, 10);
  EXPECT_DOUBLE_EQ(c.media.video.max_fps, 60);
  EXPECT_FALSE(c.media.video.enforce_fps);
  EXPECT_EQ(c.media.video.min_idr_interval_ms, 1000u);
  EXPECT_EQ(c.media.video.max_idr_interval_ms, 2000u);
  EXPECT_FALSE(c.media.video.enforce_idr_interval);
  EXPECT_THAT(c.media.audio.codecs, ElementsAre("aac_lc"));
  EXPECT_THAT(c.media.audio.sample_rates, ElementsAre(44100u, 48000u));
  EXPECT_EQ(c.media.audio.max_channels, 2u);
  EXPECT_EQ(c.media.audio.max_bitrate_kbps, 160u);
  EXPECT_EQ(c.limits.publishers_per_stage, 12u);
  EXPECT_EQ(c.limits.ingest_configurations, 100u);
  EXPECT_EQ(c.limits.stages, 1000u);
  EXPECT_EQ(c.limits.takeover_window, 1500ms);
  EXPECT_EQ(c.limits.auth_failures_before_throttle, 5u);
  EXPECT_EQ(c.limits.auth_throttle_window, 60s);
  EXPECT_EQ(c.limits.max_connections, 1000u);
  EXPECT_EQ(c.stage_endpoint.kind, "local");
  EXPECT_EQ(c.stage_endpoint.url, "");
  EXPECT_EQ(c.stage_endpoint.reconnect_initial, 500ms);
  EXPECT_EQ(c.stage_endpoint.reconnect_max, 5s);
  EXPECT_EQ(c.stage_endpoint.max_downtime, 10s);
  EXPECT_TRUE(c.playback.allow_loopback);
  EXPECT_FALSE(c.playback.allow_any);
  EXPECT_EQ(c.sessions.idle_end, 60s);
  EXPECT_THAT(c.stages, IsEmpty());
}

TEST(ConfigDefaults, EmptyAndCommentOnlyFilesGiveTheDefaults) {
  Config expected = *defaults().config;
  expected.source = "empty.yaml";
  for (std::string_view text : {"", "# nothing here\n", "---\n", "{}\n", "\n\n   \n"}) {
    SCOPED_TRACE(std::string(text));
    EXPECT_EQ(load_ok(text, "empty.yaml"), expected);
  }
}

TEST(ConfigDefaults, EmptySectionsKeepTheDefaults) {
  Config expected = *defaults().config;
  expected.source = "test.yaml";
  EXPECT_EQ(load_ok("gateway:\nlisteners: {rtmp: {}, api: {}}\nmedia: {video: {}}\nstages: []\n"),
            expected);
}

TEST(ConfigLoad, FullFileRoundTrip) {
  const LoadResult r = load_file(kData + "/full.yaml");
  ASSERT_THAT(r.errors, IsEmpty());
  ASSERT_TRUE(r.config);

  Config e;  // every field below differs from its default
  e.source = kData + "/full.yaml";
  e.gateway = {"eu-west-1", "000000000042", "media.example.test", "json", "debug"};
  e.rtmp = {{"::1", 19350}, 131072, 1048576, 16, 1048576, 2000, 60000, 60000};
  e.rtmps = {true, {"127.0.0.2", 44300}, kData + "/tls/cert.pem", "/etc/stagegate/key.pem"};
  e.api_listener = {false, {"localhost", 0}};
  e.state.path = kData + "/db/state.sqlite";
  e.api.credentials = {{"AKIDEXAMPLE1", "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"},
                       {"AKIDEXAMPLE2", "anotherSecretThatIsLongEnough"}};
  e.api.allow_anonymous = true;
  e.media.max_duration = 90min;
  e.media.bitrate_window = 1500ms;
  e.media.bitrate_tolerance = 0.25;
  e.media.track_grace = 3s;
  e.media.video = {{"h264", "hevc", "av1", "vp9"},
                   {"main", "high"},
                   6000,
                   "allow",
                   240,
                   1080,
                   1920,
                   23.976,
                   50,
                   true,
                   500,
                   4000,
                   true};
  e.media.audio = {{"opus", "aac_lc", "he_aac", "he_aac_v2", "mp3"}, {48000}, 1, 96};
  e.limits = {3, 7, 5, 0ms, 2, 5min, 50};
  e.stage_endpoint = {"rtmps",
                      "rtmps://relay.example.test:443/live/{stageId}-{participantId}",
                      kData + "/tls/relay-ca.pem",
                      250ms,
                      8s,
                      30s};
  e.playback = {false, true};
  e.sessions.idle_end = 2min;
  DeclaredIngestConfiguration cam1{
      "cam_1",
      "camera one",
      {{"position", "left"}, {"quality", "hd"}},
      "RTMP",
      true,
      "rt_000000000042_eu-west-1_AbCdEfGh1234_abcd1234efgh5678ijkl9012MNOP34"};
  DeclaredIngestConfiguration cam2;
  cam2.name = "cam-2";
  e.stages = {{"main-stage", {cam1, cam2}}, {"second", {}}};

  const Config& c = *r.config;
  // Section by section first, so a failure names the section.
  EXPECT_EQ(c.gateway, e.gateway);
  EXPECT_EQ(c.rtmp, e.rtmp);
  EXPECT_EQ(c.rtmps, e.rtmps);
  EXPECT_EQ(c.api_listener, e.api_listener);
  EXPECT_EQ(c.state, e.state);
  EXPECT_EQ(c.api, e.api);
  EXPECT_EQ(c.media.video, e.media.video);
  EXPECT_EQ(c.media.audio, e.media.audio);
  EXPECT_EQ(c.media, e.media);
  EXPECT_EQ(c.limits, e.limits);
  EXPECT_EQ(c.stage_endpoint, e.stage_endpoint);
  EXPECT_EQ(c.playback, e.playback);
  EXPECT_EQ(c.sessions, e.sessions);
  EXPECT_EQ(c.stages, e.stages);
  EXPECT_EQ(c, e);

  // The file really sets every section away from the defaults (guards the test itself).
  const Config d;
  EXPECT_NE(c.gateway, d.gateway);
  EXPECT_NE(c.rtmp, d.rtmp);
  EXPECT_NE(c.rtmps, d.rtmps);
  EXPECT_NE(c.api_listener, d.api_listener);
  EXPECT_NE(c.media.video, d.media.video);
  EXPECT_NE(c.media.audio, d.media.audio);
  EXPECT_NE(c.limits, d.limits);
  EXPECT_NE(c.stage_endpoint, d.stage_endpoint);
  EXPECT_NE(c.playback, d.playback);
  EXPECT_NE(c.sessions, d.sessions);
}

// The sample documents every default: apart from the demo stage, the sample credential and the
// path resolution it must equal defaults(), so a default changed in one place fails here.
TEST(ConfigLoad, SampleFileLoadsAndDocumentsTheDefaults) {
  const std::string path = kSource + "/samples/stagegate.yaml";
  const LoadResult r = load_file(path);
  ASSERT_THAT(r.errors, IsEmpty());
  ASSERT_TRUE(r.config);
  const Config& c = *r.config;

  ASSERT_EQ(c.stages.size(), 1u);
  EXPECT_EQ(c.stages[0].name, "demo");
  ASSERT_EQ(c.stages[0].ingest_configurations.size(), 1u);
  const DeclaredIngestConfiguration& obs = c.stages[0].ingest_configurations[0];
  EXPECT_EQ(obs.name, "obs");
  EXPECT_EQ(obs.user_id, "studio-a");
  EXPECT_EQ(obs.ingest_protocol, "RTMP");
  EXPECT_TRUE(obs.insecure_ingest);
  EXPECT_THAT(obs.stream_key, ::testing::StartsWith("rt_123456789012_us-east-1_"));
  EXPECT_EQ(c.stage_endpoint.kind, "local");
  // The sample differs from the defaults on purpose in: playback needs tokens, the IVS rate limits.
  EXPECT_FALSE(c.playback.allow_loopback);
  ASSERT_EQ(c.api.credentials.size(), 1u);
  EXPECT_EQ(c.state.path, kSource + "/samples/var/stagegate.db");
  EXPECT_EQ(c.storage.root, kSource + "/samples/var/storage");
  ASSERT_EQ(c.api.rate_limits.size(), 6u);
  EXPECT_EQ(c.api.rate_limits[0], (std::pair<std::string, double>{"CreateIngestConfiguration", 5}));

  Config expected = *defaults().config;
  expected.source = path;
  expected.state.path = c.state.path;
  expected.storage.root = c.storage.root;
  expected.playback.allow_loopback = false;
  expected.api.rate_limits = c.api.rate_limits;
  expected.api.credentials = c.api.credentials;
  expected.stages = c.stages;
  EXPECT_EQ(c, expected);
}

TEST(ConfigLoad, RelativePathsResolveAgainstTheFileDirectory) {
  const std::string yaml =
      "state: {path: data/s.db}\n"
      "listeners:\n"
      "  rtmps: {certificate: ../certs/c.pem, private_key: /abs/k.pem}\n"
      "stage_endpoint: {kind: rtmps, url: \"rtmps://h/a/{stageId}\", ca_file: ca/relay.pem}\n";
  Config c = load_ok(yaml, "/etc/stagegate/gw.yaml");
  EXPECT_EQ(c.stage_endpoint.ca_file, "/etc/stagegate/ca/relay.pem");
  EXPECT_EQ(c.state.path, "/etc/stagegate/data/s.db");
  EXPECT_EQ(c.rtmps.certificate, "/etc/certs/c.pem");
  EXPECT_EQ(c.rtmps.private_key, "/abs/k.pem");
  EXPECT_TRUE(c.rtmps.enabled);

  // A name without a directory leaves paths relative to the current directory, like defaults().
  c = load_ok(yaml, "gw.yaml");
  EXPECT_EQ(c.state.path, "data/s.db");
  EXPECT_EQ(c.rtmps.certificate, "../certs/c.pem");

  c = load_ok(yaml, "conf/gw.yaml");
  EXPECT_EQ(c.state.path, "conf/data/s.db");
  EXPECT_EQ(c.rtmps.certificate, "certs/c.pem");

  // SQLite's in-memory database is not a path.
  EXPECT_EQ(load_ok("state: {path: \":memory:\"}\n", "/etc/gw.yaml").state.path, ":memory:");
}

TEST(ConfigLoad, LoadFileReadsARealFileAndNamesItInErrors) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("sg_config_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "gw.yaml").string();
  {
    std::ofstream out(path);
    out << "gateway:\n  region: eu-central-1\n  pubic_host: x\n";
  }
  const LoadResult r = load_file(path);
  EXPECT_FALSE(r.config);
  EXPECT_THAT(r.errors,
              ElementsAre(path + ":3:3: unknown key 'pubic_host' in 'gateway' (did you mean "
                                 "'public_host'?)"));
  std::filesystem::remove_all(dir);
}

TEST(ConfigLoad, UnreadableFileGivesOneErrorNamingIt) {
  const std::string missing = "/nonexistent/dir/stagegate.yaml";
  const LoadResult r = load_file(missing);
  EXPECT_FALSE(r.config);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0], ::testing::StartsWith(missing + ": cannot read configuration file"));
  EXPECT_THAT(r.errors[0], HasSubstr("No such file"));

  const LoadResult dir = load_file(kData);
  ASSERT_EQ(dir.errors.size(), 1u);
  EXPECT_THAT(dir.errors[0], ::testing::StartsWith(kData + ": cannot read configuration file"));
}

TEST(ConfigLoad, RtmpsBlockCanBeWrittenDownButDisabled) {
  const Config c = load_ok("listeners: {rtmps: {enabled: false, bind: \"127.0.0.1:0\"}}\n");
  EXPECT_FALSE(c.rtmps.enabled);
  EXPECT_EQ(c.rtmps.bind.port, 0);
}

TEST(ConfigLoad, DurationsAcceptPlainSecondsAndCompoundForms) {
  const Config c = load_ok(
      "media: {max_duration: 90, track_grace: 1m, video: {min_idr_interval: 1500ms}}\n"
      "sessions: {idle_end: 1h30m}\n"
      "listeners: {rtmp: {idle_timeout: 2m, handshake_timeout: 1}}\n");
  EXPECT_EQ(c.media.max_duration, 90s);
  EXPECT_EQ(c.media.track_grace, 1min);
  EXPECT_EQ(c.sessions.idle_end, 90min);
  EXPECT_EQ(c.media.video.min_idr_interval_ms, 1500u);
  EXPECT_EQ(c.rtmp.idle_timeout_ms, 120000u);
  EXPECT_EQ(c.rtmp.handshake_timeout_ms, 1000u);
}

TEST(ConfigLoad, RelayEndpointWithUrl) {
  const Config c =
      load_ok("stage_endpoint: {kind: rtmp, url: \"rtmp://127.0.0.1/live/{stageId}\"}\n");
  EXPECT_EQ(c.stage_endpoint.kind, "rtmp");
  EXPECT_EQ(c.stage_endpoint.url, "rtmp://127.0.0.1/live/{stageId}");
}

TEST(ConfigLoad, AttributesKeepTheirOrder) {
  const Config c = load_ok(
      "stages:\n"
      "  - name: s\n"
      "    ingest_configurations:\n"
      "      - name: c\n"
      "        attributes: {z: '1', a: '2', m: three}\n");
  ASSERT_EQ(c.stages.size(), 1u);
  using Attr = std::pair<std::string, std::string>;
  EXPECT_THAT(c.stages[0].ingest_configurations[0].attributes,
              ElementsAre(Attr{"z", "1"}, Attr{"a", "2"}, Attr{"m", "three"}));
}

}  // namespace
}  // namespace sg::config
