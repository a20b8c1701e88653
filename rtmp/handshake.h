// RTMP handshake, both roles: the simple (version 3, random C1/S1) one and the digest (FP9) one
// that ffmpeg, librtmp/OBS and Flash-era clients send. The server answers in kind: if C1 carries a
// valid client digest (either scheme, offsets at 8 or 772) S1/S2 carry the server digest and the S2
// signature computed with the Genuine FMS key; otherwise S1/S2 are the simple echo.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "rtmp/bytes.h"
#include "rtmp/status.h"

namespace sg::rtmp {

inline constexpr size_t kHandshakeSize = 1536;

// Randomness is injected so that tests are repeatable; the gateway passes OpenSSL's RAND_bytes.
using RandomFill = std::function<void(uint8_t* out, size_t n)>;

class ServerHandshake {
 public:
  enum class State { kExpectC0C1, kExpectC2, kDone };
  explicit ServerHandshake(RandomFill random);

  // Consumes bytes; returns how many were consumed (bytes past C2 belong to the chunk stream and
  // are not consumed). Writes S0+S1+S2 to `out` once C0+C1 are complete. Reason ids:
  // rtmp.bad_handshake_version (C0 != 3; also 6 = encrypted RTMPE, refused). Errors are sticky.
  Result<size_t> feed(ByteView data, OutQueue& out);
  State state() const { return state_; }
  bool done() const { return state_ == State::kDone; }
  bool client_used_digest() const { return digest_; }

 private:
  // Writes S0+S1+S2 for a complete C1.
  void respond(const uint8_t* c1, OutQueue& out);

  RandomFill random_;
  State state_ = State::kExpectC0C1;
  std::vector<uint8_t> buf_;  // C0+C1 only (at most 1537 bytes); C2 is counted, not kept
  size_t c2_received_ = 0;
  bool digest_ = false;
  Status error_;  // sticky
};

class ClientHandshake {
 public:
  enum class State { kStart, kExpectS0S1, kExpectS2, kDone };
  // digest = true sends an FP9 C1 (flash version 9.0.124.2 in bytes 4..7, digest at scheme 1) and
  // verifies the server digest when the server's S1 carries a non-zero version.
  ClientHandshake(RandomFill random, bool digest);

  void start(OutQueue& out);  // writes C0+C1
  // Consumes S0+S1+S2 (writing C2 after S1); bytes after S2 are not consumed. Reason ids:
  // rtmp.bad_handshake_version, rtmp.bad_server_digest, rtmp.bad_handshake_state (feed before
  // start). Errors are sticky.
  Result<size_t> feed(ByteView data, OutQueue& out);
  State state() const { return state_; }
  bool done() const { return state_ == State::kDone; }
  bool server_used_digest() const { return server_digest_; }

 private:
  // Checks the server digest (if any) and writes C2.
  Status answer_s1(const uint8_t* s1, OutQueue& out);

  RandomFill random_;
  bool digest_;
  State state_ = State::kStart;
  std::vector<uint8_t> c1_;   // kept (digest mode only) until S2's signature is checked
  std::vector<uint8_t> buf_;  // S0+S1, then S2 when its signature is to be checked
  size_t client_digest_offset_ = 0;
  size_t s2_received_ = 0;
  bool server_digest_ = false;  // S1 carried a valid server digest
  Status error_;                // sticky
};

}  // namespace sg::rtmp
