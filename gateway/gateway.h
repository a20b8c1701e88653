// The composition root of the daemon: the store and its thread, the registry, the ingest policy,
// the local stage, the RTMP listener and the housekeeping timer, all on one libuv loop.
#pragma once

#include <spdlog/logger.h>
#include <uv.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "config/config.h"
#include "gateway/api_http.h"
#include "gateway/api_model.h"
#include "gateway/api_service.h"
#include "gateway/byte_stream.h"
#include "gateway/db_worker.h"
#include "gateway/event_hub.h"
#include "gateway/http_server.h"
#include "gateway/ingest_service.h"
#include "gateway/metrics.h"
#include "gateway/registry.h"
#include "gateway/stage_plane.h"
#include "gateway/tls.h"

namespace sg::gw {

class RtmpConnection;

class Gateway {
 public:
  Gateway(uv_loop_t* loop, const config::Config& cfg, spdlog::logger& log);
  ~Gateway();

  // Opens the store, recovers from a crash, creates the declared resources, starts listening.
  Status start();
  // SIGHUP: reloads the RTMPS certificate chain and key (and the relay's CA file) off the loop,
  // then swaps them in for new connections; live connections keep the context they started with. A
  // file that does not load is logged and the running certificate stays.
  void reload_tls();
  // Stops accepting, ends live publishes (events written), flushes the store, closes every handle;
  // `done` runs when the loop has nothing left of the gateway.
  void shutdown(std::function<void()> done);

  uv_loop_t* loop() const { return loop_; }
  const config::Config& config() const { return cfg_; }
  spdlog::logger& log() { return log_; }
  Registry& registry() { return *registry_; }
  IngestService& ingest() { return *ingest_; }
  LocalStage& stage() { return stage_; }
  Metrics& metrics() { return metrics_; }
  std::string rtmp_address() const { return rtmp_address_; }
  std::string rtmps_address() const { return rtmps_address_; }
  // The client context for an rtmps:// stage endpoint (null for other kinds).
  SSL_CTX* relay_tls() const { return relay_tls_.get(); }
  std::string api_address() const { return http_ ? http_->address() : std::string(); }
  PublicEndpoints public_endpoints() const;
  const std::string& token_key() const { return token_key_; }

  // Connection bookkeeping (connections delete themselves; they unregister first).
  void connection_closed(RtmpConnection* c);

 private:
  static void on_connection(uv_stream_t* server, int status);
  Status start_rtmps();
  // Initialises, binds and listens; returns the bound address. RTMP and RTMPS share the callback.
  Result<std::string> open_listener(uv_tcp_t& handle, bool& open, const config::Endpoint& bind,
                                    std::string_view what);
  std::unique_ptr<ByteStream> new_stream(uv_stream_t* server);
  static void on_tick(uv_timer_t* t);
  void maybe_finish_shutdown();
  Status start_api();

  uv_loop_t* loop_;
  const config::Config& cfg_;
  spdlog::logger& log_;
  std::unique_ptr<DbWorker> db_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<IngestService> ingest_;
  LocalStage stage_;
  Metrics metrics_;
  EventHub events_;
  std::unique_ptr<api::Model> api_model_;
  std::unique_ptr<ApiService> api_;
  std::unique_ptr<ApiHttp> api_http_;
  std::unique_ptr<HttpServer> http_;
  uv_tcp_t rtmp_listener_{};
  bool listener_open_ = false;
  uv_tcp_t rtmps_listener_{};
  bool rtmps_open_ = false;
  std::string rtmps_address_;
  SslCtxPtr rtmps_tls_;  // the certificate new RTMPS connections get; replaced on SIGHUP
  SslCtxPtr relay_tls_;
  bool reloading_ = false;
  uv_timer_t tick_{};
  std::map<uint64_t, RtmpConnection*> connections_;
  uint64_t next_connection_id_ = 1;
  std::string rtmp_address_;
  std::string token_key_;  // signs participant tokens; kept in the store
  bool shutting_down_ = false;
  bool db_closing_ = false;
  int handles_open_ = 0;
  std::function<void()> shutdown_done_;
};

}  // namespace sg::gw
