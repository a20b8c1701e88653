#include "rtmp/client_session.h"

#include <utility>

namespace sg::rtmp {

namespace {

using amf0::Value;

// How long the server should buffer for a player (SetBufferLength), as ffmpeg asks.
constexpr uint32_t kPlayBufferMs = 3000;

}  // namespace

ClientSession::ClientSession(ClientSessionOptions options, RandomFill random,
                             ClientSessionHandler& handler, OutQueue& out)
    : opts_(std::move(options)),
      handler_(handler),
      out_(out),
      handshake_(std::move(random), opts_.digest_handshake),
      reader_(opts_.limits.chunk) {}

void ClientSession::start() {
  if (state_ != State::kIdle) return;
  handshake_.start(out_);
  state_ = State::kHandshake;
}

Status ClientSession::feed(ByteView data) {
  if (!error_) return error_;
  if (state_ == State::kIdle) {
    error_ = make_error("rtmp.unexpected_message", "bytes before start()");
    return error_;
  }
  bytes_in_ += data.size();
  if (state_ == State::kHandshake) {
    auto used = handshake_.feed(data, out_);
    if (!used) {
      error_ = used.status();
      return error_;
    }
    data = data.subspan(*used);
    if (!handshake_.done()) return Status::ok();
    send_connect();
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

void ClientSession::send_connect() {
  writer_.write(control::set_chunk_size(opts_.limits.out_chunk_size), out_);
  writer_.set_chunk_size(opts_.limits.out_chunk_size);
  writer_.write(control::window_ack_size(opts_.limits.window_ack_size), out_);

  std::vector<amf0::Property> props = {{"app", Value::make_string(opts_.app)}};
  if (opts_.mode == ClientSessionOptions::Mode::kPublish) {
    props.emplace_back("type", Value::make_string("nonprivate"));
  }
  props.emplace_back("flashVer", Value::make_string(opts_.flash_ver));
  props.emplace_back("tcUrl", Value::make_string(opts_.tc_url));
  if (opts_.mode == ClientSessionOptions::Mode::kPlay) {
    // What ffmpeg announces as a player: no proxy, all codecs, SeekFrame capable.
    props.emplace_back("fpad", Value::make_bool(false));
    props.emplace_back("capabilities", Value::make_number(15));
    props.emplace_back("audioCodecs", Value::make_number(4071));
    props.emplace_back("videoCodecs", Value::make_number(252));
    props.emplace_back("videoFunction", Value::make_number(1));
  }
  connect_txn_ = next_txn_++;
  send_command(kCommandCsid, 0,
               {Value::make_string("connect"), Value::make_number(connect_txn_),
                Value::make_object(std::move(props))});
  state_ = State::kConnecting;
}

void ClientSession::maybe_acknowledge() {
  if (state_ == State::kFailed || state_ == State::kClosed) return;
  peer_.acknowledge(bytes_in_, writer_, out_);
}

void ClientSession::fail(std::string_view reason, std::string detail) {
  state_ = State::kFailed;
  handler_.on_error(make_error(reason, std::move(detail)));
}

Status ClientSession::on_message(Message&& m) {
  if (state_ == State::kFailed || state_ == State::kClosed) return Status::ok();
  if (auto handled = peer_.on_message(m, writer_, out_)) return *handled;
  switch (m.type) {
    case kCommandAmf0:
      return on_command(m);
    case kDataAmf0: {
      if (state_ != State::kPlaying || m.stream_id != stream_id_) return Status::ok();
      auto values = amf0::decode_all(*m.payload, opts_.limits.amf);
      if (!values) return make_error("rtmp.bad_command", "data message: " + values.error().detail);
      // Only metadata is media; |RtmpSampleAccess and friends are Flash plumbing.
      if (!values->empty() && values->front().as_string() == "onMetaData") {
        deliver_media(kDataAmf0, m.timestamp, std::move(m.payload));
      }
      return Status::ok();
    }
    case kAudio:
    case kVideo:
      if (state_ == State::kPlaying && m.stream_id == stream_id_) {
        deliver_media(m.type, m.timestamp, std::move(m.payload));
      }
      return Status::ok();
    case kAggregate: {
      if (state_ != State::kPlaying || m.stream_id != stream_id_) return Status::ok();
      auto subs = split_aggregate_message(m);
      if (!subs) return subs.status();
      for (auto& sub : *subs) {
        if (state_ != State::kPlaying) break;
        deliver_media(sub.type, sub.timestamp, std::move(sub.payload));
      }
      return Status::ok();
    }
    default:
      return Status::ok();
  }
}

void ClientSession::deliver_media(uint8_t type, uint64_t timestamp, Payload payload) {
  handler_.on_media(MediaMessage{type, timestamp, std::move(payload)});
}

Status ClientSession::on_command(const Message& m) {
  auto decoded = amf0::decode_all(*m.payload, opts_.limits.amf);
  if (!decoded) return make_error("rtmp.bad_command", "command: " + decoded.error().detail);
  const auto& v = *decoded;
  if (v.empty()) return make_error("rtmp.bad_command", "empty command");
  const std::string_view name = v[0].as_string();
  const double txn = v.size() > 1 ? v[1].as_number() : 0;
  if (name == "_result" || name == "_error") return on_result(name == "_result", txn, v);
  if (name == "onStatus") on_status_message(v);
  // onBWDone, onFCPublish, |RtmpSampleAccess and the like need no answer from a client.
  return Status::ok();
}

namespace {
// "code: description" of an info object, for on_error.
std::string describe(const std::vector<Value>& v) {
  const Value* info = v.size() > 3 ? &v[3] : nullptr;
  auto field = [&](std::string_view k) {
    const Value* f = info ? info->find(k) : nullptr;
    return std::string(f ? f->as_string() : std::string_view{});
  };
  return field("code") + ": " + field("description");
}
}  // namespace

Status ClientSession::on_result(bool ok, double txn, const std::vector<Value>& v) {
  if (state_ == State::kConnecting && txn == connect_txn_) {
    const Value* info = v.size() > 3 ? &v[3] : nullptr;
    const Value* code = info ? info->find("code") : nullptr;
    if (!ok || !code || code->as_string() != "NetConnection.Connect.Success") {
      fail("rtmp.connect_rejected", describe(v));
      return Status::ok();
    }
    handler_.on_connected();
    if (state_ != State::kConnecting) return Status::ok();  // the handler closed us
    const std::string& name = opts_.stream_name;
    if (opts_.mode == ClientSessionOptions::Mode::kPublish) {
      // The FMLE sequence that nginx-rtmp, SRS and the IVS-style servers expect.
      send_command(kCommandCsid, 0,
                   {Value::make_string("releaseStream"), Value::make_number(next_txn_++),
                    Value::make_null(), Value::make_string(name)});
      send_command(kCommandCsid, 0,
                   {Value::make_string("FCPublish"), Value::make_number(next_txn_++),
                    Value::make_null(), Value::make_string(name)});
    }
    create_stream_txn_ = next_txn_++;
    send_command(kCommandCsid, 0,
                 {Value::make_string("createStream"), Value::make_number(create_stream_txn_),
                  Value::make_null()});
    state_ = State::kCreatingStream;
    return Status::ok();
  }
  if (state_ == State::kCreatingStream && txn == create_stream_txn_) {
    const double id = v.size() > 3 ? v[3].as_number(0) : 0;
    if (!ok || id < 1 || id > double(0xFFFFFF)) {
      fail("rtmp.create_stream_failed", describe(v));
      return Status::ok();
    }
    stream_id_ = uint32_t(id);
    const std::string& name = opts_.stream_name;
    if (opts_.mode == ClientSessionOptions::Mode::kPublish) {
      send_command(kStreamCsid, stream_id_,
                   {Value::make_string("publish"), Value::make_number(next_txn_++),
                    Value::make_null(), Value::make_string(name), Value::make_string("live")});
    } else {
      // -2000: live if there is one, else recorded (ffmpeg's default for a live player).
      send_command(kStreamCsid, stream_id_,
                   {Value::make_string("play"), Value::make_number(next_txn_++), Value::make_null(),
                    Value::make_string(name), Value::make_number(-2000)});
      writer_.write(control::user_control(control::kSetBufferLength, stream_id_, kPlayBufferMs),
                    out_);
    }
    state_ = State::kStarting;
    return Status::ok();
  }
  // Answers to releaseStream / FCPublish carry nothing we need.
  return Status::ok();
}

void ClientSession::on_status_message(const std::vector<Value>& v) {
  const Value* info = v.size() > 3 ? &v[3] : nullptr;
  auto field = [&](std::string_view k) {
    const Value* f = info ? info->find(k) : nullptr;
    return f ? f->as_string() : std::string_view{};
  };
  const std::string_view level = field("level");
  const std::string_view code = field("code");
  handler_.on_status(level, code, field("description"));
  if (state_ != State::kStarting) return;
  const bool publish = opts_.mode == ClientSessionOptions::Mode::kPublish;
  if (publish && code == "NetStream.Publish.Start") {
    state_ = State::kPublishing;
    handler_.on_publish_started();
  } else if (!publish && code == "NetStream.Play.Start") {
    state_ = State::kPlaying;
    handler_.on_play_started();
  } else if (level == "error") {
    fail(publish ? "rtmp.publish_rejected" : "rtmp.play_rejected", describe(v));
  }
}

void ClientSession::send_media(const MediaMessage& m) {
  if (state_ != State::kPublishing || !m.payload) return;
  Message out;
  out.type = m.type;
  out.stream_id = stream_id_;
  out.timestamp = m.timestamp;
  if (m.type == kDataAmf0) {
    // Servers store metadata only when it comes as @setDataFrame; the small copy is fine here.
    std::vector<uint8_t> body;
    amf0::encode(Value::make_string("@setDataFrame"), body);
    body.insert(body.end(), m.payload->begin(), m.payload->end());
    out.csid = kStreamCsid;
    out.payload = make_payload(std::move(body));
  } else {
    out.csid = m.type == kAudio ? kAudioCsid : kVideoCsid;
    out.payload = m.payload;  // shared: referenced by the output queue, never copied
  }
  writer_.write(out, out_);
}

void ClientSession::close() {
  if (state_ == State::kPublishing || state_ == State::kStarting) {
    if (opts_.mode == ClientSessionOptions::Mode::kPublish) {
      send_command(kCommandCsid, 0,
                   {Value::make_string("FCUnpublish"), Value::make_number(next_txn_++),
                    Value::make_null(), Value::make_string(opts_.stream_name)});
    }
  }
  if (stream_id_ != 0 && state_ != State::kFailed && state_ != State::kClosed) {
    send_command(kCommandCsid, 0,
                 {Value::make_string("deleteStream"), Value::make_number(next_txn_++),
                  Value::make_null(), Value::make_number(stream_id_)});
  }
  state_ = State::kClosed;
}

void ClientSession::send_command(uint32_t csid, uint32_t stream_id,
                                 const std::vector<Value>& values) {
  writer_.write(make_amf0_message(kCommandAmf0, csid, stream_id, values), out_);
}

}  // namespace sg::rtmp
