#include "gateway/api_service.h"

#include <openssl/evp.h>

#include <charconv>
#include <map>

namespace sg::gw {

using nlohmann::json;

namespace {

ApiError validation(std::string message) { return {400, "ValidationException", std::move(message)}; }
ApiError not_found(const std::string& what) {
  return {404, "ResourceNotFoundException", what + " not found"};
}
ApiError conflict(std::string message) { return {409, "ConflictException", std::move(message)}; }
ApiError quota(std::string message) {
  return {402, "ServiceQuotaExceededException", std::move(message)};
}
void fail(ApiService::Done& done, ApiError e) { done(ApiResult{std::move(e), json::object()}); }

StringMap string_map(const json& in, const char* key) {
  StringMap out;
  if (auto it = in.find(key); it != in.end() && it->is_object())
    for (const auto& [k, v] : it->items()) out[k] = v.get<std::string>();
  return out;
}

std::string base64url(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), int(in.size()));
  out.resize(size_t(n));
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

bool unbase64url(std::string in, std::string& out) {
  for (char& c : in) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (in.size() % 4) in.push_back('=');
  out.assign(3 * in.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), int(in.size()));
  if (n < 0) return false;
  size_t pad = in.size() - in.find_last_not_of('=') - 1;
  out.resize(size_t(n) - pad);
  return true;
}

// One page of `items` (in their stable order) after the token's position.
template <class T>
bool paginate(const std::vector<const T*>& items, const json& in, std::vector<const T*>& page,
              std::string& next, ApiError& error) {
  size_t max = in.value("maxResults", 50);
  Millis after_created = 0;
  std::string after_id;
  bool have_token = false;
  if (auto t = in.value("nextToken", std::string()); !t.empty()) {
    if (!parse_page_token(t, after_created, after_id)) {
      error = validation("The nextToken is not valid");
      return false;
    }
    have_token = true;
  }
  for (const T* it : items) {
    if (have_token && (it->created < after_created ||
                       (it->created == after_created && it->id <= after_id)))
      continue;
    if (page.size() == max) {
      next = make_page_token(page.back()->created, page.back()->id);
      break;
    }
    page.push_back(it);
  }
  return true;
}

}  // namespace

std::string make_page_token(Millis created, const std::string& id) {
  return base64url("1:" + std::to_string(created) + ":" + id);
}

bool parse_page_token(const std::string& token, Millis& created, std::string& id) {
  std::string raw;
  if (!unbase64url(token, raw) || raw.rfind("1:", 0) != 0) return false;
  auto colon = raw.find(':', 2);
  if (colon == std::string::npos) return false;
  auto [end, ec] = std::from_chars(raw.data() + 2, raw.data() + colon, created);
  if (ec != std::errc() || end != raw.data() + colon) return false;
  id = raw.substr(colon + 1);
  return true;
}

ApiService::ApiService(const config::Config& cfg, Registry& registry, IngestService& ingest,
                       std::function<PublicEndpoints()> endpoints)
    : cfg_(cfg), registry_(registry), ingest_(ingest), endpoints_(std::move(endpoints)) {}

void ApiService::call(const api::Operation& op, const json& input, Done done) {
  static const std::map<std::string, Handler, std::less<>> kHandlers = {
      {"CreateIngestConfiguration", &ApiService::create_ingest_configuration},
      {"GetIngestConfiguration", &ApiService::get_ingest_configuration},
      {"UpdateIngestConfiguration", &ApiService::update_ingest_configuration},
      {"DeleteIngestConfiguration", &ApiService::delete_ingest_configuration},
      {"ListIngestConfigurations", &ApiService::list_ingest_configurations},
      {"CreateStage", &ApiService::create_stage},
      {"GetStage", &ApiService::get_stage},
      {"UpdateStage", &ApiService::update_stage},
      {"DeleteStage", &ApiService::delete_stage},
      {"ListStages", &ApiService::list_stages},
  };
  auto it = kHandlers.find(op.name);
  if (it == kHandlers.end()) {
    return fail(done, {400, "ValidationException",
                       "The operation " + op.name + " is not supported by stagegate"});
  }
  (this->*(it->second))(input, done);
}

