// The control API's HTTP side: GET /healthz, and the rest-json operations of the ivs-realtime
// model (`POST /<Operation>`, `/tags/{resourceArn}`), each request authenticated with SigV4
// (service "ivs", the configured region and credentials), its members taken from the body, the
// URI and the query string, validated against the model, then run by ApiService. Errors go out as
// shared/reference/ivs-realtime.md section 6.2 recommends, so that boto3 raises typed exceptions.
#pragma once

#include <spdlog/logger.h>

#include <memory>

#include "config/config.h"
#include "gateway/api_model.h"
#include "gateway/api_service.h"
#include "gateway/event_hub.h"
#include "gateway/http_server.h"
#include "gateway/metrics.h"
#include "gateway/rate_limiter.h"

namespace sg::gw {

class ApiHttp {
 public:
  // `metrics_text` renders GET /metrics; `stage_exists` answers for GET /events/<stageId>.
  ApiHttp(const config::Config& cfg, const api::Model& model, ApiService& service, EventHub& events,
          Metrics& metrics, std::function<std::string()> metrics_text,
          std::function<bool(const std::string&)> stage_exists, spdlog::logger& log);
  void handle(HttpRequest&& req, HttpResponder responder);

 private:
  void reply(const HttpResponder& r, const std::string& request_id, const std::string& operation,
             const ApiResult& result);

  const config::Config& cfg_;
  const api::Model& model_;
  ApiService& service_;
  EventHub& events_;
  Metrics& metrics_;
  std::function<std::string()> metrics_text_;
  std::function<bool(const std::string&)> stage_exists_;
  RateLimiter limiter_;
  spdlog::logger& log_;
};

// Percent-decoding of a URI label or query value ('+' stays '+': AWS clients send %20); nullopt
// when malformed.
std::optional<std::string> percent_decode(std::string_view s);

}  // namespace sg::gw
