// Fuzzes ServerHandshake (and the ClientHandshake's S0/S1/S2 parsing) with arbitrary peer bytes.
// The first byte picks where the input is cut, so that partial feeds are exercised too.
#include <cstdint>
#include <cstdlib>

#include "rtmp/handshake.h"

namespace {

void fill(uint8_t* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = uint8_t(i * 37 + 11);
}

template <class Handshake>
void drive(Handshake& hs, const uint8_t* data, size_t size, size_t cut) {
  sg::OutQueue out;
  size_t total = 0;
  for (sg::ByteView piece : {sg::ByteView(data, cut), sg::ByteView(data + cut, size - cut)}) {
    while (!piece.empty() && !hs.done()) {
      auto r = hs.feed(piece, out);
      if (!r) return;
      if (*r > piece.size()) abort();
      if (*r == 0) abort();  // an unfinished handshake must take at least one byte
      total += *r;
      piece = piece.subspan(*r);
    }
  }
  // A handshake never takes more than S0/C0 + two 1536-byte blocks.
  if (total > 1 + 2 * sg::rtmp::kHandshakeSize) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t cut = size > 1 ? data[0] % (size - 1) : 0;
  sg::rtmp::ServerHandshake server(fill);
  drive(server, data + 1, size - 1, cut);
  sg::rtmp::ClientHandshake client(fill, (data[0] & 0x80) != 0);
  sg::OutQueue out;
  client.start(out);
  drive(client, data + 1, size - 1, cut);
  return 0;
}
