// The client side of an RTMP connection, used to relay a stage's media to an upstream RTMP server
// and to play a stream back (tests, monitoring). Sans-I/O like ServerSession: start() writes the
// handshake, feed() consumes what the server sent and drives connect -> createStream -> publish (or
// play); output goes to the OutQueue the caller writes to its socket.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rtmp/amf0.h"
#include "rtmp/bytes.h"
#include "rtmp/chunk.h"
#include "rtmp/handshake.h"
#include "rtmp/peer_control.h"
#include "rtmp/server_session.h"
#include "rtmp/status.h"

namespace sg::rtmp {

struct ClientSessionOptions {
  enum class Mode { kPublish, kPlay };
  Mode mode = Mode::kPublish;
  std::string app;          // "app" of rtmp://host:port/app/name
  std::string tc_url;       // "rtmp://host:port/app"
  std::string stream_name;  // the publish / play name; may be a stream key, so never logged
  std::string flash_ver = "FMLE/3.0 (compatible; stagegate)";
  bool digest_handshake = true;  // FP9 handshake, as ffmpeg and OBS do
  SessionLimits limits;          // chunk limits, our chunk size, our window, AMF limits
};

class ClientSessionHandler {
 public:
  virtual ~ClientSessionHandler() = default;
  // connect was answered with NetConnection.Connect.Success.
  virtual void on_connected() = 0;
  // onStatus NetStream.Publish.Start: send_media() may be called from now on.
  virtual void on_publish_started() = 0;
  // onStatus NetStream.Play.Start: media follows through on_media().
  virtual void on_play_started() = 0;
  // Every onStatus the server sends, before the specific event above.
  virtual void on_status(std::string_view level, std::string_view code,
                         std::string_view description) = 0;
  // Play: audio, video and onMetaData messages of the played stream.
  virtual void on_media(const MediaMessage& m) = 0;
  // The server refused the session: reason rtmp.connect_rejected, rtmp.create_stream_failed,
  // rtmp.publish_rejected or rtmp.play_rejected, detail "<code>: <description>" from the server.
  // Fired at most once; the session is then kFailed and ignores further input. Protocol errors
  // are not reported here: feed() returns them.
  virtual void on_error(const Error& e) = 0;
};

class ClientSession {
 public:
  enum class State {
    kIdle,
    kHandshake,
    kConnecting,
    kCreatingStream,
    kStarting,
    kPublishing,
    kPlaying,
    kClosed,
    kFailed
  };

  ClientSession(ClientSessionOptions options, RandomFill random, ClientSessionHandler& handler,
                OutQueue& out);

  // Writes C0+C1. Call once, before feed().
  void start();
  // Feeds bytes received from the server. A non-ok status means the connection must be closed.
  // Reason ids from the layers below, plus rtmp.bad_command. Errors are sticky.
  Status feed(ByteView data);

  // Publishing: sends an audio, video or onMetaData (kDataAmf0 ["onMetaData", {...}], sent with
  // "@setDataFrame" in front as servers expect) message. Audio/video payloads are shared, not
  // copied. Ignored unless publishing.
  void send_media(const MediaMessage& m);
  // Ends the stream politely (FCUnpublish + deleteStream when publishing, deleteStream when
  // playing); the caller closes the connection once `out` is flushed.
  void close();

  State state() const { return state_; }
  uint32_t stream_id() const { return stream_id_; }
  uint64_t bytes_received() const { return bytes_in_; }

 private:
  Status on_message(Message&& m);
  Status on_command(const Message& m);
  Status on_result(bool ok, double txn, const std::vector<amf0::Value>& v);
  void on_status_message(const std::vector<amf0::Value>& v);
  void deliver_media(uint8_t type, uint64_t timestamp, Payload payload);
  void send_connect();
  void send_command(uint32_t csid, uint32_t stream_id, const std::vector<amf0::Value>& values);
  void fail(std::string_view reason, std::string detail);
  void maybe_acknowledge();

  ClientSessionOptions opts_;
  ClientSessionHandler& handler_;
  OutQueue& out_;
  ClientHandshake handshake_;
  ChunkReader reader_;
  ChunkWriter writer_;
  State state_ = State::kIdle;
  uint32_t stream_id_ = 0;
  double next_txn_ = 1;
  double connect_txn_ = 0;
  double create_stream_txn_ = 0;
  PeerControl peer_;
  uint64_t bytes_in_ = 0;
  Status error_;  // sticky
};

}  // namespace sg::rtmp
