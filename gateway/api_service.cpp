#include "gateway/api_service.h"

#include <openssl/evp.h>

#include <charconv>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>

#include "gateway/base64url.h"
#include "gateway/participant_token.h"
#include "gateway/random.h"

namespace sg::gw {

using nlohmann::json;

namespace {

ApiError validation(std::string message) {
  return {400, "ValidationException", std::move(message)};
}
ApiError not_found(const std::string& what) {
  return {404, "ResourceNotFoundException", what + " not found"};
}
ApiError conflict(std::string message) {
  return {409, "ConflictException", std::move(message)};
}
ApiError quota(std::string message) {
  return {402, "ServiceQuotaExceededException", std::move(message)};
}
void fail(ApiService::Done& done, ApiError e) {
  done(ApiResult{std::move(e), json::object()});
}

StringMap string_map(const json& in, const char* key) {
  StringMap out;
  if (auto it = in.find(key); it != in.end() && it->is_object())
    for (const auto& [k, v] : it->items()) out[k] = v.get<std::string>();
  return out;
}

// The sort key of an item of each listed kind: pagination resumes after the last key returned.
struct SortKey {
  Millis time;
  std::string id;
  bool operator<=(const SortKey& o) const { return time != o.time ? time < o.time : id <= o.id; }
};
SortKey sort_key(const Stage* s) {
  return {s->created, s->id};
}
SortKey sort_key(const IngestConfiguration* c) {
  return {c->created, c->id};
}
SortKey sort_key(const StorageConfiguration* c) {
  return {c->created, c->id};
}
SortKey sort_key(const StageSession* s) {
  return {s->start_time, s->id};
}
SortKey sort_key(const Participant* p) {
  return {p->first_join_time, p->participant_id};
}
SortKey sort_key(const ParticipantEvent* e) {
  return {e->seq, ""};
}

// One page of `items` (in their stable order) after the token's position.
template <class T>
bool paginate(const std::vector<const T*>& items, const json& in, std::vector<const T*>& page,
              std::string& next, ApiError& error) {
  size_t max = in.value("maxResults", 50);
  std::optional<SortKey> after;
  if (auto t = in.value("nextToken", std::string()); !t.empty()) {
    SortKey k;
    if (!parse_page_token(t, k.time, k.id)) {
      error = validation("The nextToken is not valid");
      return false;
    }
    after = k;
  }
  for (const T* it : items) {
    if (after && sort_key(it) <= *after) continue;
    if (page.size() == max) {
      auto k = sort_key(page.back());
      next = make_page_token(k.time, k.id);
      break;
    }
    page.push_back(it);
  }
  return true;
}

// The answer of a List operation: one page of `items` as `key`, each shaped by `to_json`, and a
// nextToken when more follow.
template <class T, class ToJson>
ApiResult list_page(const std::vector<const T*>& items, const json& in, const char* key,
                    ToJson to_json) {
  std::vector<const T*> page;
  std::string next;
  ApiError error;
  if (!paginate(items, in, page, next, error)) return {error, json::object()};
  json out = {{key, json::array()}};
  for (const T* item : page) out[key].push_back(to_json(*item));
  if (!next.empty()) out["nextToken"] = next;
  return {std::nullopt, out};
}

template <class T>
std::vector<const T*> pointers(const std::vector<T>& v) {
  std::vector<const T*> out;
  for (const auto& x : v) out.push_back(&x);
  return out;
}

std::string iso8601(Millis ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

json session_json(const StageSession& s) {
  json j = {{"sessionId", s.id}, {"startTime", iso8601(s.start_time)}};
  if (s.end_time) j["endTime"] = iso8601(s.end_time);
  return j;
}

json participant_json(const Participant& p, bool summary) {
  json j = {{"participantId", p.participant_id},
            {"userId", p.user_id},
            {"state", p.state},
            {"firstJoinTime", iso8601(p.first_join_time)},
            {"published", p.published},
            {"recordingState", p.recording_state},
            {"replicationType", "NONE"},
            {"replicationState", "INACTIVE"},
            {"redundantIngest", false},
            {"ingestConfigurationArn", p.ingest_configuration_arn}};
  if (!summary) {
    j["attributes"] = p.attributes;
    j["protocol"] = p.protocol.empty() ? "UNKNOWN" : p.protocol;
    j["recordingS3BucketName"] = "";
    j["recordingS3Prefix"] = "";
  }
  return j;
}

json storage_json(const StorageConfiguration& c) {
  return {
      {"arn", c.arn}, {"name", c.name}, {"s3", {{"bucketName", c.bucket_name}}}, {"tags", c.tags}};
}

// The bucket is a directory under storage.root: the model's pattern ([a-z0-9-.]+) has no '/', so
// only "." and ".." could leave or alias the root; refusing any ".." keeps that out for good.
std::optional<std::string> bucket_name_problem(const std::string& bucket) {
  if (bucket == "." || bucket.find("..") != std::string::npos)
    return "Value '" + bucket +
           "' at 's3.bucketName' failed to satisfy constraint: Member must not be '.' or contain "
           "'..'";
  return std::nullopt;
}

json event_json(const ParticipantEvent& e) {
  json j = {{"name", e.name},
            {"participantId", e.participant_id},
            {"eventTime", iso8601(e.event_time)},
            {"replica", false}};
  if (!e.error_code.empty()) j["errorCode"] = e.error_code;
  return j;
}

}  // namespace

std::string make_page_token(Millis created, const std::string& id) {
  return base64url_encode("1:" + std::to_string(created) + ":" + id);
}

bool parse_page_token(const std::string& token, Millis& created, std::string& id) {
  auto decoded = base64url_decode(token);
  if (!decoded || decoded->rfind("1:", 0) != 0) return false;
  const std::string& raw = *decoded;
  auto colon = raw.find(':', 2);
  if (colon == std::string::npos) return false;
  auto [end, ec] = std::from_chars(raw.data() + 2, raw.data() + colon, created);
  if (ec != std::errc() || end != raw.data() + colon) return false;
  id = raw.substr(colon + 1);
  return true;
}

ApiService::ApiService(const config::Config& cfg, Registry& registry, IngestService& ingest,
                       std::function<PublicEndpoints()> endpoints, const std::string& token_key)
    : cfg_(cfg),
      registry_(registry),
      ingest_(ingest),
      endpoints_(std::move(endpoints)),
      token_key_(token_key) {}

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
      {"GetStageSession", &ApiService::get_stage_session},
      {"ListStageSessions", &ApiService::list_stage_sessions},
      {"GetParticipant", &ApiService::get_participant},
      {"ListParticipants", &ApiService::list_participants},
      {"ListParticipantEvents", &ApiService::list_participant_events},
      {"DisconnectParticipant", &ApiService::disconnect_participant},
      {"CreateStorageConfiguration", &ApiService::create_storage_configuration},
      {"GetStorageConfiguration", &ApiService::get_storage_configuration},
      {"ListStorageConfigurations", &ApiService::list_storage_configurations},
      {"DeleteStorageConfiguration", &ApiService::delete_storage_configuration},
      {"TagResource", &ApiService::tag_resource},
      {"UntagResource", &ApiService::untag_resource},
      {"ListTagsForResource", &ApiService::list_tags_for_resource},
      {"CreateParticipantToken", &ApiService::create_participant_token},
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
  if (attr_bytes > 1024) return fail(done, validation("attributes exceed 1 KB in total"));
  if (!c.stage_arn.empty() && !stage_of_arn(c.stage_arn))
    return fail(done, validation("stageArn " + c.stage_arn + " names no stage"));
  if (registry_.configs().size() >= cfg_.limits.ingest_configurations)
    return fail(
        done, quota("The account has reached its limit of " +
                    std::to_string(cfg_.limits.ingest_configurations) + " ingest configurations"));
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
  done(list_page(items, in, "ingestConfigurations",
                 [this](const IngestConfiguration& c) { return config_json(c, true); }));
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
  done(list_page(registry_.stages(), in, "stages", [](const Stage& s) {
    json j = {{"arn", s.arn}, {"name", s.name}, {"tags", s.tags}};
    if (!s.active_session_id.empty()) j["activeSessionId"] = s.active_session_id;
    return j;
  }));
}

// --- Sessions, participants, events -----------------------------------------------------------

template <class T>
void ApiService::read(std::function<Result<T>(Store&)> read, std::function<void(T&)> then,
                      Done& done) {
  auto out = std::make_shared<T>();
  registry_.db().post(
      [out, read = std::move(read)](Store& st) {
        auto r = read(st);
        if (!r) return r.status();
        *out = std::move(*r);
        return Status{};
      },
      [out, then = std::move(then), done = std::move(done)](Status s) {
        if (!s) {
          done(ApiResult{ApiError{500, "InternalServerException", "The state could not be read"},
                         json::object()});
          return;
        }
        then(*out);
      });
}

void ApiService::get_stage_session(const json& in, Done& done) {
  const Stage* s = stage_of_arn(in.value("stageArn", ""));
  if (!s) return fail(done, not_found("Stage"));
  std::string stage_id = s->id, session_id = in.value("sessionId", "");
  auto reply = done;
  read<std::vector<StageSession>>(
      [stage_id](Store& st) { return st.list_sessions(stage_id); },
      [session_id, reply](std::vector<StageSession>& all) mutable {
        for (const auto& x : all)
          if (x.id == session_id) return reply({std::nullopt, {{"stageSession", session_json(x)}}});
        fail(reply, not_found("StageSession"));
      },
      done);
}

void ApiService::list_stage_sessions(const json& in, Done& done) {
  const Stage* s = stage_of_arn(in.value("stageArn", ""));
  if (!s) return fail(done, not_found("Stage"));
  std::string stage_id = s->id;
  auto reply = done;
  read<std::vector<StageSession>>(
      [stage_id](Store& st) { return st.list_sessions(stage_id); },
      [in, reply](std::vector<StageSession>& all) mutable {
        reply(list_page(pointers(all), in, "stageSessions", session_json));
      },
      done);
}

void ApiService::get_participant(const json& in, Done& done) {
  const Stage* s = stage_of_arn(in.value("stageArn", ""));
  if (!s) return fail(done, not_found("Stage"));
  std::string session_id = in.value("sessionId", ""), pid = in.value("participantId", "");
  auto reply = done;
  read<std::vector<Participant>>(
      [session_id](Store& st) { return st.list_participants(session_id); },
      [pid, reply](std::vector<Participant>& all) mutable {
        for (const auto& p : all)
          if (p.participant_id == pid)
            return reply({std::nullopt, {{"participant", participant_json(p, false)}}});
        fail(reply, not_found("Participant"));
      },
      done);
}

void ApiService::list_participants(const json& in, Done& done) {
  const Stage* s = stage_of_arn(in.value("stageArn", ""));
  if (!s) return fail(done, not_found("Stage"));
  int filters = 0;
  for (const char* f :
       {"filterByUserId", "filterByPublished", "filterByState", "filterByRecordingState"})
    filters += in.contains(f) ? 1 : 0;
  if (filters > 1) return fail(done, validation("Only one participant filter may be given"));
  std::string session_id = in.value("sessionId", "");
  auto reply = done;
  read<std::vector<Participant>>(
      [session_id](Store& st) { return st.list_participants(session_id); },
      [in, reply](std::vector<Participant>& all) mutable {
        std::vector<const Participant*> items;
        for (const auto& p : all) {
          if (in.contains("filterByUserId") && p.user_id != in["filterByUserId"].get<std::string>())
            continue;
          if (in.contains("filterByPublished") &&
              p.published != in["filterByPublished"].get<bool>())
            continue;
          if (in.contains("filterByState") && p.state != in["filterByState"].get<std::string>())
            continue;
          if (in.contains("filterByRecordingState") &&
              p.recording_state != in["filterByRecordingState"].get<std::string>())
            continue;
          items.push_back(&p);
        }
        reply(list_page(items, in, "participants",
                        [](const Participant& p) { return participant_json(p, true); }));
      },
      done);
}

void ApiService::list_participant_events(const json& in, Done& done) {
  const Stage* s = stage_of_arn(in.value("stageArn", ""));
  if (!s) return fail(done, not_found("Stage"));
  std::string session_id = in.value("sessionId", ""), pid = in.value("participantId", "");
  auto reply = done;
  read<std::vector<ParticipantEvent>>(
      [session_id, pid](Store& st) { return st.list_events(session_id, pid); },
      [in, reply](std::vector<ParticipantEvent>& all) mutable {
        reply(list_page(pointers(all), in, "events", event_json));
      },
      done);
}

void ApiService::disconnect_participant(const json& in, Done& done) {
  const Stage* s = stage_of_arn(in.value("stageArn", ""));
  if (!s) return fail(done, not_found("Stage"));
  const IngestConfiguration* c = registry_.config_by_participant(in.value("participantId", ""));
  if (!c || c->stage_arn != s->arn || !ingest_.is_live(c->id))
    return fail(done, not_found("Participant"));
  std::string id = c->id;
  std::string reason = in.value("reason", "");
  ingest_.disconnect(id, reason.empty() ? "disconnected through the API" : reason);
  // As IVS does: the configuration loses its stage, so the encoder cannot come straight back.
  registry_.update_config(id, [](IngestConfiguration& x) { x.stage_arn.clear(); });
  acknowledge(json::object(), done);
}

// --- Participant tokens --------------------------------------------------------------------

void ApiService::create_participant_token(const json& in, Done& done) {
  const Stage* s = stage_of_arn(in.value("stageArn", ""));
  if (!s) return fail(done, not_found("Stage"));
  TokenClaims c;
  c.stage_arn = s->arn;
  c.participant_id = new_resource_id();
  c.user_id = in.value("userId", "");
  c.attributes = string_map(in, "attributes");
  size_t attr_bytes = 0;
  for (const auto& [k, v] : c.attributes) attr_bytes += k.size() + v.size();
  if (attr_bytes > 1024) return fail(done, validation("attributes exceed 1 KB in total"));
  c.capabilities = in.value("capabilities", std::vector<std::string>{"PUBLISH", "SUBSCRIBE"});
  int64_t minutes = in.value("duration", 720);
  c.issued_at = now_millis();
  c.expires_at = c.issued_at + minutes * 60 * 1000;
  json out = {{"participantId", c.participant_id},
              {"token", sign_participant_token(c, token_key_)},
              {"userId", c.user_id},
              {"attributes", c.attributes},
              {"duration", minutes},
              {"capabilities", c.capabilities},
              {"expirationTime", iso8601(c.expires_at)}};
  done({std::nullopt, {{"participantToken", out}}});
}

// --- Storage configurations ----------------------------------------------------------------

void ApiService::create_storage_configuration(const json& in, Done& done) {
  std::string bucket;
  if (auto s3 = in.find("s3"); s3 != in.end() && s3->is_object())
    bucket = s3->value("bucketName", "");
  if (auto problem = bucket_name_problem(bucket))
    return fail(done, validation(api::validation_message({*problem})));
  auto dir = std::filesystem::path(cfg_.storage.root) / bucket;
  // The directory is made on the database thread (never block the loop on the file system); the
  // resource exists only once its bucket does. An existing directory is adopted, content and all.
  registry_.db().post(
      [dir](Store&) -> Status {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec || !std::filesystem::is_directory(dir, ec))
          return make_error("storage.bucket", ec ? ec.message() : "not a directory");
        return Status{};
      },
      [this, bucket, name = in.value("name", ""), tags = string_map(in, "tags"),
       done = std::move(done)](Status s) mutable {
        // Only the bucket name goes back to the client: the server's paths are not its business.
        if (!s)
          return fail(done, {500, "InternalServerException",
                             "The bucket " + bucket + " could not be created"});
        const auto& c = registry_.create_storage(std::move(name), bucket, std::move(tags));
        acknowledge({{"storageConfiguration", storage_json(c)}}, done);
      });
}

