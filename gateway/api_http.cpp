#include "gateway/api_http.h"

#include <chrono>

#include "gateway/random.h"
#include "gateway/sigv4.h"

namespace sg::gw {

using nlohmann::json;

namespace {

std::string new_request_id() {
  // A UUID-shaped id (version 4 layout) for x-amzn-RequestId.
  uint8_t b[16];
  random_bytes(b, sizeof b);
  b[6] = (b[6] & 0x0F) | 0x40;
  b[8] = (b[8] & 0x3F) | 0x80;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[b[i] >> 4]);
    s.push_back(kHex[b[i] & 0xF]);
  }
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi << 4 | lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

ApiHttp::ApiHttp(const config::Config& cfg, const api::Model& model, ApiService& service,
                 EventHub& events, Metrics& metrics, std::function<std::string()> metrics_text,
                 std::function<bool(const std::string&)> stage_exists, spdlog::logger& log)
    : cfg_(cfg),
      model_(model),
      service_(service),
      events_(events),
      metrics_(metrics),
      metrics_text_(std::move(metrics_text)),
      stage_exists_(std::move(stage_exists)),
      limiter_(cfg.api),
      log_(log) {}

void ApiHttp::reply(const HttpResponder& r, const std::string& request_id,
                    const std::string& operation, const ApiResult& result) {
  metrics_.api_requests[{operation, result.error ? result.error->status : 200}]++;
  HttpResponse resp;
  resp.headers = {{"Content-Type", "application/json"}, {"x-amzn-RequestId", request_id}};
  if (result.error) {
    const auto& e = *result.error;
    resp.status = e.status;
    resp.headers.emplace_back("x-amzn-ErrorType", e.type);
    resp.body = json{{"exceptionMessage", e.message}, {"message", e.message}}.dump();
  } else {
    resp.body = result.body.dump();
  }
  r.respond(std::move(resp));
}

void ApiHttp::handle(HttpRequest&& req, HttpResponder responder) {
  std::string request_id = new_request_id();
  // Health and metrics are unsigned, for probes and Prometheus; the API listener is loopback by
  // default, so bind it elsewhere only behind a network boundary.
  if (req.method == "GET" && req.path == "/healthz") {
    responder.respond({200, {{"Content-Type", "application/json"}}, R"({"status":"ok"})"});
    return;
  }
  if (req.method == "GET" && req.path == "/metrics") {
    responder.respond(
        {200, {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}}, metrics_text_()});
    return;
  }
  std::string operation = "-";
  auto error = [&](int status, std::string type, std::string message) {
    reply(responder, request_id, operation,
          ApiResult{ApiError{status, std::move(type), std::move(message)}, {}});
  };

  if (!cfg_.api.allow_anonymous) {
    std::vector<SigV4Credential> creds;
    for (const auto& c : cfg_.api.credentials)
      creds.push_back({c.access_key_id, c.secret_access_key});
    SigV4Request sreq{req.method, req.path, req.query, req.headers, req.body};
    auto outcome =
        verify_sigv4(sreq, creds, cfg_.gateway.region, "ivs", std::chrono::system_clock::now());
    if (!outcome.ok) {
      log_.warn("api request {} {} from {} refused: {} ({})", req.method, req.path, req.remote_ip,
                outcome.error_type, outcome.reason);
      return error(outcome.http_status, outcome.error_type, outcome.message);
    }
  }

  constexpr std::string_view kEvents = "/events/";
  if (req.method == "GET" && req.path.rfind(kEvents, 0) == 0) {
    std::string stage_id = req.path.substr(kEvents.size());
    operation = "Events";
    if (!stage_exists_(stage_id)) return error(404, "ResourceNotFoundException", "Stage not found");
    metrics_.api_requests[{operation, 200}]++;
    events_.subscribe(stage_id, responder.start_stream(200, {{"Cache-Control", "no-cache"}}));
    return;
  }

  const api::Operation* op = model_.route(req.method, req.path);
  if (!op)
    return error(404, "UnknownOperationException",
                 "No operation at " + req.method + " " + req.path);
  operation = op->name;
  if (!limiter_.allow(op->name, now_millis()))
    return error(429, "ThrottlingException", "Rate exceeded for " + op->name);

  json input = json::object();
  if (!req.body.empty()) {
    input = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (input.is_discarded() || !input.is_object())
      return error(400, "ValidationException", "The request body is not a JSON object");
  }
  // Members bound to the URI and the query string (the /tags/{resourceArn} routes).
  if (op->input) {
    for (const auto& m : op->input->members) {
      if (m.location == "uri") {
        auto brace = op->uri.find('{');
        auto value = percent_decode(std::string_view(req.path).substr(brace));
        if (!value)
          return error(400, "ValidationException", "Malformed " + m.name + " in the path");
        input[m.name] = *value;
      } else if (m.location == "querystring") {
        json values = json::array();
        std::string_view q = req.query;
        while (!q.empty()) {
          auto amp = q.find('&');
          auto part = q.substr(0, amp);
          q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
          auto eq = part.find('=');
          auto key = percent_decode(part.substr(0, eq));
          auto val = percent_decode(eq == std::string_view::npos ? "" : part.substr(eq + 1));
          if (!key || !val) return error(400, "ValidationException", "Malformed query string");
          if (*key == m.location_name) values.push_back(*val);
        }
        if (!values.empty()) input[m.name] = values;
      }
    }
    auto problems = api::validate(*op->input, input);
    if (!problems.empty())
      return error(400, "ValidationException", api::validation_message(problems));
  }
  service_.call(*op, input, [this, responder, request_id, op](ApiResult result) {
    log_.info("api {} -> {}{}", op->name, result.error ? result.error->status : 200,
              result.error ? " " + result.error->type : "");
    reply(responder, request_id, op->name, result);
  });
}

}  // namespace sg::gw
