// The validated, immutable configuration. Parsed once from YAML (config/loader.h), defaulted,
// validated, then passed by const reference to constructors. Every field has a default so that no
// file at all gives a working loopback gateway with SQLite state and the local stage.
// Every struct compares with ==, so a reload (SIGHUP) can tell what changed and tests can compare
// whole sections against the documented defaults.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sg::config {

struct Endpoint {
  std::string host = "127.0.0.1";  // IPv4 or IPv6 literal ("::1"), or "localhost"
  uint16_t port = 0;               // 0 = pick a free port

  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

struct Gateway {
  std::string region = "us-east-1";
  std::string account_id = "123456789012";
  std::string public_host = "127.0.0.1";
  std::string log_format = "text";  // text | json
  std::string log_level = "info";   // trace | debug | info | warn | error

  friend bool operator==(const Gateway&, const Gateway&) = default;
};

struct RtmpListener {
  Endpoint bind{"127.0.0.1", 1935};
  uint32_t max_chunk_size = 65536;
  uint32_t max_message_size = 8 * 1024 * 1024;
  uint32_t max_chunk_streams = 64;
  uint32_t max_pending_output_bytes = 32 * 1024 * 1024;  // a slow subscriber is dropped past this
  uint32_t handshake_timeout_ms = 10000;
  uint32_t idle_timeout_ms = 30000;  // no bytes at all from the peer
  uint32_t out_chunk_size = 4096;

  friend bool operator==(const RtmpListener&, const RtmpListener&) = default;
};

struct RtmpsListener {
  bool enabled = false;
  Endpoint bind{"127.0.0.1", 4443};
  std::string certificate;  // PEM chain
  std::string private_key;

  friend bool operator==(const RtmpsListener&, const RtmpsListener&) = default;
};

struct ApiListener {
  bool enabled = true;
  Endpoint bind{"127.0.0.1", 8080};

  friend bool operator==(const ApiListener&, const ApiListener&) = default;
};

struct State {
  std::string path = "var/stagegate.db";

  friend bool operator==(const State&, const State&) = default;
};

// Where StorageConfigurations keep their "buckets": one directory per bucket name.
struct Storage {
  std::string root = "var/storage";

  friend bool operator==(const Storage&, const Storage&) = default;
};

struct Credential {
  std::string access_key_id;
  std::string secret_access_key;

  friend bool operator==(const Credential&, const Credential&) = default;
};

struct Api {
  std::vector<Credential> credentials;
  bool allow_anonymous = false;
  // Requests per second per operation (token bucket, burst = one second's worth); an operation
  // not listed uses default_rate_limit; 0 means unlimited. Over the limit: 429 ThrottlingException.
  std::vector<std::pair<std::string, double>> rate_limits;
  double default_rate_limit = 0;

  friend bool operator==(const Api&, const Api&) = default;
};

struct VideoRules {
  std::vector<std::string> codecs = {"h264"};
  std::vector<std::string> profiles = {"baseline", "constrained_baseline"};
  uint32_t max_bitrate_kbps = 8500;
  std::string b_frames = "reject";  // reject | allow
  uint32_t min_short_side = 160;
  uint32_t max_short_side = 720;
  uint32_t max_long_side = 1280;
  // Measured always; enforced (INVALID_INPUT) only when enforce_* is true.
  double min_fps = 10;
  double max_fps = 60;
  bool enforce_fps = false;
  uint32_t min_idr_interval_ms = 1000;
  uint32_t max_idr_interval_ms = 2000;
  bool enforce_idr_interval = false;

  friend bool operator==(const VideoRules&, const VideoRules&) = default;
};

struct AudioRules {
  std::vector<std::string> codecs = {"aac_lc"};
  std::vector<uint32_t> sample_rates = {44100, 48000};
  uint32_t max_channels = 2;
  uint32_t max_bitrate_kbps = 160;

  friend bool operator==(const AudioRules&, const AudioRules&) = default;
};

struct Media {
  std::chrono::milliseconds max_duration{24LL * 3600 * 1000};
  std::chrono::milliseconds bitrate_window{2000};
  double bitrate_tolerance = 0.10;
  std::chrono::milliseconds track_grace{5000};
  VideoRules video;
  AudioRules audio;

  friend bool operator==(const Media&, const Media&) = default;
};

struct Limits {
  uint32_t publishers_per_stage = 12;
  uint32_t ingest_configurations = 100;
  uint32_t stages = 1000;
  std::chrono::milliseconds takeover_window{1500};
  uint32_t auth_failures_before_throttle = 5;  // per remote address
  std::chrono::milliseconds auth_throttle_window{60000};
  uint32_t max_connections = 1000;

  friend bool operator==(const Limits&, const Limits&) = default;
};

struct StageEndpoint {
  std::string kind = "local";  // local | rtmp | rtmps
  std::string url;             // relay template with {stageId} and {participantId}
  std::string ca_file;  // rtmps: PEM CA bundle the upstream must chain to; empty = system store
  std::chrono::milliseconds reconnect_initial{500};
  std::chrono::milliseconds reconnect_max{5000};
  std::chrono::milliseconds max_downtime{10000};  // then INTERNAL_SERVER_EXCEPTION

  friend bool operator==(const StageEndpoint&, const StageEndpoint&) = default;
};

struct Playback {
  // Until participant tokens exist: who may play /play/<participantId> without a token.
  bool allow_loopback = true;
  bool allow_any = false;

  friend bool operator==(const Playback&, const Playback&) = default;
};

struct Sessions {
  std::chrono::milliseconds idle_end{
      60000};  // a stage session ends this long after the last leaves

  friend bool operator==(const Sessions&, const Sessions&) = default;
};

struct DeclaredIngestConfiguration {
  std::string name;
  std::string user_id;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string ingest_protocol = "RTMPS";  // RTMP | RTMPS
  bool insecure_ingest = false;
  std::string stream_key;  // optional operator-supplied key in the IVS format

  friend bool operator==(const DeclaredIngestConfiguration&,
                         const DeclaredIngestConfiguration&) = default;
};

struct DeclaredStage {
  std::string name;
  std::vector<DeclaredIngestConfiguration> ingest_configurations;

  friend bool operator==(const DeclaredStage&, const DeclaredStage&) = default;
};

struct Config {
  std::string source = "<defaults>";  // the file it came from, for messages
  Gateway gateway;
  RtmpListener rtmp;
  RtmpsListener rtmps;
  ApiListener api_listener;
  State state;
  Storage storage;
  Api api;
  Media media;
  Limits limits;
  StageEndpoint stage_endpoint;
  Playback playback;
  Sessions sessions;
  std::vector<DeclaredStage> stages;

  friend bool operator==(const Config&, const Config&) = default;
};

}  // namespace sg::config