void ApiService::get_storage_configuration(const json& in, Done& done) {
  const auto* c = registry_.storage_by_arn(in.value("arn", ""));
  if (!c) return fail(done, not_found("StorageConfiguration"));
  done({std::nullopt, {{"storageConfiguration", storage_json(*c)}}});
}

void ApiService::list_storage_configurations(const json& in, Done& done) {
  done(list_page(registry_.storages(), in, "storageConfigurations",
                 [this](const StorageConfiguration& c) { return storage_json(c); }));
}

void ApiService::delete_storage_configuration(const json& in, Done& done) {
  const auto* c = registry_.storage_by_arn(in.value("arn", ""));
  if (!c) return fail(done, not_found("StorageConfiguration"));
  // A stage whose autoParticipantRecordingConfiguration names this configuration would make this a
  // 409 ConflictException; stages cannot reference one yet (CreateStage/UpdateStage refuse it).
  // The bucket directory stays: the recordings in it are the operator's.
  registry_.delete_storage(c->id);
  acknowledge(json::object(), done);
}

// --- Tags ------------------------------------------------------------------------------------

const StringMap* ApiService::tags_of(const std::string& arn) const {
  if (const Stage* s = registry_.stage_by_arn(arn)) return &s->tags;
  const auto* c = registry_.config_by_id(arn_resource_id(arn));
  if (c && c->arn == arn) return &c->tags;
  if (const auto* sc = registry_.storage_by_arn(arn)) return &sc->tags;
  return nullptr;
}

