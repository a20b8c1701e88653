// The relay's URL handling: rtmp:// and rtmps:// URL parsing and the {stageId}/{participantId}
// template.
#include <gtest/gtest.h>

#include "gateway/relay.h"

namespace sg::gw {
namespace {

struct UrlCase {
  const char* url;
  bool secure;
  const char* host;
  uint16_t port;
  const char* app;
  const char* stream;
  const char* tc_url;
};

const UrlCase kValid[] = {
    {"rtmp://127.0.0.1:1936/live/abc", false, "127.0.0.1", 1936, "live", "abc",
     "rtmp://127.0.0.1:1936/live"},
    {"rtmp://localhost/live/abc", false, "localhost", 1935, "live", "abc", "rtmp://localhost/live"},
    {"rtmp://media.internal:65535/app/stage-part", false, "media.internal", 65535, "app",
     "stage-part", "rtmp://media.internal:65535/app"},
    {"rtmp://[::1]:1940/live/s", false, "::1", 1940, "live", "s", "rtmp://[::1]:1940/live"},
    {"rtmp://[::1]/live/s", false, "::1", 1935, "live", "s", "rtmp://[::1]/live"},
    {"rtmp://127.0.0.1:1/a/s?token=x&y=2", false, "127.0.0.1", 1, "a", "s?token=x&y=2",
     "rtmp://127.0.0.1:1/a"},
    // Only the first path segment is the app; the rest (slashes included) is the stream.
    {"rtmp://h/live/a/b", false, "h", 1935, "live", "a/b", "rtmp://h/live"},
    // rtmps: TLS, port 443 unless given, the scheme kept in tcUrl.
    {"rtmps://relay.example:4443/live/k", true, "relay.example", 4443, "live", "k",
     "rtmps://relay.example:4443/live"},
    {"rtmps://127.0.0.1/live/k", true, "127.0.0.1", 443, "live", "k", "rtmps://127.0.0.1/live"},
    {"rtmps://[::1]/live/k", true, "::1", 443, "live", "k", "rtmps://[::1]/live"},
};

TEST(RelayUrlTest, ParsesValidUrls) {
  for (const auto& c : kValid) {
    SCOPED_TRACE(c.url);
    auto u = parse_rtmp_url(c.url);
    ASSERT_TRUE(u.has_value());
    EXPECT_EQ(u->secure, c.secure);
    EXPECT_EQ(u->host, c.host);
    EXPECT_EQ(u->port, c.port);
    EXPECT_EQ(u->app, c.app);
    EXPECT_EQ(u->stream, c.stream);
    EXPECT_EQ(u->tc_url, c.tc_url);
  }
}

const char* const kMalformed[] = {
    "",
    "rtmp://",
    "rtmps://",
    "rtmps://127.0.0.1/live",
    "rtmpt://127.0.0.1/live/abc",  // tunnelled RTMP is not supported
    "RTMPS://127.0.0.1/live/abc",
    "http://127.0.0.1/live/abc",
    "RTMP://127.0.0.1/live/abc",
    "127.0.0.1/live/abc",
    "rtmp://127.0.0.1",
    "rtmp://127.0.0.1/",
    "rtmp://127.0.0.1/live",
    "rtmp://127.0.0.1/live/",  // empty stream
    "rtmp://127.0.0.1//abc",   // empty app
    "rtmp:///live/abc",        // empty host
    "rtmp://:1935/live/abc",
    "rtmp://127.0.0.1:/live/abc",
    "rtmp://127.0.0.1:0/live/abc",
    "rtmp://127.0.0.1:65536/live/abc",
    "rtmp://127.0.0.1:123456/live/abc",
    "rtmp://127.0.0.1:12a/live/abc",
    "rtmp://127.0.0.1:-1/live/abc",
    "rtmp://[::1/live/abc",  // unclosed bracket
    "rtmp://[]:1935/live/abc",
};

TEST(RelayUrlTest, RefusesMalformedUrls) {
  for (const char* url : kMalformed) {
    SCOPED_TRACE(url);
    EXPECT_FALSE(parse_rtmp_url(url).has_value());
  }
}

// BUG (gateway/relay.cpp parse_rtmp_url, bracketed-IPv6 branch): the port after "]:" is passed to
// std::stoi without the checks the IPv4 branch makes. A non-numeric or empty port throws
// std::invalid_argument out of parse_rtmp_url (exceptions on the data path; Relay::Relay calls it
// with an operator-supplied URL), an out-of-range port is truncated to uint16_t (":65537" -> 1)
// instead of being refused, and junk between ']' and '/' is silently ignored.
TEST(RelayUrlTest, RefusesMalformedBracketedIpv6Ports) {
  for (const char* url :
       {"rtmp://[::1]:abc/live/s", "rtmp://[::1]:/live/s", "rtmp://[::1]:65537/live/s",
        "rtmp://[::1]:0/live/s", "rtmp://[::1]junk/live/s"}) {
    SCOPED_TRACE(url);
    std::optional<RtmpUrl> u;
    EXPECT_NO_THROW(u = parse_rtmp_url(url));
    EXPECT_FALSE(u.has_value()) << "port " << (u ? u->port : 0);
  }
}

TEST(RelayUrlTest, ExpandsEveryPlaceholder) {
  EXPECT_EQ(
      expand_url_template("rtmp://127.0.0.1/live/{stageId}-{participantId}", "STAGE1", "PART1"),
      "rtmp://127.0.0.1/live/STAGE1-PART1");
  EXPECT_EQ(
      expand_url_template("rtmp://h/{stageId}/{stageId}_{participantId}{participantId}", "s", "p"),
      "rtmp://h/s/s_pp");
}

TEST(RelayUrlTest, ExpandLeavesOtherTextAlone) {
  EXPECT_EQ(expand_url_template("rtmp://h/live/fixed", "s", "p"), "rtmp://h/live/fixed");
  EXPECT_EQ(expand_url_template("{stageid} {participantID} {other}", "s", "p"),
            "{stageid} {participantID} {other}");
  EXPECT_EQ(expand_url_template("", "s", "p"), "");
}

}  // namespace
}  // namespace sg::gw