void ApiService::acknowledge(json body, Done& done) {
  registry_.flush([body = std::move(body), done = std::move(done)](bool ok) {
    if (!ok) {
      done(ApiResult{ApiError{500, "InternalServerException", "The state could not be stored"},
                     json::object()});
      return;
    }
    done(ApiResult{std::nullopt, body});
  });
}

const Stage* ApiService::stage_of_arn(const std::string& arn) const {
  return registry_.stage_by_arn(arn);
}

json ApiService::stage_json(const Stage& s) const {
  auto ep = endpoints_();
  json j = {{"arn", s.arn}, {"name", s.name}, {"tags", s.tags}};
  if (!s.active_session_id.empty()) j["activeSessionId"] = s.active_session_id;
  j["endpoints"] = {{"rtmp", ep.rtmp},
                    {"rtmps", ep.rtmps},
                    {"whip", ""},
                    {"events", ep.events.empty() ? "" : ep.events + s.id}};
  return j;
}

json ApiService::config_json(const IngestConfiguration& c, bool summary) const {
  json j = {{"name", c.name},
            {"arn", c.arn},
            {"ingestProtocol", c.ingest_protocol},
            {"stageArn", c.stage_arn},
            {"participantId", c.participant_id},
            {"state", c.state},
            {"userId", c.user_id},
            {"redundantIngest", c.redundant_ingest}};
  if (!summary) {
    j["streamKey"] = c.stream_key;
    j["attributes"] = c.attributes;
    j["tags"] = c.tags;
  }
  return j;
}

// --- IngestConfiguration --------------------------------------------------------------------

void ApiService::create_ingest_configuration(const json& in, Done& done) {
  IngestConfiguration c;
  c.name = in.value("name", "");
  c.stage_arn = in.value("stageArn", "");
  c.user_id = in.value("userId", "");
  c.attributes = string_map(in, "attributes");
  c.tags = string_map(in, "tags");
  c.ingest_protocol = in.value("ingestProtocol", "RTMPS");
  c.insecure_ingest = in.value("insecureIngest", false);
  if (c.ingest_protocol == "RTMP" && !c.insecure_ingest)
    return fail(done, validation("ingestProtocol RTMP requires insecureIngest to be true"));
  if (in.value("redundantIngest", false))
    return fail(done, validation("redundantIngest is not supported by stagegate"));
  size_t attr_bytes = 0;
  for (const auto& [k, v] : c.attributes) attr_bytes += k.size() + v.size();
  if (attr_bytes > 1024)
    return fail(done, validation("attributes exceed 1 KB in total"));
  if (!c.stage_arn.empty() && !stage_of_arn(c.stage_arn))
    return fail(done, validation("stageArn " + c.stage_arn + " names no stage"));
  if (registry_.configs().size() >= cfg_.limits.ingest_configurations)
    return fail(done, quota("The account has reached its limit of " +
                            std::to_string(cfg_.limits.ingest_configurations) +
                            " ingest configurations"));
  const auto& created = registry_.create_config(std::move(c));
  acknowledge({{"ingestConfiguration", config_json(created, false)}}, done);
}

void ApiService::get_ingest_configuration(const json& in, Done& done) {
  const auto* c = registry_.config_by_id(arn_resource_id(in.value("arn", "")));
  if (!c || c->arn != in.value("arn", "")) return fail(done, not_found("IngestConfiguration"));
  done({std::nullopt, {{"ingestConfiguration", config_json(*c, false)}}});
}

void ApiService::update_ingest_configuration(const json& in, Done& done) {
  std::string arn = in.value("arn", "");
  const auto* c = registry_.config_by_id(arn_resource_id(arn));
  if (!c || c->arn != arn) return fail(done, not_found("IngestConfiguration"));
  if (ingest_.is_live(c->id))
    return fail(done, conflict("The ingest configuration is ACTIVE: a publisher is live on it"));
  std::string stage_arn = in.value("stageArn", c->stage_arn);
  if (!stage_arn.empty() && !stage_of_arn(stage_arn)) return fail(done, not_found("Stage"));
  if (in.value("redundantIngest", false))
    return fail(done, validation("redundantIngest is not supported by stagegate"));
  registry_.update_config(c->id, [&](IngestConfiguration& x) { x.stage_arn = stage_arn; });
  acknowledge({{"ingestConfiguration", config_json(*c, false)}}, done);
}