bool ApiService::edit_tags(const std::string& arn, const std::function<void(StringMap&)>& edit) {
  if (const Stage* s = registry_.stage_by_arn(arn))
    return registry_.update_stage(s->id, [&](Stage& x) { edit(x.tags); });
  const auto* c = registry_.config_by_id(arn_resource_id(arn));
  if (c && c->arn == arn)
    return registry_.update_config(c->id, [&](IngestConfiguration& x) { edit(x.tags); });
  if (const auto* sc = registry_.storage_by_arn(arn))
    return registry_.update_storage(sc->id, [&](StorageConfiguration& x) { edit(x.tags); });
  return false;
}

void ApiService::tag_resource(const json& in, Done& done) {
  std::string arn = in.value("resourceArn", "");
  const StringMap* tags = tags_of(arn);
  if (!tags) return fail(done, not_found("Resource"));
  StringMap merged = *tags;
  for (const auto& [k, v] : string_map(in, "tags")) merged[k] = v;
  if (merged.size() > 50) return fail(done, validation("A resource can have at most 50 tags"));
  edit_tags(arn, [&](StringMap& t) { t = merged; });
  acknowledge(json::object(), done);
}

void ApiService::untag_resource(const json& in, Done& done) {
  std::string arn = in.value("resourceArn", "");
  if (!tags_of(arn)) return fail(done, not_found("Resource"));
  auto keys = in.value("tagKeys", std::vector<std::string>{});
  edit_tags(arn, [&](StringMap& t) {
    for (const auto& k : keys) t.erase(k);
  });
  acknowledge(json::object(), done);
}

void ApiService::list_tags_for_resource(const json& in, Done& done) {
  const StringMap* tags = tags_of(in.value("resourceArn", ""));
  if (!tags) return fail(done, not_found("Resource"));
  done({std::nullopt, {{"tags", *tags}}});
}

}  // namespace sg::gw
