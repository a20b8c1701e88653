#include "gateway/rtmp_connection.h"

#include "gateway/gateway.h"
#include "gateway/participant_token.h"
#include "gateway/random.h"
#include "rtmp/chunk.h"

namespace sg::gw {
namespace {

rtmp::SessionLimits session_limits(const config::RtmpListener& l) {
  rtmp::SessionLimits s;
  s.chunk.max_chunk_size = l.max_chunk_size;
  s.chunk.max_message_size = l.max_message_size;
  s.chunk.max_chunk_streams = l.max_chunk_streams;
  s.out_chunk_size = l.out_chunk_size;
  return s;
}

bool is_loopback(const std::string& ip) {
  return ip.rfind("127.", 0) == 0 || ip == "::1" || ip.rfind("::ffff:127.", 0) == 0;
}

// "name?query" -> "name": players may append ?token=...; publishers' keys never carry one.
std::string_view strip_query(std::string_view s) {
  return s.substr(0, s.find('?'));
}

// Held media before both sequence headers validated: enough for metadata, headers and a few frames.
constexpr size_t kMaxHeld = 256;
// A connection closing after its last messages waits this long for the peer to read them.
constexpr Millis kDrainTimeoutMs = 5000;

}  // namespace

RtmpConnection::RtmpConnection(Gateway& gw, uint64_t id, std::unique_ptr<ByteStream> stream)
    : gw_(gw), id_(id), stream_(std::move(stream)) {
  stream_->count_bytes_written(&gw.metrics().rtmp_bytes_out);
  player_sink_.self = this;
  created_ = last_bytes_ = now_millis();
  session_ = std::make_unique<rtmp::ServerSession>(
      session_limits(gw_.config().rtmp), [](uint8_t* p, size_t n) { random_bytes(p, n); }, *this,
      stream_->out());
}

RtmpConnection::~RtmpConnection() = default;

bool RtmpConnection::start(uv_stream_t* server) {
  if (stream_->accept_from(server) != 0) return false;
  peer_ = stream_->peer_address();
  gw_.log().info("conn={} accepted from {}{}", id_, peer_, stream_->secure() ? " (RTMPS)" : "");
  stream_->start_reading([this](ByteView d) { on_bytes(d); },
                         [this](std::string why) {
                           if (stream_->tls_handshake_failed())
                             gw_.metrics().tls_handshake_failures++;
                           close(why);
                         });
  return true;
}

void RtmpConnection::on_bytes(ByteView data) {
  if (closing_) return;
  last_bytes_ = now_millis();
  gw_.metrics().rtmp_bytes_in += data.size();
  Status s = session_->feed(data);
  flush();
  if (!s) {
    gw_.log().warn("conn={} protocol error {}: {}", id_, s.reason(), s.error().detail);
    gw_.metrics().rtmp_protocol_errors++;
    end_publish("");
    close_after_flush("protocol error");
  }
}

void RtmpConnection::flush() {
  stream_->flush();
  // A player that cannot keep up is dropped rather than buffering without bound.
  size_t pending = stream_->pending_bytes();
  if (role_ == Role::kPlayer && pending > gw_.config().rtmp.max_pending_output_bytes) {
    gw_.log().warn("conn={} player too slow ({} bytes pending): dropped", id_, pending);
    close("slow player");
  }
}

bool RtmpConnection::on_connect(const rtmp::ConnectInfo& info) {
  app_ = std::string(strip_query(info.app));
  if (app_ != "app" && app_ != "play") {
    gw_.log().warn("conn={} connect to unknown application '{}' refused", id_, app_);
    return false;
  }
  return true;
}

void RtmpConnection::on_publish(std::string_view stream_name, std::string_view) {
  if (app_ != "app" || role_ != Role::kUnknown) {
    session_->reject_publish("NetStream.Publish.BadName", "publish is only allowed on /app/");
    close_after_flush("publish on the wrong application");
    return;
  }
  auto decision = gw_.ingest().authorize(stream_name, stream_->secure(), stream_->peer_ip(), this);
  if (auto* refusal = std::get_if<PublishRefusal>(&decision)) {
    gw_.metrics().refusals[refusal->error_code]++;
    session_->reject_publish(refusal->status_code,
                             refusal->error_code + ": " + refusal->description);
    flush();
    close_after_flush("publish refused");
    return;
  }
  role_ = Role::kPublisher;
  grant_ = std::get<PublishGrant>(decision);
  gw_.log().info("conn={} publishing stage={} session={} participant={} config={} over {}", id_,
                 grant_->stage_id, grant_->session_id, grant_->participant_id, grant_->config_id,
                 stream_->secure() ? "RTMPS (" + stream_->security() + ")" : std::string("RTMP"));
  validator_ = std::make_unique<validation::StreamValidator>(gw_.config().media);
  publish_start_ = last_media_ = now_millis();
  session_->accept_publish();
  flush();
}

void RtmpConnection::on_play(std::string_view stream_name) {
  if (app_ != "play" || role_ != Role::kUnknown) {
    session_->reject_play("NetStream.Play.Failed", "play is only allowed on /play/");
    close_after_flush("play on the wrong application");
    return;
  }
  std::string participant(strip_query(stream_name));
  const IngestConfiguration* cfg = gw_.registry().config_by_participant(participant);
  if (!cfg) {
    session_->reject_play("NetStream.Play.StreamNotFound", "no such participant");
    close_after_flush("play of an unknown participant");
    return;
  }
  if (!may_play(*cfg, stream_name)) {
    session_->reject_play("NetStream.Play.Failed",
                          "a participant token with the SUBSCRIBE capability for this stage is "
                          "required (?token=...)");
    close_after_flush("play refused");
    return;
  }
  role_ = Role::kPlayer;
  session_->accept_play();
  watching_ = &gw_.stage().broadcast(participant);
  gw_.log().info("conn={} playing participant={}", id_, participant);
  watching_->add(&player_sink_);
  flush();
}

bool RtmpConnection::may_play(const IngestConfiguration& cfg, std::string_view stream_name) {
  const auto& pb = gw_.config().playback;
  if (pb.allow_any || (pb.allow_loopback && is_loopback(stream_->peer_ip()))) return true;
  auto q = stream_name.find('?');
  if (q == std::string_view::npos) return false;
  std::string_view query = stream_name.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (part.rfind("token=", 0) != 0) continue;
    auto claims = verify_participant_token(part.substr(6), gw_.token_key(), now_millis());
    return claims && claims->can("SUBSCRIBE") && claims->stage_arn == cfg.stage_arn &&
           !cfg.stage_arn.empty();
  }
  return false;
}

