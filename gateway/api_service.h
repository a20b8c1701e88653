// The IVS Real-Time operations, transport-agnostic: a validated JSON input in, a JSON output or an
// ApiError out. Writes are acknowledged only after the store has them (Registry::flush), so what
// a client was told survives a crash. The HTTP side (routing, SigV4, wire errors) lives in
// api_http.h.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "config/config.h"
#include "gateway/api_model.h"
#include "gateway/ingest_service.h"
#include "gateway/registry.h"

namespace sg::gw {

struct ApiError {
  int status = 500;
  std::string type;  // ValidationException, ResourceNotFoundException, ...
  std::string message;
};

struct ApiResult {
  std::optional<ApiError> error;
  nlohmann::json body = nlohmann::json::object();
};

// Addresses handed out in stage endpoints (the real bound ports, known after listening).
struct PublicEndpoints {
  std::string rtmp;    // "rtmp://127.0.0.1:1935/app/"
  std::string rtmps;   // "" when there is no RTMPS listener
  std::string events;  // base of the event stream URL, "" when there is no API listener
};

class ApiService {
 public:
  using Done = std::function<void(ApiResult)>;
  ApiService(const config::Config& cfg, Registry& registry, IngestService& ingest,
             std::function<PublicEndpoints()> endpoints, const std::string& token_key);

  // Runs `op` with an input that already passed the model's validation. `done` runs once, maybe
  // later (after the store acknowledged the writes).
  void call(const api::Operation& op, const nlohmann::json& input, Done done);

 private:
  using Handler = void (ApiService::*)(const nlohmann::json&, Done&);
  void create_ingest_configuration(const nlohmann::json& in, Done& done);
  void get_ingest_configuration(const nlohmann::json& in, Done& done);
  void update_ingest_configuration(const nlohmann::json& in, Done& done);
  void delete_ingest_configuration(const nlohmann::json& in, Done& done);
  void list_ingest_configurations(const nlohmann::json& in, Done& done);
  void create_stage(const nlohmann::json& in, Done& done);
  void get_stage(const nlohmann::json& in, Done& done);
  void update_stage(const nlohmann::json& in, Done& done);
  void delete_stage(const nlohmann::json& in, Done& done);
  void list_stages(const nlohmann::json& in, Done& done);
  void get_stage_session(const nlohmann::json& in, Done& done);
  void list_stage_sessions(const nlohmann::json& in, Done& done);
  void get_participant(const nlohmann::json& in, Done& done);
  void list_participants(const nlohmann::json& in, Done& done);
  void list_participant_events(const nlohmann::json& in, Done& done);
  void disconnect_participant(const nlohmann::json& in, Done& done);
  void create_storage_configuration(const nlohmann::json& in, Done& done);
  void get_storage_configuration(const nlohmann::json& in, Done& done);
  void list_storage_configurations(const nlohmann::json& in, Done& done);
  void delete_storage_configuration(const nlohmann::json& in, Done& done);
  void tag_resource(const nlohmann::json& in, Done& done);
  void untag_resource(const nlohmann::json& in, Done& done);
  void list_tags_for_resource(const nlohmann::json& in, Done& done);
  void create_participant_token(const nlohmann::json& in, Done& done);

  // Runs `read` on the database thread, then `then` on the loop with what it produced.
  template <class T>
  void read(std::function<Result<T>(Store&)> read, std::function<void(T&)> then, Done& done);
  // The tags of the stage, ingest configuration or storage configuration `arn`; nullptr when there
  // is none.
  const StringMap* tags_of(const std::string& arn) const;
  bool edit_tags(const std::string& arn, const std::function<void(StringMap&)>& edit);

  // Answers once the store has every write made so far.
  void acknowledge(nlohmann::json body, Done& done);
  nlohmann::json stage_json(const Stage& s) const;
  nlohmann::json config_json(const IngestConfiguration& c, bool summary) const;
  const Stage* stage_of_arn(const std::string& arn) const;

  const config::Config& cfg_;
  Registry& registry_;
  IngestService& ingest_;
  std::function<PublicEndpoints()> endpoints_;
  const std::string& token_key_;
};

// Pagination tokens: opaque (base64url of the last item's sort key), stable under inserts.
std::string make_page_token(Millis created, const std::string& id);
bool parse_page_token(const std::string& token, Millis& created, std::string& id);

}  // namespace sg::gw
