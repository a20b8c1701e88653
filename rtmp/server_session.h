// The server side of an RTMP connection: handshake, chunk stream, protocol control, and the command
// flow for publish and play (connect, releaseStream, FCPublish, createStream, publish, play,
// FCUnpublish, deleteStream, closeStream, @setDataFrame). The protocol executes; the application
// decides: on_publish()/on_play() only report the request, and the handler answers later (possibly
// after asynchronous work) with accept_*/reject_*.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rtmp/amf0.h"
#include "rtmp/bytes.h"
#include "rtmp/chunk.h"
#include "rtmp/handshake.h"
#include "rtmp/peer_control.h"
#include "rtmp/status.h"

namespace sg::rtmp {

struct SessionLimits {
  ChunkLimits chunk;
  uint32_t out_chunk_size = 4096;      // sent with Set Chunk Size right after connect
  uint32_t window_ack_size = 2500000;  // announced with Window Acknowledgement Size
  amf0::DecodeLimits amf;              // per command / data message
};

// Chunk stream ids used for what we send, as nginx-rtmp and ffmpeg do (players do not care, but
// keeping media types on their own chunk streams keeps the type-1/2/3 header compression
// effective).
inline constexpr uint32_t kCommandCsid = 3;  // connection commands and their replies
inline constexpr uint32_t kStreamCsid = 5;   // onStatus, data messages, stream commands
inline constexpr uint32_t kAudioCsid = 6;
inline constexpr uint32_t kVideoCsid = 7;
inline constexpr uint32_t kPlayStreamId = 1;  // the message stream id createStream hands out

struct ConnectInfo {
  std::string app;  // "app" for publishers, "play" for subscribers
  std::string tc_url;
  std::string flash_ver;
  double object_encoding = 0;
};

// An audio, video or data (@setDataFrame/onMetaData) message of a stream, with the timestamp
// unwrapped to 64 bits. The payload is the FLV tag body exactly as received (shared, never copied).
struct MediaMessage {
  uint8_t type = 0;  // kAudio, kVideo or kDataAmf0
  uint64_t timestamp = 0;
  Payload payload;
};

// Splits an aggregate message (type 22) into its audio, video and data sub-messages. Sub-message
// timestamps are rebased onto the aggregate's own timestamp: ts = m.timestamp + (sub - first sub),
// the difference taken modulo 2^32 as a signed value and clamped at 0. Sub-payloads are copied (the
// shared payload type cannot alias a slice); aggregates are rare. Reason id flv.bad_aggregate.
Result<std::vector<MediaMessage>> split_aggregate_message(const Message& m);

// Builds a command/data message body: amf0::encode_all of `values` on `csid` / `stream_id`.
Message make_amf0_message(uint8_t type, uint32_t csid, uint32_t stream_id,
                          const std::vector<amf0::Value>& values);

class ServerSessionHandler {
 public:
  virtual ~ServerSessionHandler() = default;
  // A connect command arrived. Return false to refuse it (an _error is sent, then the session
  // ends).
  virtual bool on_connect(const ConnectInfo& info) = 0;
  // publish(name, type): answer with accept_publish() or reject_publish(), now or later.
  virtual void on_publish(std::string_view stream_name, std::string_view publish_type) = 0;
  // play(name): answer with accept_play() or reject_play(), now or later.
  virtual void on_play(std::string_view stream_name) = 0;
  // Media of an accepted publish (audio, video, and onMetaData with @setDataFrame stripped).
  virtual void on_media(const MediaMessage& m) = 0;
  // FCUnpublish / deleteStream / closeStream of the publishing or playing stream.
  virtual void on_stream_closed() = 0;
};

class ServerSession {
 public:
  enum class State {
    kHandshake,
    kConnecting,
    kConnected,
    kPublishPending,
    kPublishing,
    kPlayPending,
    kPlaying,
    kClosed
  };

  ServerSession(SessionLimits limits, RandomFill random, ServerSessionHandler& handler,
                OutQueue& out);

  // Feeds received bytes. A non-ok status means the connection must be closed (after flushing
  // `out`). Reason ids from the layers below, plus rtmp.bad_command, rtmp.unexpected_message,
  // rtmp.connect_rejected. Errors are sticky. After reject_publish/reject_play the session is
  // kClosed and ignores further input (feed returns ok) until the caller closes the connection.
  Status feed(ByteView data);

  // Answers to on_publish. accept sends onStatus NetStream.Publish.Start (and StreamBegin);
  // reject sends onStatus level "error" with `code` (e.g. "NetStream.Publish.BadName") and
  // `description` (which names the stagegate error code, e.g. "INVALID_STREAM_KEY: ..."); the
  // caller then closes the connection once `out` is flushed.
  void accept_publish();
  void reject_publish(std::string_view code, std::string_view description);
  void accept_play();
  void reject_play(std::string_view code, std::string_view description);
  // Sends an onStatus on the publishing/playing stream (e.g. NetStream.Play.UnpublishNotify).
  void send_status(std::string_view level, std::string_view code, std::string_view description);

  // For a playing session: sends a media message on the play stream; the payload is shared.
  void send_media(const MediaMessage& m);

  State state() const { return state_; }
  uint32_t stream_id() const { return stream_id_; }
  // Every byte fed so far, handshake included (the acknowledgement sequence number).
  uint64_t bytes_received() const;
  const ConnectInfo& connect_info() const { return connect_; }

 private:
  Status on_message(Message&& m);
  Status on_command(const Message& m, ByteView body);
  Status on_connect(double txn, const std::vector<amf0::Value>& args);
  Status on_data(const Message& m, ByteView body);
  void on_media_message(uint8_t type, uint64_t timestamp, Payload payload);
  void close_stream();
  void send_command(uint32_t csid, uint32_t stream_id, const std::vector<amf0::Value>& values);
  void send_on_status(std::string_view level, std::string_view code, std::string_view description);
  void maybe_acknowledge();

  SessionLimits limits_;
  ServerSessionHandler& handler_;
  OutQueue& out_;
  ServerHandshake handshake_;
  ChunkReader reader_;
  ChunkWriter writer_;
  State state_ = State::kHandshake;
  uint32_t stream_id_ = 0;    // the one stream created with createStream (kPlayStreamId)
  PeerControl peer_;  // the window the peer announced, acknowledgements, pings
  uint64_t bytes_in_ = 0;
  std::string stream_name_;
  ConnectInfo connect_;
  Status error_;  // sticky
};

}  // namespace sg::rtmp
