#include "rtmp/handshake.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

namespace sg::rtmp {
namespace {

// The publicly documented FP9 handshake keys. The player key is the first 30 bytes of the 62-byte
// player key and the server key the first 36 bytes of the 68-byte server key; both long forms end
// in the same 32 constant bytes.
constexpr char kPlayerText[] = "Genuine Adobe Flash Player 001";
constexpr char kServerText[] = "Genuine Adobe Flash Media Server 001";
constexpr size_t kPlayerTextLen = sizeof(kPlayerText) - 1;  // 30
constexpr size_t kServerTextLen = sizeof(kServerText) - 1;  // 36
constexpr uint8_t kKeyTail[32] = {0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0,
                                  0xD1, 0x02, 0x9E, 0x7E, 0x57, 0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80,
                                  0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE};

constexpr uint8_t kRtmpVersion = 3;
constexpr size_t kDigestSize = 32;
// The digest lies somewhere in a 764-byte half of the block; 728 = 764 - 32 - 4 possible positions.
constexpr size_t kDigestPositions = 728;
// Version bytes the server puts into a digest S1. ffmpeg's player only checks the server digest
// when the first version byte is >= 3, so a digest S1 must carry a non-zero version.
constexpr uint8_t kServerVersion[4] = {0x0D, 0x0E, 0x0A, 0x0D};
// Flash Player 9.0.124.2, the version ffmpeg and librtmp put into an FP9 C1.
constexpr uint8_t kClientVersion[4] = {0x09, 0x00, 0x7C, 0x02};

using Digest = std::array<uint8_t, kDigestSize>;

struct Key {
  const uint8_t* data;
  size_t size;
};

Key player_key_short() {
  return {reinterpret_cast<const uint8_t*>(kPlayerText), kPlayerTextLen};
}
Key server_key_short() {
  return {reinterpret_cast<const uint8_t*>(kServerText), kServerTextLen};
}

// The long keys are the short text followed by the constant tail.
template <size_t N>
std::array<uint8_t, N + 32> long_key(const char (&text)[N + 1]) {
  std::array<uint8_t, N + 32> k{};
  std::memcpy(k.data(), text, N);
  std::memcpy(k.data() + N, kKeyTail, 32);
  return k;
}

Digest hmac_sha256(Key key, const uint8_t* data, size_t size) {
  Digest out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data, int(key.size), data, size, out.data(), &len);
  return out;
}

// Scheme 0 keeps the digest in the first half (offset bytes 8..11, base 12), scheme 1 in the second
// half (offset bytes 772..775, base 776).
size_t digest_offset(const uint8_t* block, int scheme) {
  const size_t at = scheme == 0 ? 8 : 772;
  const size_t sum = size_t(block[at]) + block[at + 1] + block[at + 2] + block[at + 3];
  return sum % kDigestPositions + at + 4;
}

// HMAC over the 1536-byte block with the 32 digest bytes left out.
Digest block_digest(const uint8_t* block, size_t offset, Key key) {
  std::array<uint8_t, kHandshakeSize - kDigestSize> joined;
  std::memcpy(joined.data(), block, offset);
  std::memcpy(joined.data() + offset, block + offset + kDigestSize,
              kHandshakeSize - offset - kDigestSize);
  return hmac_sha256(key, joined.data(), joined.size());
}

// Returns the digest offset when the block carries a valid digest under `key` at either scheme.
std::optional<size_t> find_digest(const uint8_t* block, Key key) {
  for (int scheme : {0, 1}) {
    const size_t off = digest_offset(block, scheme);
    const Digest d = block_digest(block, off, key);
    if (CRYPTO_memcmp(d.data(), block + off, kDigestSize) == 0) return off;
  }
  return std::nullopt;
}

// Puts the digest into `block` (whose offset bytes are already final) at `scheme`.
size_t imprint_digest(uint8_t* block, int scheme, Key key) {
  const size_t off = digest_offset(block, scheme);
  const Digest d = block_digest(block, off, key);
  std::memcpy(block + off, d.data(), kDigestSize);
  return off;
}

// The last 32 bytes of S2 (or C2) sign the first 1504 with a key derived from the peer's digest.
Digest response_signature(const uint8_t* response, Key long_key, const uint8_t* peer_digest) {
  const Digest k = hmac_sha256(long_key, peer_digest, kDigestSize);
  return hmac_sha256(Key{k.data(), k.size()}, response, kHandshakeSize - kDigestSize);
}

Error bad_version(uint8_t v) {
  return make_error("rtmp.bad_handshake_version",
                    v == 6 ? "encrypted RTMPE (version 6) is not supported"
                           : "unsupported RTMP version " + std::to_string(v));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Server

ServerHandshake::ServerHandshake(RandomFill random) : random_(std::move(random)) {
  buf_.reserve(1 + kHandshakeSize);
}

Result<size_t> ServerHandshake::feed(ByteView data, OutQueue& out) {
  if (!error_.is_ok()) return error_.error();
  size_t used = 0;
  if (state_ == State::kExpectC0C1) {
    const size_t take = std::min(data.size(), 1 + kHandshakeSize - buf_.size());
    buf_.insert(buf_.end(), data.begin(), data.begin() + take);
    used += take;
    // Refuse a wrong version as soon as C0 arrives instead of waiting for 1536 more bytes.
    if (!buf_.empty() && buf_[0] != kRtmpVersion) {
      error_ = bad_version(buf_[0]);
      return error_.error();
    }
    if (buf_.size() < 1 + kHandshakeSize) return used;
    respond(buf_.data() + 1, out);
    buf_.clear();
    buf_.shrink_to_fit();  // C2 is not kept, so the buffer is not needed any more.
    state_ = State::kExpectC2;
  }
  if (state_ == State::kExpectC2) {
    // The server does not check C2: neither simple nor digest clients are required to echo S1
    // exactly, and no common server verifies it.
    const size_t take = std::min(data.size() - used, kHandshakeSize - c2_received_);
    c2_received_ += take;
    used += take;
    if (c2_received_ == kHandshakeSize) state_ = State::kDone;
  }
  return used;
}

void ServerHandshake::respond(const uint8_t* c1, OutQueue& out) {
  std::vector<uint8_t> reply(1 + 2 * kHandshakeSize);
  reply[0] = kRtmpVersion;
  uint8_t* s1 = reply.data() + 1;
  uint8_t* s2 = s1 + kHandshakeSize;

  // A client that sends a zero version in C1 speaks the old simple handshake.
  std::optional<size_t> client_digest;
  const bool client_versioned = c1[4] | c1[5] | c1[6] | c1[7];
  if (client_versioned) client_digest = find_digest(c1, player_key_short());
  digest_ = client_digest.has_value();

  std::memset(s1, 0, 8);  // time 0, zero version (simple)
  random_(s1 + 8, kHandshakeSize - 8);
  if (!digest_) {
    std::memcpy(s2, c1, kHandshakeSize);  // simple: S2 echoes C1
  } else {
    std::memcpy(s1 + 4, kServerVersion, 4);
    // Answer at the scheme the client used; ffmpeg and librtmp look at both anyway.
    const int scheme = *client_digest < 772 ? 0 : 1;
    imprint_digest(s1, scheme, server_key_short());
    random_(s2, kHandshakeSize - kDigestSize);
    const auto server_long = long_key<kServerTextLen>(kServerText);
    const Digest sig =
        response_signature(s2, Key{server_long.data(), server_long.size()}, c1 + *client_digest);
    std::memcpy(s2 + kHandshakeSize - kDigestSize, sig.data(), kDigestSize);
  }
  out.append_copy(reply);
}

// ---------------------------------------------------------------------------------------------
// Client

ClientHandshake::ClientHandshake(RandomFill random, bool digest)
    : random_(std::move(random)), digest_(digest) {}

void ClientHandshake::start(OutQueue& out) {
  if (state_ != State::kStart) return;
  std::vector<uint8_t> c0c1(1 + kHandshakeSize);
  c0c1[0] = kRtmpVersion;
  uint8_t* c1 = c0c1.data() + 1;
  std::memset(c1, 0, 8);
  random_(c1 + 8, kHandshakeSize - 8);
  if (digest_) {
    std::memcpy(c1 + 4, kClientVersion, 4);
    client_digest_offset_ = imprint_digest(c1, 1, player_key_short());
  }
  c1_.assign(c1, c1 + kHandshakeSize);
  if (!digest_) c1_.clear();  // only the digest client needs C1 later (to check S2)
  out.append_copy(c0c1);
  buf_.reserve(1 + kHandshakeSize);
  state_ = State::kExpectS0S1;
}

Result<size_t> ClientHandshake::feed(ByteView data, OutQueue& out) {
  if (!error_.is_ok()) return error_.error();
  if (state_ == State::kStart) {
    return make_error("rtmp.bad_handshake_state", "ClientHandshake::feed before start");
  }
  size_t used = 0;
  if (state_ == State::kExpectS0S1) {
    const size_t take = std::min(data.size(), 1 + kHandshakeSize - buf_.size());
    buf_.insert(buf_.end(), data.begin(), data.begin() + take);
    used += take;
    if (!buf_.empty() && buf_[0] != kRtmpVersion) {
      error_ = bad_version(buf_[0]);
      return error_.error();
    }
    if (buf_.size() < 1 + kHandshakeSize) return used;
    if (Status st = answer_s1(buf_.data() + 1, out); !st) {
      error_ = st;
      return error_.error();
    }
    buf_.clear();
    state_ = State::kExpectS2;
  }
  if (state_ == State::kExpectS2) {
    const size_t take = std::min(data.size() - used, kHandshakeSize - s2_received_);
    // S2 is only kept when its signature is to be checked.
    if (server_digest_) buf_.insert(buf_.end(), data.begin() + used, data.begin() + used + take);
    s2_received_ += take;
    used += take;
    if (s2_received_ < kHandshakeSize) return used;
    if (server_digest_) {
      const auto server_long = long_key<kServerTextLen>(kServerText);
      const Digest sig =
          response_signature(buf_.data(), Key{server_long.data(), server_long.size()},
                             c1_.data() + client_digest_offset_);
      if (CRYPTO_memcmp(sig.data(), buf_.data() + kHandshakeSize - kDigestSize, kDigestSize) != 0) {
        error_ = make_error("rtmp.bad_server_digest", "S2 signature does not match");
        return error_.error();
      }
    }
    buf_.clear();
    buf_.shrink_to_fit();
    c1_.clear();
    c1_.shrink_to_fit();
    state_ = State::kDone;
  }
  return used;
}

Status ClientHandshake::answer_s1(const uint8_t* s1, OutQueue& out) {
  std::vector<uint8_t> c2(kHandshakeSize);
  const bool server_versioned = s1[4] | s1[5] | s1[6] | s1[7];
  if (!digest_ || !server_versioned) {
    // A simple server (zero version) gets the simple echo even from a digest client, as ffmpeg
    // does.
    std::memcpy(c2.data(), s1, kHandshakeSize);
    out.append_copy(c2);
    return Status::ok();
  }
  const std::optional<size_t> at = find_digest(s1, server_key_short());
  if (!at) return make_error("rtmp.bad_server_digest", "S1 carries no valid server digest");
  server_digest_ = true;
  random_(c2.data(), kHandshakeSize - kDigestSize);
  const auto player_long = long_key<kPlayerTextLen>(kPlayerText);
  const Digest sig =
      response_signature(c2.data(), Key{player_long.data(), player_long.size()}, s1 + *at);
  std::memcpy(c2.data() + kHandshakeSize - kDigestSize, sig.data(), kDigestSize);
  out.append_copy(c2);
  return Status::ok();
}

}  // namespace sg::rtmp
