// sg_push: a test publisher that does what ffmpeg cannot. It publishes an FLV file over RTMP with
// the stagegate ClientSession, and can offset timestamps across the 32-bit wrap, loop the file,
// stall mid-stream with the connection open, or write an invalid chunk. The integration tests run
// it as a subprocess and read its stdout, one event per line:
//   connected | publishing | status LEVEL CODE DESCRIPTION | error REASON DETAIL | closed |
//   stalled | garbage | done
// Exit codes: 0 sent completely (or the stall / garbage scenario behaved), 1 refused (an error
// onStatus or on_error), 2 the server closed the connection, 3 the server kept the connection
// open after the garbage, 4 usage, file, I/O or protocol error.
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "rtmp/client_session.h"
#include "tests/tools/flv_tags.h"
#include "tests/tools/push_options.h"
#include "tests/tools/tcp_client.h"

namespace sg::tools {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

enum ExitCode { kExitOk = 0, kExitRefused = 1, kExitClosed = 2, kExitNotClosed = 3, kExitIo = 4 };

// How long the server gets for the connect/createStream/publish exchange, and to close the
// connection after the garbage.
constexpr milliseconds kStartTimeout{10000};
constexpr milliseconds kGarbageCloseTimeout{5000};
// After our polite close: how long we wait for the server to close its side.
constexpr milliseconds kLingerTimeout{2000};
// Without pacing the file is queued faster than the socket drains; bound the queue.
constexpr size_t kMaxQueuedBytes = 4 * 1024 * 1024;

void emit(const std::string& line) {
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

void emit_error(const Error& e) {
  emit("error " + std::string(e.reason) + " " + e.detail);
}

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return int(std::clamp<int64_t>(left, 0, 1000));
}

class Publisher : public rtmp::ClientSessionHandler {
 public:
  Publisher(const PushOptions& opts, TcpClient socket)
      : opts_(opts),
        socket_(std::move(socket)),
        session_(session_options(opts), random, *this, out_) {}

  int run(const std::vector<FlvTag>& tags);

  // ClientSessionHandler.
  void on_connected() override { emit("connected"); }
  void on_publish_started() override {
    publishing_ = true;
    emit("publishing");
  }
  void on_play_started() override {}
  void on_status(std::string_view level, std::string_view code,
                 std::string_view description) override {
    emit("status " + std::string(level) + " " + std::string(code) + " " + std::string(description));
    // ClientSession only fails on an error before Publish.Start; one while publishing (a media
    // refusal such as INVALID_VIDEO_CODEC) is a refusal too.
    if (level == "error") refused_ = true;
  }
  void on_media(const rtmp::MediaMessage&) override {}
  void on_error(const Error& e) override {
    emit_error(e);
    refused_ = true;
  }

 private:
  static rtmp::ClientSessionOptions session_options(const PushOptions& o) {
    rtmp::ClientSessionOptions s;
    s.mode = rtmp::ClientSessionOptions::Mode::kPublish;
    s.app = o.url.app;
    s.tc_url = o.url.tc_url;
    s.stream_name = o.url.stream_name;
    // ClientSession sends Set Chunk Size with this value right after the handshake.
    s.limits.out_chunk_size = o.chunk_size;
    return s;
  }
  static void random(uint8_t* out, size_t n) {
    if (RAND_bytes(out, int(n)) != 1) std::fill(out, out + n, uint8_t(0x5a));
  }

  // Waits up to timeout_ms for socket activity, writes queued output, feeds what arrived. Returns
  // false once the connection is over (closed_ or failed_ set).
  bool pump(int timeout_ms);
  // Pumps until `done()` holds, the connection is over, or `deadline` passes.
  template <class Pred>
  bool pump_until(Clock::time_point deadline, Pred done);
  // The exit code for a connection that ended (or was refused) before the end.
  int ended_code() const;
  int send_file(const std::vector<FlvTag>& tags);
  int stall();
  int send_garbage();
  int finish();

  const PushOptions& opts_;
  TcpClient socket_;
  OutQueue out_;
  rtmp::ClientSession session_;
  std::vector<uint8_t> buf_;
  bool publishing_ = false;
  bool refused_ = false;
  bool closed_ = false;
  bool failed_ = false;        // an I/O or protocol error, already reported
  bool silent_close_ = false;  // after `done`, the server's close is expected: no `closed` line
};

bool Publisher::pump(int timeout_ms) {
  if (closed_ || failed_) return false;
  auto ev = socket_.wait(timeout_ms, out_);
  if (!ev) {
    emit_error(ev.error());
    failed_ = true;
    return false;
  }
  if (*ev == TcpClient::Event::kNone) return true;
  // A failed write (reset) may leave the server's last words, such as an error onStatus, unread:
  // read until the socket says nothing more or closed either way.
  for (;;) {
    auto r = socket_.read(buf_);
    if (!r) {
      emit_error(r.error());
      failed_ = true;
      return false;
    }
    if (*r == TcpClient::Event::kClosed) {
      closed_ = true;
      if (!silent_close_) emit("closed");
      return false;
    }
    if (*r == TcpClient::Event::kNone) break;
    Status st = session_.feed(buf_);
    if (!st) {
      emit_error(st.error());
      failed_ = true;
      return false;
    }
  }
  if (*ev == TcpClient::Event::kClosed) {
    // The write side saw the reset but the read did not (yet): the connection is over anyway.
    closed_ = true;
    if (!silent_close_) emit("closed");
    return false;
  }
  return true;
}

template <class Pred>
bool Publisher::pump_until(Clock::time_point deadline, Pred done) {
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    if (!pump(remaining_ms(deadline))) return done();
  }
  return true;
}

