// One RTMP connection: I/O and lifecycle only. It runs the sans-I/O ServerSession over a ByteStream
// (plain TCP or TLS: the listener decides, nothing here depends on it but the protocol the ingest
// policy sees) and hands decisions to collaborators: IngestService (may this key publish?),
// StreamValidator (is this media acceptable?), LocalStage (where accepted media goes and where
// players read from).
#pragma once

#include <uv.h>

#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "gateway/byte_stream.h"
#include "gateway/ingest_service.h"
#include "gateway/relay.h"
#include "gateway/stage_plane.h"
#include "rtmp/server_session.h"
#include "validation/validator.h"

namespace sg::gw {

class Gateway;

class RtmpConnection final : public rtmp::ServerSessionHandler, public LivePublisher {
 public:
  enum class Role { kUnknown, kPublisher, kPlayer };

  RtmpConnection(Gateway& gw, uint64_t id, std::unique_ptr<ByteStream> stream);
  ~RtmpConnection() override;

  // Accepts from the listener and starts reading; false when accept failed (then close() it).
  bool start(uv_stream_t* server);
  // Closes now (the object deletes itself once libuv released the handle).
  void close(std::string_view why);
  // Closes once everything queued has been written (after a refusal or a violation).
  void close_after_flush(std::string_view why);
  // Called by the gateway's housekeeping timer: timeouts, grace period, duration.
  void tick(Millis now);

  uint64_t id() const { return id_; }
  Role role() const { return role_; }

  // rtmp::ServerSessionHandler
  bool on_connect(const rtmp::ConnectInfo& info) override;
  void on_publish(std::string_view stream_name, std::string_view publish_type) override;
  void on_play(std::string_view stream_name) override;
  void on_media(const rtmp::MediaMessage& m) override;
  void on_stream_closed() override;

  // LivePublisher
  Millis last_media_time() const override { return last_media_; }
  void kick(std::string_view error_code, std::string_view why) override;

  // As a player: the watched broadcast's media, and its end.
  void on_media_consumer(const rtmp::MediaMessage& m);
  void on_broadcast_end();

 private:
  // MediaConsumer::on_media and ServerSessionHandler::on_media share a name; a player's media
  // arrives through this adapter.
  struct PlayerSink : MediaConsumer {
    RtmpConnection* self;
    void on_media(const rtmp::MediaMessage& m) override { self->on_media_consumer(m); }
    void on_broadcast_end() override { self->on_broadcast_end(); }
  };
  void on_bytes(ByteView data);
  void end_publish(std::string_view error_code);
  void fail_publish(const validation::Violation& v);
  void start_relay();
  // Playback of `cfg`'s participant: allowed by the YAML switches or by a participant token with
  // the SUBSCRIBE capability for its stage (`?token=` in the stream name).
  bool may_play(const IngestConfiguration& cfg, std::string_view stream_name);
  void flush();

  Gateway& gw_;
  uint64_t id_;
  std::unique_ptr<ByteStream> stream_;
  std::string peer_;
  std::unique_ptr<rtmp::ServerSession> session_;
  Role role_ = Role::kUnknown;
  bool closing_ = false;
  Millis draining_since_ = 0;  // close_after_flush() waiting for the queue to drain
  Millis created_ = 0;
  Millis last_bytes_ = 0;
  Millis last_media_ = 0;
  std::string app_;

  // Publisher state.
  std::optional<PublishGrant> grant_;
  std::unique_ptr<validation::StreamValidator> validator_;
  Millis publish_start_ = 0;
  bool publish_started_ = false;
  std::deque<rtmp::MediaMessage> held_;  // media before both sequence headers validated
  Broadcast* broadcast_ = nullptr;
  Relay* relay_ = nullptr;  // stage_endpoint kind rtmp; frees itself after stop()

  // Player state.
  PlayerSink player_sink_{};
  Broadcast* watching_ = nullptr;
};

}  // namespace sg::gw