void ApiService::delete_ingest_configuration(const json& in, Done& done) {
  std::string arn = in.value("arn", "");
  const auto* c = registry_.config_by_id(arn_resource_id(arn));
  if (!c || c->arn != arn) return fail(done, not_found("IngestConfiguration"));
  std::string id = c->id;
  if (ingest_.is_live(id)) {
    if (!in.value("force", false))
      return fail(done, conflict("The ingest configuration is ACTIVE; use force to delete it"));
    ingest_.disconnect(id, "the ingest configuration was deleted");
  }
  registry_.delete_config(id);
  acknowledge(json::object(), done);
}

void ApiService::list_ingest_configurations(const json& in, Done& done) {
  bool by_stage = in.contains("filterByStageArn"), by_state = in.contains("filterByState");
  if (by_stage && by_state)
    return fail(done, validation("Only one of filterByStageArn and filterByState may be given"));
  std::vector<const IngestConfiguration*> items;
  for (const auto* c : registry_.configs()) {
    if (by_stage && c->stage_arn != in["filterByStageArn"].get<std::string>()) continue;
    if (by_state && c->state != in["filterByState"].get<std::string>()) continue;
    items.push_back(c);
  }
  std::vector<const IngestConfiguration*> page;
  std::string next;
  ApiError error;
  if (!paginate(items, in, page, next, error)) return fail(done, error);
  json out = {{"ingestConfigurations", json::array()}};
  for (const auto* c : page) out["ingestConfigurations"].push_back(config_json(*c, true));
  if (!next.empty()) out["nextToken"] = next;
  done({std::nullopt, out});
}

// --- Stage ----------------------------------------------------------------------------------

void ApiService::create_stage(const json& in, Done& done) {
  if (in.contains("autoParticipantRecordingConfiguration"))
    return fail(done, validation("autoParticipantRecordingConfiguration is not supported yet"));
  if (registry_.stages().size() >= cfg_.limits.stages)
    return fail(done, quota("The account has reached its limit of " +
                            std::to_string(cfg_.limits.stages) + " stages"));
  const auto& s = registry_.create_stage(in.value("name", ""), string_map(in, "tags"));
  acknowledge({{"stage", stage_json(s)}, {"participantTokens", json::array()}}, done);
}

void ApiService::get_stage(const json& in, Done& done) {
  const Stage* s = stage_of_arn(in.value("arn", ""));
  if (!s) return fail(done, not_found("Stage"));
  done({std::nullopt, {{"stage", stage_json(*s)}}});
}

void ApiService::update_stage(const json& in, Done& done) {
  const Stage* s = stage_of_arn(in.value("arn", ""));
  if (!s) return fail(done, not_found("Stage"));
  if (in.contains("autoParticipantRecordingConfiguration"))
    return fail(done, validation("autoParticipantRecordingConfiguration is not supported yet"));
  if (in.contains("name"))
    registry_.update_stage(s->id, [&](Stage& x) { x.name = in["name"].get<std::string>(); });
  acknowledge({{"stage", stage_json(*s)}}, done);
}

void ApiService::delete_stage(const json& in, Done& done) {
  const Stage* s = stage_of_arn(in.value("arn", ""));
  if (!s) return fail(done, not_found("Stage"));
  std::string arn = s->arn, id = s->id;
  // Participants are disconnected first (their events are written), then the stage goes.
  for (const auto* c : registry_.configs())
    if (c->stage_arn == arn) ingest_.disconnect(c->id, "the stage was deleted");
  registry_.delete_stage(id);
  acknowledge(json::object(), done);
}

void ApiService::list_stages(const json& in, Done& done) {
  std::vector<const Stage*> page;
  std::string next;
  ApiError error;
  if (!paginate(registry_.stages(), in, page, next, error)) return fail(done, error);
  json out = {{"stages", json::array()}};
  for (const auto* s : page) {
    json j = {{"arn", s->arn}, {"name", s->name}, {"tags", s->tags}};
    if (!s->active_session_id.empty()) j["activeSessionId"] = s->active_session_id;
    out["stages"].push_back(j);
  }
  if (!next.empty()) out["nextToken"] = next;
  done({std::nullopt, out});
}

}  // namespace sg::gw