int Publisher::ended_code() const {
  if (refused_) return kExitRefused;
  if (failed_) return kExitIo;
  return publishing_ ? kExitClosed : kExitRefused;  // closed before Publish.Start: refused
}

int Publisher::run(const std::vector<FlvTag>& tags) {
  session_.start();
  const bool started = pump_until(Clock::now() + kStartTimeout,
                                  [&] { return publishing_ || refused_ || closed_ || failed_; });
  if (!started) {
    emit("error tools.timeout no NetStream.Publish.Start within 10 s");
    return kExitIo;
  }
  if (refused_) {
    // Let the server finish (it closes after the refusal); the `closed` line tells the test.
    pump_until(Clock::now() + kLingerTimeout, [&] { return closed_ || failed_; });
    return kExitRefused;
  }
  if (!publishing_) return ended_code();
  return send_file(tags);
}

int Publisher::send_file(const std::vector<FlvTag>& tags) {
  if (tags.empty()) return finish();
  // Loop k starts where loop k-1 ended plus one average frame interval, so timestamps keep rising.
  uint32_t first = tags.front().timestamp, last = first;
  for (const auto& t : tags) {
    first = std::min(first, t.timestamp);
    last = std::max(last, t.timestamp);
  }
  const size_t video = size_t(std::count_if(
      tags.begin(), tags.end(), [](const FlvTag& t) { return t.type == rtmp::kVideo; }));
  const uint64_t span = last - first;
  const uint64_t gap = video > 1 ? std::max<uint64_t>(1, span / (video - 1)) : 1;
  const Clock::time_point t0 = Clock::now();

  for (uint64_t loop = 0; loop < opts_.loops; ++loop) {
    const uint64_t base = loop * (span + gap);
    for (const auto& tag : tags) {
      if (tag.type != rtmp::kAudio && tag.type != rtmp::kVideo && tag.type != rtmp::kDataAmf0) {
        continue;
      }
      const uint64_t media_ms = base + (tag.timestamp - first);
      if (opts_.duration && media_ms >= *opts_.duration) return finish();
      if (opts_.stall_after && media_ms >= *opts_.stall_after) return stall();
      if (opts_.garbage_after && media_ms >= *opts_.garbage_after) return send_garbage();
      if (opts_.realtime) {
        pump_until(t0 + milliseconds(media_ms), [] { return false; });
      } else {
        pump(0);
      }
      if (refused_ || closed_ || failed_) return ended_code();
      session_.send_media(
          rtmp::MediaMessage{tag.type, opts_.ts_offset + base + tag.timestamp, tag.body});
      if (out_.size_bytes() > kMaxQueuedBytes) {
        pump_until(Clock::time_point::max(),
                   [&] { return out_.size_bytes() <= kMaxQueuedBytes / 4; });
      }
    }
  }
  return finish();
}

int Publisher::finish() {
  session_.close();  // FCUnpublish + deleteStream
  pump_until(Clock::now() + kStartTimeout, [&] { return out_.empty(); });
  if (refused_ || closed_ || failed_) return ended_code();
  if (!out_.empty()) {
    emit("error tools.timeout the server did not read the end of the stream");
    return kExitIo;
  }
  emit("done");
  // Half-close and wait for the server's close, so that it sees an orderly end, not a reset.
  silent_close_ = true;
  socket_.shutdown_write();
  pump_until(Clock::now() + kLingerTimeout, [&] { return closed_ || failed_; });
  return kExitOk;
}

int Publisher::stall() {
  emit("stalled");
  const auto deadline =
      opts_.stall_for ? Clock::now() + milliseconds(*opts_.stall_for) : Clock::time_point::max();
  pump_until(deadline, [] { return false; });
  if (refused_ || closed_ || failed_) return ended_code();
  return kExitOk;
}

int Publisher::send_garbage() {
  // Everything queued goes first, so the garbage starts exactly at a chunk boundary.
  pump_until(Clock::now() + kStartTimeout, [&] { return out_.empty(); });
  if (refused_ || closed_ || failed_) return ended_code();
  // A type-0 chunk header on a new chunk stream (csid 60) announcing a 0xFFFFFF-byte video
  // message: larger than any sane max_message_size, so the server must drop the connection.
  std::vector<uint8_t> junk = {0x3c, 0x00,         0x00, 0x00, 0xff, 0xff,
                               0xff, rtmp::kVideo, 0x01, 0x00, 0x00, 0x00};
  junk.resize(64, 0xa5);
  if (Status st = socket_.write_all(junk); !st) {
    emit_error(st.error());
    return kExitIo;
  }
  emit("garbage");
  pump_until(Clock::now() + kGarbageCloseTimeout, [&] { return closed_ || failed_; });
  if (closed_) return kExitOk;
  if (failed_) return kExitIo;
  return kExitNotClosed;
}

int main_impl(int argc, char** argv) {
  auto opts = parse_push_options(argc, argv);
  if (!opts) {
    std::fprintf(stderr, "sg_push: %s\n%s", opts.error().detail.c_str(), kPushUsage);
    emit_error(opts.error());
    return kExitIo;
  }
  auto tags = read_flv_tags(opts->file);
  if (!tags) {
    emit_error(tags.error());
    return kExitIo;
  }
  auto socket = TcpClient::connect(opts->url.host, opts->url.port, opts->source_address);
  if (!socket) {
    emit_error(socket.error());
    return kExitIo;
  }
  Publisher publisher(*opts, std::move(*socket));
  return publisher.run(*tags);
}

}  // namespace
}  // namespace sg::tools

int main(int argc, char** argv) {
  return sg::tools::main_impl(argc, argv);
}
