#include "gateway/ingest_service.h"

#include <vector>

#include "gateway/stream_key.h"

namespace sg::gw {

IngestService::IngestService(const config::Config& cfg, Registry& registry, spdlog::logger& log)
    : cfg_(cfg), registry_(registry), log_(log) {}

bool IngestService::throttled(const std::string& ip, Millis now) {
  auto it = failures_.find(ip);
  if (it == failures_.end()) return false;
  if (now - it->second.window_start > cfg_.limits.auth_throttle_window.count()) {
    failures_.erase(it);
    return false;
  }
  return it->second.count >= cfg_.limits.auth_failures_before_throttle;
}

void IngestService::note_failure(const std::string& ip, Millis now) {
  auto& f = failures_[ip];
  if (f.count == 0 || now - f.window_start > cfg_.limits.auth_throttle_window.count()) {
    f.window_start = now;
    f.count = 0;
  }
  ++f.count;
}

PublishRefusal IngestService::join_error(const IngestConfiguration& c, const Stage& s,
                                         std::string code, std::string description) {
  const auto& session = registry_.ensure_session(s.id);
  registry_.record_event(s.id, session.id, c.participant_id, "JOIN_ERROR", code);
  registry_.release_if_idle(s.id);
  return {"NetStream.Publish.BadName", std::move(code), std::move(description)};
}

std::variant<PublishGrant, PublishRefusal> IngestService::authorize(std::string_view stream_key,
                                                                    bool secure,
                                                                    const std::string& ip,
                                                                    LivePublisher* publisher) {
  Millis now = now_millis();
  if (throttled(ip, now)) {
    log_.warn("publish from {} refused: too many failed attempts", ip);
    return PublishRefusal{"NetStream.Publish.Rejected", "THROTTLED",
                          "too many failed publish attempts from this address; retry later"};
  }
  auto parts = parse_stream_key(stream_key);
  const IngestConfiguration* cfg =
      parts ? registry_.config_by_id(parts->configuration_id) : nullptr;
  if (!cfg || parts->account_id != cfg_.gateway.account_id ||
      parts->region != cfg_.gateway.region) {
    note_failure(ip, now);
    // No configuration: a log line and a counter, never an event (and never the key).
    log_.warn("publish from {} refused: stream key matches no ingest configuration", ip);
    return PublishRefusal{"NetStream.Publish.BadName", "INVALID_STREAM_KEY",
                          "the stream key is not valid"};
  }
  const Stage* stage = registry_.stage_by_arn(cfg->stage_arn);
  auto own = parse_stream_key(cfg->stream_key);
  bool secret_ok = own && secrets_equal(parts->secret, own->secret);
  if (!stage) {
    if (!secret_ok) note_failure(ip, now);
    log_.warn("publish from {} refused: ingest configuration {} is not attached to a stage", ip,
              cfg->id);
    return PublishRefusal{"NetStream.Publish.BadName", "INVALID_STREAM_KEY",
                          "the ingest configuration is not attached to a stage"};
  }
  if (!secret_ok) {
    note_failure(ip, now);
    log_.warn("publish from {} refused: wrong secret for ingest configuration {}", ip, cfg->id);
    return join_error(*cfg, *stage, "INVALID_STREAM_KEY", "the stream key is not valid");
  }
  if (!secure && !cfg->insecure_ingest) {
    return join_error(*cfg, *stage, "INVALID_PROTOCOL",
                      "this ingest configuration accepts RTMPS only");
  }
  if (auto it = live_.find(cfg->id); it != live_.end()) {
    Millis silent = now - it->second.publisher->last_media_time();
    if (silent < cfg_.limits.takeover_window.count()) {
      return join_error(*cfg, *stage, "REUSE_OF_STREAM_KEY",
                        "another encoder is publishing with this stream key");
    }
    log_.info("ingest configuration {}: taking over from a publisher silent for {} ms", cfg->id,
              silent);
    // kick() ends the incumbent's publish (events written) and removes it from live_.
    it->second.publisher->kick("", "taken over by a new connection with the same stream key");
  }
  size_t on_stage = 0;
  for (const auto& [id, l] : live_)
    if (l.grant.stage_id == stage->id) ++on_stage;
  if (on_stage >= cfg_.limits.publishers_per_stage) {
    return join_error(*cfg, *stage, "QUOTA_EXCEEDED", "the stage has reached its publisher limit");
  }
  failures_.erase(ip);
  const auto& p = registry_.participant_joined(stage->id, *cfg, secure ? "RTMPS" : "RTMP");
  PublishGrant g{cfg->id, stage->id, p.session_id, cfg->participant_id};
  registry_.record_event(g.stage_id, g.session_id, g.participant_id, "JOINED");
  registry_.set_config_state(cfg->id, "ACTIVE");
  live_[cfg->id] = Live{publisher, g};
  return g;
}

void IngestService::publish_started(const PublishGrant& g) {
  registry_.participant_published(g.session_id, g.participant_id);
  registry_.record_event(g.stage_id, g.session_id, g.participant_id, "PUBLISH_STARTED");
}

void IngestService::publish_ended(const PublishGrant& g, LivePublisher* publisher,
                                  std::string_view error_code) {
  auto it = live_.find(g.config_id);
  if (it == live_.end() || it->second.publisher != publisher) return;
  live_.erase(it);
  // State first, events after: whoever sees LEFT in the store also sees the configuration INACTIVE
  // (the store applies writes in order).
  registry_.set_config_state(g.config_id, "INACTIVE");
  registry_.participant_left(g.stage_id, g.session_id, g.participant_id);
  if (!error_code.empty())
    registry_.record_event(g.stage_id, g.session_id, g.participant_id, "PUBLISH_ERROR",
                           std::string(error_code));
  registry_.record_event(g.stage_id, g.session_id, g.participant_id, "PUBLISH_STOPPED");
  registry_.record_event(g.stage_id, g.session_id, g.participant_id, "LEFT");
}

bool IngestService::disconnect(std::string_view config_id, std::string_view why) {
  auto it = live_.find(config_id);
  if (it == live_.end()) return false;
  it->second.publisher->kick("", why);  // calls publish_ended(), which erases the entry
  return true;
}

void IngestService::kick_all(std::string_view why) {
  std::vector<LivePublisher*> all;
  for (auto& [id, l] : live_) all.push_back(l.publisher);
  for (auto* p : all) p->kick("", why);
}

}  // namespace sg::gw
