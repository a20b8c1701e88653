// stagegate: the daemon. `stagegate [--config FILE]` runs it; `stagegate --check-config FILE`
// validates a configuration file and exits.
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <uv.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

extern "C" {
#include <libavutil/log.h>
}

#include "config/loader.h"
#include "gateway/gateway.h"
#include "gateway/store.h"

namespace {

struct LoopCloser {
  void operator()(uv_loop_t* loop) const {
    uv_loop_close(loop);
    delete loop;
  }
};

std::shared_ptr<spdlog::logger> make_logger(const sg::config::Gateway& g) {
  auto logger = spdlog::stderr_logger_mt("stagegate");
  if (g.log_format == "json") {
    logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":"%v"})",
                        spdlog::pattern_time_type::utc);
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(g.log_level));
  logger->flush_on(spdlog::level::trace);
  return logger;
}

// Without a configuration file the gateway is a working demo: one stage and one plain-RTMP ingest
// configuration whose generated key `stagegate --print-stream-key obs` shows.
void add_demo_stage(sg::config::Config& cfg) {
  sg::config::DeclaredIngestConfiguration obs;
  obs.name = "obs";
  obs.user_id = "demo";
  obs.ingest_protocol = "RTMP";
  obs.insecure_ingest = true;
  cfg.stages.push_back({"demo", {obs}});
}

// Prints a configuration's stream key or participant id on explicit request (standard output,
// never the log). The daemon must have started once so that the configuration exists.
int print_configuration_field(const sg::config::Config& cfg, const std::string& name,
                              bool stream_key) {
  auto store = sg::gw::open_sqlite_store(cfg.state.path);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().detail.c_str());
    return 1;
  }
  auto snap = (*store)->load();
  if (!snap) {
    std::fprintf(stderr, "%s\n", snap.error().detail.c_str());
    return 1;
  }
  for (const auto& c : snap->ingest_configurations) {
    if (c.name == name) {
      std::printf("%s\n", (stream_key ? c.stream_key : c.participant_id).c_str());
      return 0;
    }
  }
  std::fprintf(stderr, "no ingest configuration named '%s' in %s (start the gateway once first)\n",
               name.c_str(), cfg.state.path.c_str());
  return 1;
}

int print_errors(const std::vector<std::string>& errors) {
  for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"stagegate: an RTMP(S) ingest gateway with the Amazon IVS Real-Time API"};
  std::string config_path, check_path, key_of, participant_of;
  app.add_option("-c,--config", config_path,
                 "YAML configuration file (default: built-in defaults)");
  app.add_option("--check-config", check_path, "validate a configuration file and exit");
  app.add_option("--print-stream-key", key_of,
                 "print the stream key of the named ingest configuration and exit");
  app.add_option("--print-participant-id", participant_of,
                 "print the participant id (for /play/<id>) of the named ingest configuration");
  CLI11_PARSE(app, argc, argv);

  if (!check_path.empty()) {
    auto r = sg::config::load_file(check_path);
    if (!r.config) return print_errors(r.errors);
    std::printf("%s: OK\n%s", check_path.c_str(), sg::config::describe(*r.config).c_str());
    return 0;
  }

  auto loaded = config_path.empty() ? sg::config::defaults() : sg::config::load_file(config_path);
  if (!loaded.config) return print_errors(loaded.errors);
  if (config_path.empty()) add_demo_stage(*loaded.config);
  const sg::config::Config& cfg = *loaded.config;
  if (!key_of.empty()) return print_configuration_field(cfg, key_of, /*stream_key=*/true);
  if (!participant_of.empty()) return print_configuration_field(cfg, participant_of, false);

  auto log = make_logger(cfg.gateway);
  // The validator reports malformed media as INVALID_INPUT events; libavcodec's own complaints
  // about the same bytes would only repeat them, unbounded, on stderr.
  av_log_set_level(AV_LOG_QUIET);
  std::unique_ptr<uv_loop_t, LoopCloser> loop(new uv_loop_t);
  uv_loop_init(loop.get());

  sg::gw::Gateway gateway(loop.get(), cfg, *log);
  if (auto s = gateway.start(); !s) {
    log->critical("cannot start: {} ({})", s.error().detail, s.reason());
    gateway.shutdown([] {});
    uv_run(loop.get(), UV_RUN_DEFAULT);
    return 1;
  }
  log->info("stagegate started (config: {})", cfg.source);

  // Signals are handled on the loop: SIGTERM/SIGINT drain and exit; SIGHUP reloads certificates.
  struct Signals {
    uv_signal_t term{}, intr{}, hup{};
  } sig;
  struct Ctx {
    sg::gw::Gateway* gw;
    spdlog::logger* log;
    Signals* sig;
  } ctx{&gateway, log.get(), &sig};
  auto on_stop = [](uv_signal_t* h, int signum) {
    auto* c = static_cast<Ctx*>(h->data);
    c->log->info("signal {}: stopping", signum);
    c->gw->shutdown([c] {
      for (uv_signal_t* s : {&c->sig->term, &c->sig->intr, &c->sig->hup})
        uv_close(reinterpret_cast<uv_handle_t*>(s), nullptr);
    });
  };
  for (auto [h, signum] : {std::pair{&sig.term, SIGTERM}, std::pair{&sig.intr, SIGINT}}) {
    uv_signal_init(loop.get(), h);
    h->data = &ctx;
    uv_signal_start(h, on_stop, signum);
  }
  uv_signal_init(loop.get(), &sig.hup);
  sig.hup.data = &ctx;
  uv_signal_start(
      &sig.hup,
      [](uv_signal_t* h, int) {
        auto* c = static_cast<Ctx*>(h->data);
        c->log->info("SIGHUP: reloading certificates");
        c->gw->reload_tls();
      },
      SIGHUP);

  uv_run(loop.get(), UV_RUN_DEFAULT);
  log->info("stagegate stopped");
  return 0;
}
