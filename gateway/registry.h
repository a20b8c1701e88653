// The loop thread's view of stages, ingest configurations, stage sessions and participants.
// Reads are served from memory; every change is written through the DbWorker in order, and every
// participant event is also one log line (event, stage, session, participant, error code).
#pragma once

#include <spdlog/logger.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "gateway/db_worker.h"
#include "gateway/model.h"

namespace sg::gw {

Millis now_millis();

class Registry {
 public:
  Registry(const config::Config& cfg, DbWorker& db, spdlog::logger& log);

  // Start-up: adopt what the store holds, then create the YAML-declared stages and ingest
  // configurations that are missing (matched by name). Returns errors as sentences.
  void load(Snapshot snap);
  std::vector<std::string> apply_declared(const std::vector<config::DeclaredStage>& stages);

  // One log line per ingest configuration (id, name, stage, participant id, protocol; never the
  // key).
  void log_inventory() const;

  const Stage* stage_by_id(std::string_view id) const;
  const Stage* stage_by_arn(std::string_view arn) const;
  const Stage* stage_by_name(std::string_view name) const;
  const IngestConfiguration* config_by_id(std::string_view id) const;
  const IngestConfiguration* config_by_participant(std::string_view participant_id) const;
  const StorageConfiguration* storage_by_arn(std::string_view arn) const;

  // --- control API -------------------------------------------------------------------------
  const Stage& create_stage(std::string name, StringMap tags);
  // Applies `edit` to the stored resource and writes it; false when there is no such resource.
  bool update_stage(const std::string& id, const std::function<void(Stage&)>& edit);
  bool update_config(const std::string& id, const std::function<void(IngestConfiguration&)>& edit);
  // Creates a configuration: assigns id, ARN, participant id and (unless set) a stream key.
  const IngestConfiguration& create_config(IngestConfiguration c);
  // The id is taken by value: callers often hold a reference into the entry being erased.
  void delete_stage(std::string id);
  void delete_config(std::string id);
  // Creates a storage configuration (assigns id, ARN and creation time) and writes it. The bucket
  // directory is the caller's business: the registry only keeps the resource.
  const StorageConfiguration& create_storage(std::string name, std::string bucket_name,
                                             StringMap tags);
  bool update_storage(const std::string& id,
                      const std::function<void(StorageConfiguration&)>& edit);
  void delete_storage(std::string id);
  // Resources in a stable order (creation time, then id): the order pagination follows.
  std::vector<const Stage*> stages() const;
  std::vector<const IngestConfiguration*> configs() const;
  std::vector<const StorageConfiguration*> storages() const;
  // Runs `done` on the loop once every write queued so far has reached the store; `ok` is false if
  // any write failed since the last flush (the caller must not acknowledge then).
  void flush(std::function<void(bool ok)> done);
  DbWorker& db() { return db_; }

  // The stage's active session, opened (and written) when there is none.
  const StageSession& ensure_session(const std::string& stage_id);
  // The ingest configuration's participant joined / left the stage's active session.
  const Participant& participant_joined(const std::string& stage_id, const IngestConfiguration& cfg,
                                        std::string protocol);
  void participant_published(const std::string& session_id, const std::string& participant_id);
  void participant_left(const std::string& stage_id, const std::string& session_id,
                        const std::string& participant_id);
  // Starts the idle clock of a stage session that has no connected participant (after a refusal
  // opened it).
  void release_if_idle(const std::string& stage_id);
  void set_config_state(const std::string& config_id, std::string state);

  // Called with every participant event as it is recorded (the live event streams).
  void on_event(std::function<void(const ParticipantEvent&)> listener) {
    event_listener_ = std::move(listener);
  }
  // Records one participant event (store + log line).
  void record_event(const std::string& stage_id, const std::string& session_id,
                    const std::string& participant_id, std::string name,
                    std::string error_code = {});

  // Ends stage sessions that have been idle (no connected participant) for sessions.idle_end.
  void tick(Millis now);
  // Ends the stage's open session now (idle long enough, or the stage is being deleted).
  void end_session(const std::string& stage_id, Millis now);
  // Ends every open session now (shutdown).
  void end_all_sessions(Millis now);

 private:
  void put_stage(const Stage& s);
  void put_config(const IngestConfiguration& c);
  void put_participant(const Participant& p);
  void put_storage(const StorageConfiguration& c);
  void write(DbWorker::Job job, const char* what);

  const config::Config& cfg_;
  DbWorker& db_;
  uint64_t write_failures_ = 0;
  std::function<void(const ParticipantEvent&)> event_listener_;
  spdlog::logger& log_;
  std::map<std::string, Stage, std::less<>> stages_;                   // by id
  std::map<std::string, IngestConfiguration, std::less<>> configs_;    // by id
  std::map<std::string, StorageConfiguration, std::less<>> storages_;  // by id
  std::map<std::string, StageSession, std::less<>> sessions_;          // open sessions by stage id
  std::map<std::string, Millis, std::less<>> idle_since_;              // stage id -> last leave
  // Participants of open sessions, keyed by session id + '/' + participant id.
  std::map<std::string, Participant, std::less<>> participants_;
};

}  // namespace sg::gw
