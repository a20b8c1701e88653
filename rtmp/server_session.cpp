#include "rtmp/server_session.h"

#include <utility>

#include "rtmp/flv.h"

namespace sg::rtmp {

namespace {

using amf0::Value;

Value status_object(std::string_view level, std::string_view code, std::string_view description) {
  return Value::make_object({
      {"level", Value::make_string(std::string(level))},
      {"code", Value::make_string(std::string(code))},
      {"description", Value::make_string(std::string(description))},
  });
}

// AMF3 command/data messages (types 17 and 15) start with a format selector byte; clients that use
// them (Flash with objectEncoding 3) still encode the values themselves in AMF0 after it.
ByteView amf0_body(const Message& m) {
  ByteView body = *m.payload;
  if ((m.type == kCommandAmf3 || m.type == kDataAmf3) && !body.empty() && body[0] == 0) {
    body = body.subspan(1);
  }
  return body;
}

Error bad_command(std::string detail) {
  return make_error("rtmp.bad_command", std::move(detail));
}
Error unexpected(std::string detail) {
  return make_error("rtmp.unexpected_message", std::move(detail));
}

// Stream names and app names are echoed into logs by callers; cap what we keep so a hostile name
// cannot blow up memory or log lines.
constexpr size_t kMaxNameLength = 1024;

std::string_view arg_string(const std::vector<Value>& v, size_t i) {
  return i < v.size() ? v[i].as_string() : std::string_view{};
}

}  // namespace

Message make_amf0_message(uint8_t type, uint32_t csid, uint32_t stream_id,
                          const std::vector<Value>& values) {
  Message m;
  m.csid = csid;
  m.type = type;
  m.stream_id = stream_id;
  m.timestamp = 0;
  m.payload = make_payload(amf0::encode_all(values));
  return m;
}

Result<std::vector<MediaMessage>> split_aggregate_message(const Message& m) {
  auto tags = flv::split_aggregate(*m.payload);
  if (!tags) return tags.error();
  std::vector<MediaMessage> out;
  out.reserve(tags->size());
  const uint32_t first = tags->empty() ? 0 : tags->front().timestamp;
  for (const auto& t : *tags) {
    if (t.type != kAudio && t.type != kVideo && t.type != kDataAmf0) continue;
    const int64_t delta = int32_t(t.timestamp - first);
    const int64_t ts = int64_t(m.timestamp) + delta;
    out.push_back(MediaMessage{t.type, uint64_t(ts < 0 ? 0 : ts), make_payload(t.body)});
  }
  return out;
}

ServerSession::ServerSession(SessionLimits limits, RandomFill random, ServerSessionHandler& handler,
                             OutQueue& out)
    : limits_(limits),
      handler_(handler),
      out_(out),
      handshake_(std::move(random)),
      reader_(limits.chunk) {}

uint64_t ServerSession::bytes_received() const {
  return bytes_in_;
}

Status ServerSession::feed(ByteView data) {
  if (!error_) return error_;
  bytes_in_ += data.size();
  if (state_ == State::kHandshake) {
    auto used = handshake_.feed(data, out_);
    if (!used) {
      error_ = used.status();
      return error_;
    }
    data = data.subspan(*used);
    if (!handshake_.done()) return Status::ok();
    state_ = State::kConnecting;
  }
  if (!data.empty()) {
    Status st = reader_.feed(data, [this](Message&& m) { return on_message(std::move(m)); });
    if (!st) {
      error_ = st;
      return st;
    }
  }
  maybe_acknowledge();
  return Status::ok();
}

void ServerSession::maybe_acknowledge() {
  if (state_ == State::kClosed) return;
  peer_.acknowledge(bytes_in_, writer_, out_);
}

Status ServerSession::on_message(Message&& m) {
  // After a refused publish/play the caller is closing the connection; nothing more is processed.
  if (state_ == State::kClosed) return Status::ok();
  if (auto handled = peer_.on_message(m, writer_, out_)) return *handled;
  switch (m.type) {
    case kSetChunkSize:  // applied by the reader itself
    case kAbort:
    case kAcknowledgement:
    case kSetPeerBandwidth:
      return Status::ok();
    case kCommandAmf0:
    case kCommandAmf3:
      return on_command(m, amf0_body(m));
    case kDataAmf0:
    case kDataAmf3:
      return on_data(m, amf0_body(m));
    case kAudio:
    case kVideo:
      // Media outside an accepted publish is dropped, not an error: OBS starts sending right after
      // publish, before our Publish.Start could have reached it.
      if (state_ == State::kPublishing && m.stream_id == stream_id_) {
        on_media_message(m.type, m.timestamp, std::move(m.payload));
      }
      return Status::ok();
    case kAggregate: {
      if (state_ != State::kPublishing || m.stream_id != stream_id_) return Status::ok();
      auto subs = split_aggregate_message(m);
      if (!subs) return subs.status();
      for (auto& sub : *subs) {
        if (sub.type == kDataAmf0) {
          Message dm;
          dm.type = kDataAmf0;
          dm.stream_id = m.stream_id;
          dm.timestamp = sub.timestamp;
          dm.payload = sub.payload;
          Status st = on_data(dm, *dm.payload);
          if (!st) return st;
        } else {
          on_media_message(sub.type, sub.timestamp, std::move(sub.payload));
        }
        if (state_ != State::kPublishing) break;  // the handler may have ended the stream
      }
      return Status::ok();
    }
    default:
      // Shared objects and unknown types carry nothing a publish or play needs.
      return Status::ok();
  }
}

void ServerSession::on_media_message(uint8_t type, uint64_t timestamp, Payload payload) {
  handler_.on_media(MediaMessage{type, timestamp, std::move(payload)});
}

Status ServerSession::on_data(const Message& m, ByteView body) {
  if (state_ != State::kPublishing || m.stream_id != stream_id_) return Status::ok();
  auto values = amf0::decode_all(body, limits_.amf);
  if (!values) return bad_command("data message: " + values.error().detail);
  if (values->empty() || values->front().as_string() != "@setDataFrame") {
    // A bare onMetaData (some encoders skip @setDataFrame) is passed as it is; other data messages
    // (cue points, text) are not part of what the stage takes.
    if (!values->empty() && values->front().as_string() == "onMetaData") {
      on_media_message(kDataAmf0, m.timestamp, make_payload(body));
    }
    return Status::ok();
  }
  if (values->size() < 2 || values->at(1).as_string() != "onMetaData") return Status::ok();
  // Strip "@setDataFrame" by dropping its encoded bytes: the rest is exactly the encoding of
  // ["onMetaData", {...}] and keeps the sender's bytes (e.g. its ECMA array count) unchanged.
  size_t pos = 0;
  auto first = amf0::decode(body, pos, limits_.amf);
  if (!first) return bad_command("data message: " + first.error().detail);
  on_media_message(kDataAmf0, m.timestamp, make_payload(body.subspan(pos)));
  return Status::ok();
}

Status ServerSession::on_command(const Message& m, ByteView body) {
  auto decoded = amf0::decode_all(body, limits_.amf);
  if (!decoded) return bad_command("command: " + decoded.error().detail);
  const std::vector<Value>& v = *decoded;
  if (v.empty() || !v[0].is_string()) return bad_command("command without a name");
  const std::string_view name = v[0].as_string();
  const double txn = v.size() > 1 ? v[1].as_number() : 0;

  if (name == "connect") {
    if (state_ != State::kConnecting) return unexpected("second connect");
    return on_connect(txn, v);
  }
  if (state_ == State::kConnecting) return unexpected("command before connect");

  if (name == "releaseStream" || name == "FCPublish") {
    // ffmpeg and OBS send these before createStream and do not wait for the answer; nginx-rtmp
    // and SRS answer with an empty _result. Transaction 0 means "no answer expected" (GStreamer's
    // rtmp2sink), and an answer to it would be a _result for nothing.
    if (txn == 0) return Status::ok();
    send_command(kCommandCsid, 0,
                 {Value::make_string("_result"), Value::make_number(txn), Value::make_null(),
                  Value::make_undefined()});
    return Status::ok();
  }
  if (name == "createStream") {
    if (state_ != State::kConnected) return unexpected("createStream while a stream is active");
    stream_id_ = kPlayStreamId;
    send_command(kCommandCsid, 0,
                 {Value::make_string("_result"), Value::make_number(txn), Value::make_null(),
                  Value::make_number(stream_id_)});
    return Status::ok();
  }
  if (name == "publish" || name == "play") {
    if (state_ != State::kConnected) return unexpected(std::string(name) + " in the wrong state");
    if (stream_id_ == 0) {
      // Tolerate clients that skip createStream and address a stream directly.
      if (m.stream_id == 0) return unexpected(std::string(name) + " before createStream");
      stream_id_ = m.stream_id;
    }
    if (v.size() < 4 || !v[3].is_string())
      return bad_command(std::string(name) + " without a name");
    std::string_view stream = v[3].as_string();
    if (stream.size() > kMaxNameLength) return bad_command("stream name too long");
    stream_name_ = std::string(stream);
    // The state changes before the handler runs: it may answer synchronously.
    if (name == "publish") {
      std::string type(arg_string(v, 4).empty() ? "live" : arg_string(v, 4));
      state_ = State::kPublishPending;
      handler_.on_publish(stream_name_, type);
    } else {
      state_ = State::kPlayPending;
      handler_.on_play(stream_name_);
    }
    return Status::ok();
  }
  if (name == "FCUnpublish" || name == "closeStream") {
    close_stream();
    return Status::ok();
  }
  if (name == "deleteStream") {
    const double id = v.size() > 3 ? v[3].as_number(-1) : -1;
    if (stream_id_ != 0 && id == double(stream_id_)) {
      close_stream();
      stream_id_ = 0;
    }
    return Status::ok();
  }
  if (name == "getStreamLength") {
    // Asked by ffmpeg before play; a live stream has no length.
    send_command(kCommandCsid, 0,
                 {Value::make_string("_result"), Value::make_number(txn), Value::make_null(),
                  Value::make_number(0)});
    return Status::ok();
  }
  if (name == "_checkbw" || name == "FCSubscribe" || name == "FCUnsubscribe" || name == "_result" ||
      name == "_error" || name == "onStatus" || name == "onBWDone" || name == "receiveAudio" ||
      name == "receiveVideo") {
    return Status::ok();  // harmless: nothing to do and nothing the client waits for
  }
  if (txn != 0) {
    std::string method(name.substr(0, 64));
    send_command(kCommandCsid, 0,
                 {Value::make_string("_error"), Value::make_number(txn), Value::make_null(),
                  status_object("error", "NetConnection.Call.Failed",
                                "Method not found (" + method + ").")});
  }
  return Status::ok();
}

Status ServerSession::on_connect(double txn, const std::vector<Value>& v) {
  const Value* obj = v.size() > 2 ? &v[2] : nullptr;
  auto field = [&](std::string_view key) -> std::string {
    const Value* f = obj ? obj->find(key) : nullptr;
    std::string_view s = f ? f->as_string() : std::string_view{};
    return std::string(s.substr(0, kMaxNameLength));
  };
  connect_.app = field("app");
  connect_.tc_url = field("tcUrl");
  connect_.flash_ver = field("flashVer");
  const Value* enc = obj ? obj->find("objectEncoding") : nullptr;
  connect_.object_encoding = enc ? enc->as_number() : 0;

  if (!handler_.on_connect(connect_)) {
    send_command(
        kCommandCsid, 0,
        {Value::make_string("_error"), Value::make_number(txn), Value::make_null(),
         status_object("error", "NetConnection.Connect.Rejected", "Connection rejected.")});
    state_ = State::kClosed;
    return make_error("rtmp.connect_rejected", "connect refused by the application");
  }

  writer_.write(control::window_ack_size(limits_.window_ack_size), out_);
  writer_.write(control::set_peer_bandwidth(limits_.window_ack_size, 2), out_);
  writer_.write(control::set_chunk_size(limits_.out_chunk_size), out_);
  writer_.set_chunk_size(limits_.out_chunk_size);

  Value info = status_object("status", "NetConnection.Connect.Success", "Connection succeeded.");
  info.properties.emplace_back("objectEncoding", Value::make_number(0));
  send_command(kCommandCsid, 0,
               {Value::make_string("_result"), Value::make_number(txn),
                Value::make_object({{"fmsVer", Value::make_string("FMS/3,0,1,123")},
                                    {"capabilities", Value::make_number(31)}}),
                std::move(info)});
  state_ = State::kConnected;
  return Status::ok();
}

void ServerSession::close_stream() {
  switch (state_) {
    case State::kPublishPending:
    case State::kPublishing:
    case State::kPlayPending:
    case State::kPlaying:
      state_ = State::kConnected;
      handler_.on_stream_closed();
      return;
    default:
      return;  // FCUnpublish followed by deleteStream reports the close only once
  }
}

void ServerSession::accept_publish() {
  if (state_ != State::kPublishPending) return;
  writer_.write(control::user_control(control::kStreamBegin, stream_id_), out_);
  send_on_status("status", "NetStream.Publish.Start", "Start publishing.");
  state_ = State::kPublishing;
}

void ServerSession::reject_publish(std::string_view code, std::string_view description) {
  if (state_ != State::kPublishPending) return;
  send_on_status("error", code, description);
  state_ = State::kClosed;
}

void ServerSession::accept_play() {
  if (state_ != State::kPlayPending) return;
  writer_.write(control::user_control(control::kStreamBegin, stream_id_), out_);
  send_on_status("status", "NetStream.Play.Reset", "Playing and resetting.");
  send_on_status("status", "NetStream.Play.Start", "Started playing.");
  // Flash-era players want this before they allow access to the samples; harmless for others.
  writer_.write(make_amf0_message(kDataAmf0, kStreamCsid, stream_id_,
                                  {Value::make_string("|RtmpSampleAccess"), Value::make_bool(true),
                                   Value::make_bool(true)}),
                out_);
  state_ = State::kPlaying;
}

void ServerSession::reject_play(std::string_view code, std::string_view description) {
  if (state_ != State::kPlayPending) return;
  send_on_status("error", code, description);
  state_ = State::kClosed;
}

void ServerSession::send_status(std::string_view level, std::string_view code,
                                std::string_view description) {
  if (stream_id_ == 0 || state_ == State::kClosed || state_ == State::kHandshake) return;
  send_on_status(level, code, description);
}

void ServerSession::send_media(const MediaMessage& m) {
  if (state_ != State::kPlaying || !m.payload) return;
  Message out;
  out.type = m.type;
  out.csid = m.type == kAudio ? kAudioCsid : m.type == kVideo ? kVideoCsid : kStreamCsid;
  out.stream_id = stream_id_;
  out.timestamp = m.timestamp;
  out.payload = m.payload;  // shared: the writer references it, never copies
  writer_.write(out, out_);
}

void ServerSession::send_command(uint32_t csid, uint32_t stream_id,
                                 const std::vector<Value>& values) {
  writer_.write(make_amf0_message(kCommandAmf0, csid, stream_id, values), out_);
}

void ServerSession::send_on_status(std::string_view level, std::string_view code,
                                   std::string_view description) {
  send_command(kStreamCsid, stream_id_,
               {Value::make_string("onStatus"), Value::make_number(0), Value::make_null(),
                status_object(level, code, description)});
}

}  // namespace sg::rtmp