void RtmpConnection::on_media(const rtmp::MediaMessage& m) {
  if (role_ != Role::kPublisher || !validator_ || closing_) return;
  last_media_ = now_millis();
  std::optional<validation::Violation> v;
  if (m.type == rtmp::kVideo)
    v = validator_->on_video(m.timestamp, ByteView(*m.payload));
  else if (m.type == rtmp::kAudio)
    v = validator_->on_audio(m.timestamp, ByteView(*m.payload));
  if (v) {
    fail_publish(*v);
    return;
  }
  if (!publish_started_) {
    if (held_.size() < kMaxHeld) held_.push_back(m);
    if (!validator_->ready()) return;
    publish_started_ = true;
    gw_.ingest().publish_started(*grant_);
    broadcast_ = &gw_.stage().broadcast(grant_->participant_id);
    start_relay();
    for (const auto& h : held_) broadcast_->publish(h);
    held_.clear();
    return;
  }
  broadcast_->publish(m);
}

void RtmpConnection::start_relay() {
  const auto& ep = gw_.config().stage_endpoint;
  if (ep.kind != "rtmp" && ep.kind != "rtmps") return;
  std::string url = expand_url_template(ep.url, grant_->stage_id, grant_->participant_id);
  std::string prefix = "conn=" + std::to_string(id_) + " participant=" + grant_->participant_id;
  relay_ = Relay::start(gw_.loop(), ep, std::move(url), gw_.relay_tls(),
                        gw_.config().rtmp.max_pending_output_bytes, *broadcast_, gw_.log(), prefix,
                        [this](std::string why) { kick("INTERNAL_SERVER_EXCEPTION", why); });
}

