// libFuzzer target for the whole server side: a valid handshake followed by arbitrary chunk-stream
// bytes, fed in pieces whose sizes come from the input. Handlers accept everything, so the publish
// and play paths (media, aggregates, @setDataFrame) are reachable.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rtmp/server_session.h"

namespace {

class AcceptAll : public sg::rtmp::ServerSessionHandler {
 public:
  sg::rtmp::ServerSession* session = nullptr;
  bool on_connect(const sg::rtmp::ConnectInfo&) override { return true; }
  void on_publish(std::string_view, std::string_view) override { session->accept_publish(); }
  void on_play(std::string_view) override { session->accept_play(); }
  void on_media(const sg::rtmp::MediaMessage& m) override {
    if (session->state() == sg::rtmp::ServerSession::State::kPlaying) session->send_media(m);
  }
  void on_stream_closed() override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The first byte picks the feed piece size; a simple C0+C1+C2 precedes the fuzzed bytes.
  const size_t piece = size_t(data[0]) + 1;
  std::vector<uint8_t> in(1 + 2 * sg::rtmp::kHandshakeSize, 0);
  in[0] = 3;
  in.insert(in.end(), data + 1, data + size);

  sg::OutQueue out;
  AcceptAll handler;
  sg::rtmp::SessionLimits limits;
  limits.chunk.max_message_size = 1 << 20;
  sg::rtmp::ServerSession session(
      limits,
      [](uint8_t* p, size_t n) {
        for (size_t i = 0; i < n; ++i) p[i] = uint8_t(i);
      },
      handler, out);
  handler.session = &session;
  for (size_t i = 0; i < in.size(); i += piece) {
    const size_t n = std::min(piece, in.size() - i);
    if (!session.feed(sg::ByteView(in.data() + i, n))) break;
    if (out.size_bytes() > (8u << 20)) out.take_all();
  }
  return 0;
}
