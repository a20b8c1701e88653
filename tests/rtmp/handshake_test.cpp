#include "rtmp/handshake.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

namespace sg::rtmp {
namespace {

// Every call fills out[i] = i * 37 + 11, so python can rebuild the bytes the handshake produced.
void pattern_fill(uint8_t* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = uint8_t(i * 37 + 11);
}

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> v(n);
  pattern_fill(v.data(), n);
  return v;
}

std::vector<uint8_t> from_hex(const std::string& hex) {
  std::vector<uint8_t> v;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    v.push_back(uint8_t(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return v;
}

std::vector<uint8_t> slice(const std::vector<uint8_t>& v, size_t at, size_t n) {
  return {v.begin() + long(at), v.begin() + long(at + n)};
}

// Expected values below were computed independently with python's hmac module:
//   H = lambda k, m: hmac.new(k, m, hashlib.sha256).digest()
//   pat = lambda n: bytes((i*37+11) & 255 for i in range(n))
//   off(b, scheme) = sum(b[at:at+4]) % 728 + at + 4 with at = 8 (scheme 0) or 772 (scheme 1)
//   digest = H(key, block without the 32 digest bytes); FP = b'Genuine Adobe Flash Player 001',
//   FMS = b'Genuine Adobe Flash Media Server 001', tail = f0eec24a...31ae (32 bytes)
//   S2 signature = H(H(FMS + tail, client_digest), S2[:1504]); C2: H(H(FP + tail, server_digest),
//   ..)
constexpr size_t kC1DigestOffset = 278;  // scheme 0 of a C1 with pat() at byte 8
const char* kC1Digest = "0c773f6df59438c8067ab4f94c05e13c478d450fe06f8189d4ab51c853419aee";
const char* kS1Digest = "a6a50f9c398990583d0372f36caa56a9453cf9601d32d4c6f5535eb65d910754";
const char* kS2Signature = "0371d53fd8ef55f979321426b2745e3f1273dd108567f326993194cdde9846d9";
constexpr size_t kClientC1DigestOffset = 1474;  // scheme 1 of the same C1 body
const char* kClientC1Digest = "34d463d5b9389fd20f1b196934ce4472f62c624e58c20ed44f78543417ef8fcd";
const char* kClientC2Signature = "20bd7c210ef15905d27a5eb411ccbdae2960ccab57d3c48db9879b2f900aa7c4";

// C0 + an FP9 C1 (version 9.0.124.2) carrying the python-computed client digest at scheme 0, the
// scheme ffmpeg and librtmp use.
std::vector<uint8_t> digest_c0c1() {
  std::vector<uint8_t> v = {3, 0, 0, 0, 0, 9, 0, 0x7C, 2};
  auto body = pattern(kHandshakeSize - 8);
  v.insert(v.end(), body.begin(), body.end());
  auto d = from_hex(kC1Digest);
  std::copy(d.begin(), d.end(), v.begin() + 1 + kC1DigestOffset);
  return v;
}

std::vector<uint8_t> simple_c0c1() {
  std::vector<uint8_t> v(1 + kHandshakeSize);
  v[0] = 3;
  for (size_t i = 9; i < v.size(); ++i) v[i] = uint8_t(i * 13);
  return v;
}

std::vector<uint8_t> run_server(const std::vector<uint8_t>& c0c1, bool* digest = nullptr) {
  ServerHandshake s(pattern_fill);
  OutQueue out;
  auto r = s.feed(c0c1, out);
  EXPECT_TRUE(r.is_ok());
  EXPECT_EQ(*r, c0c1.size());
  EXPECT_EQ(s.state(), ServerHandshake::State::kExpectC2);
  if (digest) *digest = s.client_used_digest();
  return out.take_all();
}

TEST(ServerHandshake, SimpleEchoesC1) {
  auto c0c1 = simple_c0c1();
  bool digest = true;
  auto reply = run_server(c0c1, &digest);
  EXPECT_FALSE(digest);
  ASSERT_EQ(reply.size(), 1 + 2 * kHandshakeSize);
  EXPECT_EQ(reply[0], 3);
  // S1: time 0, zero version, then random.
  EXPECT_EQ(slice(reply, 1, 8), std::vector<uint8_t>(8, 0));
  EXPECT_EQ(slice(reply, 9, kHandshakeSize - 8), pattern(kHandshakeSize - 8));
  EXPECT_EQ(slice(reply, 1 + kHandshakeSize, kHandshakeSize), slice(c0c1, 1, kHandshakeSize));
}

TEST(ServerHandshake, VersionedC1WithoutValidDigestGetsSimpleAnswer) {
  auto c0c1 = digest_c0c1();
  c0c1[1 + kC1DigestOffset] ^= 0x01;
  bool digest = true;
  auto reply = run_server(c0c1, &digest);
  EXPECT_FALSE(digest);
  EXPECT_EQ(slice(reply, 1 + kHandshakeSize, kHandshakeSize), slice(c0c1, 1, kHandshakeSize));
}

TEST(ServerHandshake, DigestGoldenMatchesPython) {
  bool digest = false;
  auto reply = run_server(digest_c0c1(), &digest);
  EXPECT_TRUE(digest);
  ASSERT_EQ(reply.size(), 1 + 2 * kHandshakeSize);
  const auto s1 = slice(reply, 1, kHandshakeSize);
  const auto s2 = slice(reply, 1 + kHandshakeSize, kHandshakeSize);
  EXPECT_EQ(slice(s1, 0, 8), (std::vector<uint8_t>{0, 0, 0, 0, 0x0D, 0x0E, 0x0A, 0x0D}));
  EXPECT_EQ(slice(s1, kC1DigestOffset, 32), from_hex(kS1Digest));
  EXPECT_EQ(slice(s2, 0, kHandshakeSize - 32), pattern(kHandshakeSize - 32));
  EXPECT_EQ(slice(s2, kHandshakeSize - 32, 32), from_hex(kS2Signature));
}

TEST(ServerHandshake, DetectsDigestAtScheme1) {
  // The C1 a digest ClientHandshake sends uses scheme 1; its digest is the python value.
  ClientHandshake c(pattern_fill, true);
  OutQueue out;
  c.start(out);
  auto c0c1 = out.take_all();
  ASSERT_EQ(c0c1.size(), 1 + kHandshakeSize);
  EXPECT_EQ(slice(c0c1, 1, 8), (std::vector<uint8_t>{0, 0, 0, 0, 9, 0, 0x7C, 2}));
  EXPECT_EQ(slice(c0c1, 1 + kClientC1DigestOffset, 32), from_hex(kClientC1Digest));
  bool digest = false;
  auto reply = run_server(c0c1, &digest);
  EXPECT_TRUE(digest);
}

TEST(ServerHandshake, EverySplitGivesSameReplyAndConsumption) {
  for (const auto& c0c1 : {digest_c0c1(), simple_c0c1()}) {
    const auto expected = run_server(c0c1);
    std::vector<uint8_t> c2(kHandshakeSize, 0x5A);
    std::vector<uint8_t> all = c0c1;
    all.insert(all.end(), c2.begin(), c2.end());
    all.push_back(0xC3);  // first byte of the chunk stream: must not be consumed
    for (size_t cut = 0; cut <= all.size(); ++cut) {
      ServerHandshake s(pattern_fill);
      OutQueue out;
      size_t used = 0;
      for (auto piece : {ByteView(all).first(cut), ByteView(all).subspan(cut)}) {
        while (!piece.empty() && !s.done()) {
          auto r = s.feed(piece, out);
          ASSERT_TRUE(r.is_ok());
          used += *r;
          piece = piece.subspan(*r);
        }
      }
      ASSERT_TRUE(s.done()) << cut;
      EXPECT_EQ(used, all.size() - 1) << cut;
      ASSERT_EQ(out.take_all(), expected) << cut;
    }
  }
}

TEST(ServerHandshake, RandomChunkings) {
  std::mt19937 rng(7);
  const auto c0c1 = digest_c0c1();
  const auto expected = run_server(c0c1);
  std::vector<uint8_t> all = c0c1;
  all.resize(all.size() + kHandshakeSize, 1);
  for (int iter = 0; iter < 200; ++iter) {
    ServerHandshake s(pattern_fill);
    OutQueue out;
    size_t pos = 0;
    while (pos < all.size()) {
      size_t n = std::min<size_t>(all.size() - pos, 1 + rng() % 700);
      auto r = s.feed(ByteView(all).subspan(pos, n), out);
      ASSERT_TRUE(r.is_ok());
      ASSERT_EQ(*r, n);
      pos += n;
    }
    EXPECT_TRUE(s.done());
    EXPECT_EQ(out.take_all(), expected);
  }
}

TEST(ServerHandshake, RefusesOtherVersionsAtOnceAndStaysFailed) {
  for (uint8_t v : {0, 6, 4, 0xFF}) {
    ServerHandshake s(pattern_fill);
    OutQueue out;
    uint8_t c0 = v;
    auto r = s.feed(ByteView(&c0, 1), out);
    ASSERT_FALSE(r.is_ok()) << int(v);
    EXPECT_EQ(r.error().reason, "rtmp.bad_handshake_version");
    auto again = s.feed(simple_c0c1(), out);
    ASSERT_FALSE(again.is_ok());
    EXPECT_EQ(again.error().reason, "rtmp.bad_handshake_version");
    EXPECT_TRUE(out.empty());
  }
}

// Runs client and server against each other, moving bytes in pieces of `step`.
void run_pair(bool client_digest, size_t step, bool expect_digest) {
  std::mt19937 rng{uint32_t(step)};
  auto fill = [&rng](uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; ++i) p[i] = uint8_t(rng());
  };
  ServerHandshake s(fill);
  ClientHandshake c(fill, client_digest);
  OutQueue to_server, to_client;
  c.start(to_server);
  for (int rounds = 0; rounds < 10000 && !(s.done() && c.done()); ++rounds) {
    auto a = to_server.take_all();
    for (size_t pos = 0; pos < a.size(); pos += step) {
      auto r = s.feed(ByteView(a).subspan(pos, std::min(step, a.size() - pos)), to_client);
      ASSERT_TRUE(r.is_ok()) << r.error().reason;
    }
    auto b = to_client.take_all();
    for (size_t pos = 0; pos < b.size(); pos += step) {
      auto r = c.feed(ByteView(b).subspan(pos, std::min(step, b.size() - pos)), to_server);
      ASSERT_TRUE(r.is_ok()) << r.error().reason;
    }
  }
  EXPECT_TRUE(s.done());
  EXPECT_TRUE(c.done());
  EXPECT_EQ(s.client_used_digest(), expect_digest);
  EXPECT_EQ(c.server_used_digest(), expect_digest);
}

TEST(HandshakePair, SimpleAndDigestAtSeveralChunkings) {
  for (size_t step : {1, 7, 1536, 1537, 5000}) {
    run_pair(false, step, false);
    run_pair(true, step, true);
  }
}

// S0+S1+S2 as the server answers the ClientHandshake's digest C1.
std::vector<uint8_t> server_reply_to_client() {
  ClientHandshake c(pattern_fill, true);
  OutQueue out;
  c.start(out);
  return run_server(out.take_all());
}

TEST(ClientHandshake, DigestC2GoldenMatchesPython) {
  // A server S1 built like the golden one: pattern body with the python-computed FMS digest.
  std::vector<uint8_t> s0s1 = {3, 0, 0, 0, 0, 0x0D, 0x0E, 0x0A, 0x0D};
  auto body = pattern(kHandshakeSize - 8);
  s0s1.insert(s0s1.end(), body.begin(), body.end());
  auto d = from_hex(kS1Digest);
  std::copy(d.begin(), d.end(), s0s1.begin() + 1 + kC1DigestOffset);
  ClientHandshake c(pattern_fill, true);
  OutQueue out;
  c.start(out);
  out.take_all();
  auto r = c.feed(s0s1, out);
  ASSERT_TRUE(r.is_ok()) << r.error().reason;
  EXPECT_EQ(*r, s0s1.size());
  EXPECT_TRUE(c.server_used_digest());
  auto c2 = out.take_all();
  ASSERT_EQ(c2.size(), kHandshakeSize);
  EXPECT_EQ(slice(c2, 0, kHandshakeSize - 32), pattern(kHandshakeSize - 32));
  EXPECT_EQ(slice(c2, kHandshakeSize - 32, 32), from_hex(kClientC2Signature));
}

TEST(ClientHandshake, EverySplitOfServerReply) {
  auto all = server_reply_to_client();
  all.push_back(0x02);  // a chunk stream byte after S2
  std::vector<uint8_t> expected_c2;
  for (size_t cut = 0; cut <= all.size(); ++cut) {
    ClientHandshake c(pattern_fill, true);
    OutQueue out;
    c.start(out);
    out.take_all();
    size_t used = 0;
    for (auto piece : {ByteView(all).first(cut), ByteView(all).subspan(cut)}) {
      while (!piece.empty() && !c.done()) {
        auto r = c.feed(piece, out);
        ASSERT_TRUE(r.is_ok()) << cut << " " << r.error().reason;
        used += *r;
        piece = piece.subspan(*r);
      }
    }
    ASSERT_TRUE(c.done()) << cut;
    EXPECT_EQ(used, all.size() - 1);
    auto c2 = out.take_all();
    if (expected_c2.empty()) expected_c2 = c2;
    ASSERT_EQ(c2, expected_c2) << cut;
  }
}

TEST(ClientHandshake, SimpleServerGetsEchoEvenFromDigestClient) {
  std::vector<uint8_t> s0s1 = simple_c0c1();  // zero version: a simple server
  ClientHandshake c(pattern_fill, true);
  OutQueue out;
  c.start(out);
  out.take_all();
  ASSERT_TRUE(c.feed(s0s1, out).is_ok());
  EXPECT_FALSE(c.server_used_digest());
  EXPECT_EQ(out.take_all(), slice(s0s1, 1, kHandshakeSize));
  std::vector<uint8_t> s2(kHandshakeSize, 9);  // not checked in simple mode
  ASSERT_TRUE(c.feed(s2, out).is_ok());
  EXPECT_TRUE(c.done());
}

TEST(ClientHandshake, RejectsBadServerDigestAndSignature) {
  const auto good = server_reply_to_client();
  // Flip a signed byte of S1 (digest no longer valid), of S2's data, and of S2's signature.
  for (size_t flip :
       {size_t(1 + 100), size_t(1 + kHandshakeSize + 10), size_t(1 + 2 * kHandshakeSize - 1)}) {
    auto bad = good;
    bad[flip] ^= 0x40;
    ClientHandshake c(pattern_fill, true);
    OutQueue out;
    c.start(out);
    auto r = c.feed(bad, out);
    ASSERT_FALSE(r.is_ok()) << flip;
    EXPECT_EQ(r.error().reason, "rtmp.bad_server_digest");
    auto again = c.feed(bad, out);
    ASSERT_FALSE(again.is_ok());
    EXPECT_EQ(again.error().reason, "rtmp.bad_server_digest");
  }
}

TEST(ClientHandshake, ErrorsOnVersionAndMisuse) {
  ClientHandshake c(pattern_fill, false);
  OutQueue out;
  uint8_t b = 3;
  auto r = c.feed(ByteView(&b, 1), out);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.error().reason, "rtmp.bad_handshake_state");

  ClientHandshake d(pattern_fill, false);
  d.start(out);
  b = 6;
  r = d.feed(ByteView(&b, 1), out);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.error().reason, "rtmp.bad_handshake_version");
}

}  // namespace
}  // namespace sg::rtmp
