// Publish policy: stream key authentication (shared/SPEC.md section 4), the live-publisher table
// (one publisher per key, ghost takeover, per-stage quota), throttling of repeated failures, and
// the participant events of a publish. Connections ask; this decides. No I/O here.
#pragma once

#include <spdlog/logger.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "config/config.h"
#include "gateway/model.h"
#include "gateway/registry.h"

namespace sg::gw {

// What the policy needs from a live publisher's connection.
class LivePublisher {
 public:
  virtual ~LivePublisher() = default;
  // Wall-clock time of the last media message received.
  virtual Millis last_media_time() const = 0;
  // Ends the publish now with `error_code` (empty for a plain stop) and closes the connection.
  virtual void kick(std::string_view error_code, std::string_view why) = 0;
};

struct PublishGrant {
  std::string config_id;
  std::string stage_id;
  std::string session_id;
  std::string participant_id;
};

struct PublishRefusal {
  std::string status_code;  // NetStream.Publish.BadName / NetStream.Publish.Rejected
  std::string error_code;   // INVALID_STREAM_KEY, ... (named in the onStatus description)
  std::string description;
};

class IngestService {
 public:
  IngestService(const config::Config& cfg, Registry& registry, spdlog::logger& log);

  // A publish with `stream_key` over plain RTMP (secure=false) or RTMPS from `ip`.
  std::variant<PublishGrant, PublishRefusal> authorize(std::string_view stream_key, bool secure,
                                                       const std::string& ip,
                                                       LivePublisher* publisher);
  // Valid media is flowing: PUBLISH_STARTED.
  void publish_started(const PublishGrant& g);
  // The publish ended: PUBLISH_ERROR (when error_code is set), PUBLISH_STOPPED, LEFT; the
  // configuration becomes INACTIVE. Idempotent per grant.
  void publish_ended(const PublishGrant& g, LivePublisher* publisher, std::string_view error_code);

  size_t live_publishers() const { return live_.size(); }
  bool is_live(std::string_view config_id) const { return live_.count(config_id) > 0; }
  // Ends the configuration's live publish, if any (the encoder's connection is closed; events
  // PUBLISH_STOPPED and LEFT are written). Returns whether there was one.
  bool disconnect(std::string_view config_id, std::string_view why);
  // Ends every live publish (shutdown).
  void kick_all(std::string_view why);

 private:
  bool throttled(const std::string& ip, Millis now);
  void note_failure(const std::string& ip, Millis now);
  PublishRefusal join_error(const IngestConfiguration& c, const Stage& s, std::string code,
                            std::string description);

  const config::Config& cfg_;
  Registry& registry_;
  spdlog::logger& log_;
  struct Live {
    LivePublisher* publisher;
    PublishGrant grant;
  };
  std::map<std::string, Live, std::less<>> live_;  // by configuration id
  struct Failures {
    Millis window_start = 0;
    uint32_t count = 0;
  };
  std::map<std::string, Failures, std::less<>> failures_;  // by remote ip
};

}  // namespace sg::gw
