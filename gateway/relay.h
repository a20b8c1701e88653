// The `rtmp` / `rtmps` stage endpoint: one participant's accepted media republished to an upstream
// RTMP(S) server (URL template with {stageId} and {participantId}), with reconnect and exponential
// backoff. An upstream that stays unreachable longer than stage_endpoint.max_downtime fails the
// publish (INTERNAL_SERVER_EXCEPTION). The relay is a MediaConsumer of the participant's Broadcast
// while its upstream is publishing: joining the broadcast replays metadata, sequence headers and
// the current GOP, so every (re)connected upstream stream starts decodable. Payloads are shared,
// never copied.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "gateway/byte_stream.h"
#include "gateway/registry.h"
#include "gateway/stage_plane.h"
#include "gateway/tcp_stream.h"
#include "gateway/tls.h"
#include "rtmp/client_session.h"

namespace sg::gw {

struct RtmpUrl {
  bool secure = false;  // rtmps://
  std::string host;
  uint16_t port = 1935;  // 443 for rtmps://
  std::string app;
  std::string stream;  // may carry ?query
  std::string tc_url;
};
// rtmp://host[:port]/app/stream or rtmps://...; nullopt when malformed.
std::optional<RtmpUrl> parse_rtmp_url(const std::string& url);
std::string expand_url_template(std::string tmpl, const std::string& stage_id,
                                const std::string& participant_id);

class Relay final : public MediaConsumer {
 public:
  using OnFailed = std::function<void(std::string why)>;

  // Starts connecting at once. `on_failed` runs (once) when the upstream stayed down too long.
  // `max_backlog` bounds the bytes queued for the upstream. `tls` (the client context that checks
  // the upstream's certificate) is needed for rtmps:// URLs; the relay takes its own reference.
  static Relay* start(uv_loop_t* loop, const config::StageEndpoint& ep, std::string url,
                      SSL_CTX* tls, size_t max_backlog, Broadcast& source, spdlog::logger& log,
                      std::string log_prefix, OnFailed on_failed);
  // Stops relaying: ends the upstream publish politely and frees itself once its handles closed.
  void stop();

  void on_media(const MediaMessage& m) override;
  void on_broadcast_end() override {}

 private:
  struct Upstream;
  Relay(uv_loop_t* loop, const config::StageEndpoint& ep, std::string url, SSL_CTX* tls,
        size_t max_backlog, Broadcast& source, spdlog::logger& log, std::string prefix,
        OnFailed on_failed);
  ~Relay();
  void connect();
  void resolve();
  void connect_next();  // to addrs_[next_addr_]
  void upstream_publishing();
  void upstream_lost(const std::string& why);
  void schedule_reconnect();
  void check_downtime();
  void detach();
  void maybe_delete();

  uv_loop_t* loop_;
  const config::StageEndpoint& ep_;
  std::string url_;
  SslCtxPtr tls_;  // the relay's own reference (a SIGHUP reload may replace the gateway's)
  size_t max_backlog_;
  Broadcast& source_;
  bool attached_ = false;
  spdlog::logger& log_;
  std::string prefix_;
  OnFailed on_failed_;
  std::optional<RtmpUrl> target_;
  Upstream* upstream_ = nullptr;  // frees itself after closing
  uv_timer_t timer_{};
  bool timer_closed_ = false;
  bool stopping_ = false;
  bool failed_ = false;
  int live_upstreams_ = 0;
  int resolving_ = 0;                    // getaddrinfo requests in flight (they point at this)
  std::vector<sockaddr_storage> addrs_;  // of the relay host, in getaddrinfo's order
  size_t next_addr_ = 0;
  Millis down_since_ = 0;  // 0 while publishing upstream
  std::chrono::milliseconds backoff_;
};

}  // namespace sg::gw
