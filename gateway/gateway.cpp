#include "gateway/gateway.h"

#include <optional>

#include "gateway/random.h"
#include "gateway/rtmp_connection.h"
#include "gateway/tcp_stream.h"

namespace sg::gw {

namespace {
constexpr uint64_t kTickMs = 100;
}

Gateway::Gateway(uv_loop_t* loop, const config::Config& cfg, spdlog::logger& log)
    : loop_(loop), cfg_(cfg), log_(log) {}

Gateway::~Gateway() = default;

Status Gateway::start() {
  auto store = open_sqlite_store(cfg_.state.path);
  if (!store) return store.error();
  // Start-up work on the loop thread is fine: the loop is not serving anyone yet.
  if (auto s = (*store)->recover(now_millis()); !s) return s;
  auto snap = (*store)->load();
  if (!snap) return snap.error();
  auto key = (*store)->secret("participant_token_key", random_alnum(43));  // 256 bits
  if (!key) return key.error();
  token_key_ = std::move(*key);
  db_ = std::make_unique<DbWorker>(loop_, std::move(*store));
  ++handles_open_;
  registry_ = std::make_unique<Registry>(cfg_, *db_, log_);
  registry_->load(std::move(*snap));
  registry_->on_event([this](const ParticipantEvent& e) { events_.publish(e); });
  auto errors = registry_->apply_declared(cfg_.stages);
  if (!errors.empty()) return make_error("config.declared", errors.front());
  db_->drain();  // declared resources are on disk before anyone can use them
  registry_->log_inventory();
  ingest_ = std::make_unique<IngestService>(cfg_, *registry_, log_);

  auto bound = open_listener(rtmp_listener_, listener_open_, cfg_.rtmp.bind, "RTMP");
  if (!bound) return bound.error();
  rtmp_address_ = *bound;
  log_.info("listening for RTMP on {}", rtmp_address_);
  if (auto st = start_rtmps(); !st) return st;

  if (cfg_.stage_endpoint.kind == "rtmps") {
    auto ctx = make_client_tls_context(cfg_.stage_endpoint.ca_file, /*verify=*/true);
    if (!ctx) return ctx.error();
    relay_tls_ = std::move(*ctx);
  }

  if (auto st = start_api(); !st) return st;

  uv_timer_init(loop_, &tick_);
  tick_.data = this;
  ++handles_open_;
  uv_timer_start(&tick_, &Gateway::on_tick, kTickMs, kTickMs);
  return {};
}

Result<std::string> Gateway::open_listener(uv_tcp_t& handle, bool& open,
                                           const config::Endpoint& bind, std::string_view what) {
  uv_tcp_init(loop_, &handle);
  handle.data = this;
  open = true;  // shutdown() closes it from now on, bound or not
  ++handles_open_;
  return tcp_listen(&handle, bind.host, bind.port, &Gateway::on_connection, what);
}

Status Gateway::start_rtmps() {
  if (!cfg_.rtmps.enabled) return {};
  auto ctx = make_server_tls_context(cfg_.rtmps.certificate, cfg_.rtmps.private_key);
  if (!ctx) return ctx.error();
  rtmps_tls_ = std::move(*ctx);
  auto bound = open_listener(rtmps_listener_, rtmps_open_, cfg_.rtmps.bind, "RTMPS");
  if (!bound) return bound.error();
  rtmps_address_ = *bound;
  log_.info("listening for RTMPS on {} (certificate {})", rtmps_address_, cfg_.rtmps.certificate);
  return {};
}

namespace {
// A SIGHUP reload, carried to a libuv worker thread and back.
struct TlsReload {
  uv_work_t req{};
  Gateway* gw = nullptr;
  config::RtmpsListener rtmps;
  config::StageEndpoint relay;
  std::optional<Result<SslCtxPtr>> server, client;
};
}  // namespace

void Gateway::reload_tls() {
  if (shutting_down_) return;
  if (!cfg_.rtmps.enabled && !relay_tls_) {
    log_.info("SIGHUP: no RTMPS listener and no rtmps stage endpoint: nothing to reload");
    return;
  }
  if (reloading_) {
    log_.info("SIGHUP: a reload is already running");
    return;
  }
  reloading_ = true;
  auto* job = new TlsReload;
  job->req.data = job;
  job->gw = this;
  job->rtmps = cfg_.rtmps;
  job->relay = cfg_.stage_endpoint;
  // Reading PEM files is disk I/O: never on the loop.
  int rc = uv_queue_work(
      loop_, &job->req,
      [](uv_work_t* req) {
        auto* j = static_cast<TlsReload*>(req->data);
        if (j->rtmps.enabled)
          j->server = make_server_tls_context(j->rtmps.certificate, j->rtmps.private_key);
        if (j->relay.kind == "rtmps") j->client = make_client_tls_context(j->relay.ca_file, true);
      },
      [](uv_work_t* req, int) {
        std::unique_ptr<TlsReload> j(static_cast<TlsReload*>(req->data));
        Gateway& g = *j->gw;
        g.reloading_ = false;
        if (g.shutting_down_) return;
        if (j->server && *j->server) {
          g.rtmps_tls_ = std::move(**j->server);
          g.log_.info("SIGHUP: RTMPS certificate reloaded from {} (live connections keep theirs)",
                      j->rtmps.certificate);
        } else if (j->server) {
          g.log_.error("SIGHUP: RTMPS certificate not reloaded, the running one stays: {} ({})",
                       (*j->server).error().detail, (*j->server).error().reason);
        }
        if (j->client && *j->client) {
          g.relay_tls_ = std::move(**j->client);
          g.log_.info("SIGHUP: relay CA reloaded");
        } else if (j->client) {
          g.log_.error("SIGHUP: relay CA not reloaded, the running one stays: {} ({})",
                       (*j->client).error().detail, (*j->client).error().reason);
        }
      });
  if (rc != 0) {
    reloading_ = false;
    delete job;
    log_.error("SIGHUP: cannot queue the reload: {}", uv_strerror(rc));
  }
}

PublicEndpoints Gateway::public_endpoints() const {
  PublicEndpoints ep;
  auto port_of = [](const std::string& addr) { return addr.substr(addr.rfind(':') + 1); };
  const std::string& host = cfg_.gateway.public_host;
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  ep.rtmp = "rtmp://" + h + ":" + port_of(rtmp_address_) + "/app/";
  if (!rtmps_address_.empty()) ep.rtmps = "rtmps://" + h + ":" + port_of(rtmps_address_) + "/app/";
  if (http_) ep.events = "http://" + h + ":" + port_of(http_->address()) + "/events/";
  return ep;
}

Status Gateway::start_api() {
  if (!cfg_.api_listener.enabled) return {};
  api_model_ = api::Model::load_embedded();
  if (!api_model_) return make_error("api.model", "the embedded API model does not parse");
  api_ = std::make_unique<ApiService>(
      cfg_, *registry_, *ingest_, [this] { return public_endpoints(); }, token_key_);
  api_http_ = std::make_unique<ApiHttp>(
      cfg_, *api_model_, *api_, events_, metrics_,
      [this] {
        metrics_.live_publishers = ingest_->live_publishers();
        metrics_.rtmp_connections_open = connections_.size();
        metrics_.event_streams = events_.subscriber_count();
        size_t players = 0;
        for (const auto& [id, c] : connections_)
          players += c->role() == RtmpConnection::Role::kPlayer ? 1 : 0;
        metrics_.players = players;
        return metrics_.render();
      },
      [this](const std::string& id) { return registry_->stage_by_id(id) != nullptr; }, log_);
  http_ = std::make_unique<HttpServer>(loop_, HttpLimits{}, log_,
                                       [this](HttpRequest&& req, HttpResponder r) {
                                         api_http_->handle(std::move(req), std::move(r));
                                       });
  ++handles_open_;
  if (auto st = http_->listen(cfg_.api_listener.bind.host, cfg_.api_listener.bind.port); !st)
    return st;
  log_.info("listening for the control API on {}", http_->address());
  return {};
}

void Gateway::on_connection(uv_stream_t* server, int status) {
  auto* self = static_cast<Gateway*>(server->data);
  if (status < 0) {
    self->log_.warn("accept failed: {}", uv_strerror(status));
    return;
  }
  std::string tls_problem;
  std::unique_ptr<ByteStream> stream;
  if (server == reinterpret_cast<uv_stream_t*>(&self->rtmps_listener_)) {
    auto tls = make_tls_server_stream(self->loop_, self->rtmps_tls_.get());
    if (tls) {
      stream = std::move(*tls);
      self->metrics_.rtmps_connections_accepted++;
    } else {
      tls_problem = tls.error().detail;  // accepted below, then closed with the reason
    }
  }
  if (!stream) stream = make_plain_stream(self->loop_);
  auto* conn = new RtmpConnection(*self, self->next_connection_id_++, std::move(stream));
  self->metrics_.rtmp_connections_accepted++;
  self->connections_[conn->id()] = conn;
  if (!conn->start(server)) {
    conn->close("accept failed");
    return;
  }
  if (!tls_problem.empty()) {
    conn->close("cannot start a TLS session: " + tls_problem);
    return;
  }
  if (self->shutting_down_ || self->connections_.size() > self->cfg_.limits.max_connections)
    conn->close("connection limit reached");
}

void Gateway::on_tick(uv_timer_t* t) {
  auto* self = static_cast<Gateway*>(t->data);
  Millis now = now_millis();
  std::vector<RtmpConnection*> conns;
  for (auto& [id, c] : self->connections_) conns.push_back(c);
  for (auto* c : conns)
    if (self->connections_.count(c->id())) c->tick(now);
  self->registry_->tick(now);
}

void Gateway::connection_closed(RtmpConnection* c) {
  connections_.erase(c->id());
  maybe_finish_shutdown();
}

void Gateway::shutdown(std::function<void()> done) {
  if (shutting_down_) return;
  shutting_down_ = true;
  shutdown_done_ = std::move(done);
  log_.info("shutting down: ending {} live publishes", ingest_ ? ingest_->live_publishers() : 0);
  auto close_handle = [this](uv_handle_t* h) {
    uv_close(h, [](uv_handle_t* h) {
      auto* self = static_cast<Gateway*>(h->data);
      --self->handles_open_;
      self->maybe_finish_shutdown();
    });
  };
  if (listener_open_) {
    listener_open_ = false;
    close_handle(reinterpret_cast<uv_handle_t*>(&rtmp_listener_));
  }
  if (rtmps_open_) {
    rtmps_open_ = false;
    close_handle(reinterpret_cast<uv_handle_t*>(&rtmps_listener_));
  }
  if (http_) {
    http_->close([this] {
      --handles_open_;
      maybe_finish_shutdown();
    });
  }
  if (ingest_) ingest_->kick_all("the gateway is shutting down");
  std::vector<RtmpConnection*> conns;
  for (auto& [id, c] : connections_) conns.push_back(c);
  for (auto* c : conns) c->close("the gateway is shutting down");
  if (registry_) registry_->end_all_sessions(now_millis());
  if (uv_is_active(reinterpret_cast<uv_handle_t*>(&tick_)) || tick_.data == this) {
    uv_timer_stop(&tick_);
    close_handle(reinterpret_cast<uv_handle_t*>(&tick_));
  }
  maybe_finish_shutdown();
}

void Gateway::maybe_finish_shutdown() {
  if (!shutting_down_ || !connections_.empty()) return;
  // Close the database last: every event written above is flushed to disk first.
  if (db_ && handles_open_ == 1) {
    if (db_closing_) return;
    db_closing_ = true;
    auto* db = db_.get();
    db->close([this] {
      --handles_open_;
      maybe_finish_shutdown();
    });
    return;
  }
  if (handles_open_ == 0 && shutdown_done_) {
    auto done = std::move(shutdown_done_);
    shutdown_done_ = nullptr;
    done();
  }
}

}  // namespace sg::gw
