// The durable store behind an interface, so that another backend (PostgreSQL shared by several
// gateways) can be added later. Calls are synchronous and may block: the gateway only makes them
// from its database thread (gateway/db_worker.h) or before the event loop starts.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gateway/model.h"
#include "rtmp/status.h"

namespace sg::gw {

struct Snapshot {
  std::vector<Stage> stages;
  std::vector<IngestConfiguration> ingest_configurations;
  std::vector<StorageConfiguration> storage_configurations;
};

class Store {
 public:
  virtual ~Store() = default;
  virtual Result<Snapshot> load() = 0;
  virtual Status put_stage(const Stage& s) = 0;
  virtual Status delete_stage(const std::string& id) = 0;
  virtual Status put_ingest_configuration(const IngestConfiguration& c) = 0;
  virtual Status delete_ingest_configuration(const std::string& id) = 0;
  virtual Status put_storage_configuration(const StorageConfiguration& c) = 0;
  virtual Status delete_storage_configuration(const std::string& id) = 0;
  virtual Status put_session(const StageSession& s) = 0;
  virtual Status put_participant(const Participant& p) = 0;
  virtual Status append_event(const ParticipantEvent& e) = 0;
  // Crash recovery at start-up: every configuration INACTIVE, open sessions ended at `now`,
  // their participants DISCONNECTED (no publisher survives a restart).
  virtual Status recover(Millis now) = 0;
  virtual Result<std::vector<ParticipantEvent>> list_events(const std::string& session_id,
                                                            const std::string& participant_id) = 0;
  // The named gateway secret (e.g. the participant token key); stores `candidate` when there is
  // none yet, so the value survives restarts.
  virtual Result<std::string> secret(const std::string& name, const std::string& candidate) = 0;
  // A stage's sessions, oldest first.
  virtual Result<std::vector<StageSession>> list_sessions(const std::string& stage_id) = 0;
  // A session's participants, by first join time.
  virtual Result<std::vector<Participant>> list_participants(const std::string& session_id) = 0;
};

// SQLite in WAL mode at `path` (parent directories are created). Reason ids: store.open,
// store.schema, store.sql.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path);

}  // namespace sg::gw