void RtmpConnection::fail_publish(const validation::Violation& v) {
  std::string code(validation::to_string(v.code));
  gw_.metrics().refusals[code]++;
  gw_.log().warn("conn={} participant={} media rule violated: {} ({})", id_, grant_->participant_id,
                 code, v.detail);
  session_->send_status("error", "NetStream.Publish.Rejected", code + ": " + v.detail);
  end_publish(code);
  close_after_flush("media rule violated");
}

void RtmpConnection::end_publish(std::string_view error_code) {
  if (!grant_) return;
  if (relay_) {
    relay_->stop();
    relay_ = nullptr;
  }
  if (broadcast_) {
    broadcast_->end();
    broadcast_ = nullptr;
  }
  gw_.ingest().publish_ended(*grant_, this, error_code);
  grant_.reset();
  validator_.reset();
}

void RtmpConnection::on_stream_closed() {
  if (role_ == Role::kPublisher) {
    end_publish("");
  } else if (role_ == Role::kPlayer && watching_) {
    watching_->remove(&player_sink_);
    watching_ = nullptr;
  }
}

void RtmpConnection::kick(std::string_view error_code, std::string_view why) {
  gw_.log().info("conn={} publish ended: {}", id_, why);
  if (!error_code.empty()) gw_.metrics().refusals[std::string(error_code)]++;
  if (!error_code.empty())
    session_->send_status("error", "NetStream.Publish.Rejected",
                          std::string(error_code) + ": " + std::string(why));
  end_publish(error_code);
  close_after_flush(why);
}

void RtmpConnection::on_media_consumer(const rtmp::MediaMessage& m) {
  if (closing_) return;
  session_->send_media(m);
  flush();
}

void RtmpConnection::on_broadcast_end() {
  // The player's stream is over: tell it and close, so that players exit (or reconnect) cleanly.
  session_->send_status("status", "NetStream.Play.UnpublishNotify",
                        "the participant stopped publishing");
  if (watching_) watching_->remove(&player_sink_);
  watching_ = nullptr;
  close_after_flush("broadcast ended");
}

void RtmpConnection::tick(Millis now) {
  if (closing_) return;
  if (draining_since_ && now - draining_since_ > kDrainTimeoutMs) {
    close("peer did not read the final messages in time");
    return;
  }
  const auto& l = gw_.config().rtmp;
  if (session_->state() == rtmp::ServerSession::State::kHandshake &&
      now - created_ > l.handshake_timeout_ms) {
    close("handshake timeout");
    return;
  }
  if (role_ != Role::kPlayer && now - last_bytes_ > l.idle_timeout_ms) {
    end_publish("");
    close("idle timeout");
    return;
  }
  if (validator_) {
    if (auto v = validator_->on_tick(std::chrono::milliseconds(now - publish_start_)))
      fail_publish(*v);
  }
}

void RtmpConnection::close_after_flush(std::string_view why) {
  if (closing_) return;
  std::string reason(why);
  draining_since_ = now_millis();
  stream_->stop_reading();
  stream_->when_drained([this, reason] { close(reason); });
}

void RtmpConnection::close(std::string_view why) {
  if (closing_) return;
  end_publish("");
  if (watching_) {
    watching_->remove(&player_sink_);
    watching_ = nullptr;
  }
  closing_ = true;
  gw_.log().info("conn={} closed: {}", id_, why);
  gw_.connection_closed(this);
  stream_->close([this] { delete this; });
}

}  // namespace sg::gw
