// The resources stagegate keeps, shaped after the IVS Real-Time API
// (shared/reference/ivs-realtime.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace sg::gw {

using Millis = int64_t;  // Unix epoch milliseconds
using StringMap = std::map<std::string, std::string>;

struct Stage {
  std::string id;  // 12 alphanumerics; arn = arn:aws:ivs:<region>:<account>:stage/<id>
  std::string arn;
  std::string name;
  std::string active_session_id;  // empty when idle
  StringMap tags;
  Millis created = 0;
};

struct IngestConfiguration {
  std::string id;
  std::string arn;
  std::string name;
  std::string stage_arn;  // may be empty: the key cannot publish then
  std::string user_id;
  StringMap attributes;
  std::string ingest_protocol = "RTMPS";  // RTMP | RTMPS
  bool insecure_ingest = false;
  std::string stream_key;  // secret: never logged
  std::string participant_id;
  std::string state = "INACTIVE";  // ACTIVE | INACTIVE
  bool redundant_ingest = false;
  StringMap tags;
  Millis created = 0;
};

// A storage configuration: the "S3 bucket" is the directory <storage.root>/<bucket_name>, created
// with the resource and left in place (with its recordings) when the resource is deleted.
struct StorageConfiguration {
  std::string id;  // 12 alphanumerics
  std::string arn;
  std::string name;
  std::string bucket_name;
  StringMap tags;
  Millis created = 0;
};

struct StageSession {
  std::string id;  // st- + 13
  std::string stage_id;
  Millis start_time = 0;
  Millis end_time = 0;  // 0 while active
};

struct Participant {
  std::string session_id;
  std::string participant_id;
  std::string stage_id;
  std::string user_id;
  StringMap attributes;
  std::string state = "CONNECTED";  // CONNECTED | DISCONNECTED
  Millis first_join_time = 0;
  bool published = false;
  std::string protocol;  // RTMP | RTMPS
  std::string ingest_configuration_arn;
  std::string recording_state = "DISABLED";
};

struct ParticipantEvent {
  int64_t seq = 0;  // assigned by the store; orders events
  std::string stage_id;
  std::string session_id;
  std::string participant_id;
  std::string name;  // JOINED, PUBLISH_STARTED, PUBLISH_ERROR, PUBLISH_STOPPED, LEFT, JOIN_ERROR
  Millis event_time = 0;
  std::string error_code;  // empty unless an error event
};

inline std::string stage_arn(const std::string& region, const std::string& account,
                             const std::string& id) {
  return "arn:aws:ivs:" + region + ":" + account + ":stage/" + id;
}
inline std::string ingest_configuration_arn(const std::string& region, const std::string& account,
                                            const std::string& id) {
  return "arn:aws:ivs:" + region + ":" + account + ":ingest-configuration/" + id;
}
inline std::string storage_configuration_arn(const std::string& region, const std::string& account,
                                             const std::string& id) {
  return "arn:aws:ivs:" + region + ":" + account + ":storage-configuration/" + id;
}
// The resource id after the last '/', or empty.
inline std::string arn_resource_id(const std::string& arn) {
  auto p = arn.rfind('/');
  return p == std::string::npos ? std::string{} : arn.substr(p + 1);
}

}  // namespace sg::gw
