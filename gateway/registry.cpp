#include "gateway/registry.h"

#include <algorithm>
#include <chrono>

#include "gateway/random.h"
#include "gateway/stream_key.h"

namespace sg::gw {

Millis now_millis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Registry::Registry(const config::Config& cfg, DbWorker& db, spdlog::logger& log)
    : cfg_(cfg), db_(db), log_(log) {}

void Registry::write(DbWorker::Job job, const char* what) {
  db_.post(std::move(job), [this, what](Status s) {
    if (!s) {
      ++write_failures_;
      log_.error("store write failed ({}): {}", what, s.error().detail);
    }
  });
}

void Registry::put_stage(const Stage& s) {
  write([s](Store& st) { return st.put_stage(s); }, "stage");
}
void Registry::put_config(const IngestConfiguration& c) {
  write([c](Store& st) { return st.put_ingest_configuration(c); }, "ingest configuration");
}
void Registry::put_participant(const Participant& p) {
  write([p](Store& st) { return st.put_participant(p); }, "participant");
}

void Registry::put_storage(const StorageConfiguration& c) {
  write([c](Store& st) { return st.put_storage_configuration(c); }, "storage configuration");
}

void Registry::load(Snapshot snap) {
  for (auto& s : snap.stages) stages_[s.id] = std::move(s);
  for (auto& c : snap.ingest_configurations) configs_[c.id] = std::move(c);
  for (auto& c : snap.storage_configurations) storages_[c.id] = std::move(c);
}

std::vector<std::string> Registry::apply_declared(const std::vector<config::DeclaredStage>& decl) {
  std::vector<std::string> errors;
  const auto& region = cfg_.gateway.region;
  const auto& account = cfg_.gateway.account_id;
  for (const auto& ds : decl) {
    const Stage* stage = stage_by_name(ds.name);
    if (!stage) {
      Stage s;
      s.id = new_resource_id();
      s.arn = stage_arn(region, account, s.id);
      s.name = ds.name;
      s.created = now_millis();
      put_stage(s);
      log_.info("created stage {} ({}) from the configuration file", s.id, s.name);
      stage = &(stages_[s.id] = std::move(s));
    }
    for (const auto& dc : ds.ingest_configurations) {
      bool exists = false;
      for (const auto& [id, c] : configs_)
        if (c.name == dc.name && c.stage_arn == stage->arn) exists = true;
      if (exists) continue;
      IngestConfiguration c;
      if (!dc.stream_key.empty()) {
        auto parts = parse_stream_key(dc.stream_key);
        if (!parts) {
          errors.push_back("ingest configuration '" + dc.name + "': malformed stream_key");
          continue;
        }
        c.id = std::string(parts->configuration_id);
        if (configs_.count(c.id)) {
          errors.push_back("ingest configuration '" + dc.name + "': id " + c.id +
                           " of its stream_key is already used by another configuration");
          continue;
        }
        c.stream_key = dc.stream_key;
      } else {
        c.id = new_resource_id();
        c.stream_key = generate_stream_key(account, region, c.id);
      }
      c.arn = ingest_configuration_arn(region, account, c.id);
      c.name = dc.name;
      c.stage_arn = stage->arn;
      c.user_id = dc.user_id;
      for (const auto& [k, v] : dc.attributes) c.attributes[k] = v;
      c.ingest_protocol = dc.ingest_protocol;
      c.insecure_ingest = dc.insecure_ingest;
      c.participant_id = new_resource_id();
      c.created = now_millis();
      put_config(c);
      log_.info("created ingest configuration {} ({}) on stage {}", c.id, c.name, stage->id);
      configs_[c.id] = std::move(c);
    }
  }
  return errors;
}

const Stage& Registry::create_stage(std::string name, StringMap tags) {
  Stage s;
  s.id = new_resource_id();
  s.arn = stage_arn(cfg_.gateway.region, cfg_.gateway.account_id, s.id);
  s.name = std::move(name);
  s.tags = std::move(tags);
  s.created = now_millis();
  put_stage(s);
  return stages_[s.id] = std::move(s);
}

bool Registry::update_stage(const std::string& id, const std::function<void(Stage&)>& edit) {
  auto it = stages_.find(id);
  if (it == stages_.end()) return false;
  edit(it->second);
  put_stage(it->second);
  return true;
}

bool Registry::update_config(const std::string& id,
                             const std::function<void(IngestConfiguration&)>& edit) {
  auto it = configs_.find(id);
  if (it == configs_.end()) return false;
  edit(it->second);
  put_config(it->second);
  return true;
}

const IngestConfiguration& Registry::create_config(IngestConfiguration c) {
  const auto& region = cfg_.gateway.region;
  const auto& account = cfg_.gateway.account_id;
  if (c.id.empty()) {
    do c.id = new_resource_id();
    while (configs_.count(c.id));
  }
  if (c.stream_key.empty()) c.stream_key = generate_stream_key(account, region, c.id);
  c.arn = ingest_configuration_arn(region, account, c.id);
  c.participant_id = new_resource_id();
  c.state = "INACTIVE";
  c.created = now_millis();
  put_config(c);
  return configs_[c.id] = std::move(c);
}

void Registry::delete_stage(std::string id) {
  auto it = stages_.find(id);
  if (it == stages_.end()) return;
  // Configurations that pointed at the stage lose their stage (their keys cannot publish now).
  for (auto& [cid, c] : configs_) {
    if (c.stage_arn == it->second.arn) {
      c.stage_arn.clear();
      put_config(c);
    }
  }
  end_session(id, now_millis());
  stages_.erase(it);
  write([id](Store& st) { return st.delete_stage(id); }, "stage deletion");
}

void Registry::delete_config(std::string id) {
  if (!configs_.erase(id)) return;
  write([id](Store& st) { return st.delete_ingest_configuration(id); },
        "ingest configuration deletion");
}

const StorageConfiguration& Registry::create_storage(std::string name, std::string bucket_name,
                                                     StringMap tags) {
  StorageConfiguration c;
  do c.id = new_resource_id();
  while (storages_.count(c.id));
  c.arn = storage_configuration_arn(cfg_.gateway.region, cfg_.gateway.account_id, c.id);
  c.name = std::move(name);
  c.bucket_name = std::move(bucket_name);
  c.tags = std::move(tags);
  c.created = now_millis();
  put_storage(c);
  return storages_[c.id] = std::move(c);
}

bool Registry::update_storage(const std::string& id,
                              const std::function<void(StorageConfiguration&)>& edit) {
  auto it = storages_.find(id);
  if (it == storages_.end()) return false;
  edit(it->second);
  put_storage(it->second);
  return true;
}

void Registry::delete_storage(std::string id) {
  if (!storages_.erase(id)) return;
  write([id](Store& st) { return st.delete_storage_configuration(id); },
        "storage configuration deletion");
}

template <class T>
static std::vector<const T*> ordered(const std::map<std::string, T, std::less<>>& m) {
  std::vector<const T*> out;
  for (const auto& [id, v] : m) out.push_back(&v);
  std::sort(out.begin(), out.end(), [](const T* a, const T* b) {
    return a->created != b->created ? a->created < b->created : a->id < b->id;
  });
  return out;
}

std::vector<const Stage*> Registry::stages() const {
  return ordered(stages_);
}
std::vector<const IngestConfiguration*> Registry::configs() const {
  return ordered(configs_);
}
std::vector<const StorageConfiguration*> Registry::storages() const {
  return ordered(storages_);
}

void Registry::flush(std::function<void(bool ok)> done) {
  uint64_t failures_before = write_failures_;
  db_.post([](Store&) { return Status{}; },
           [this, failures_before, done = std::move(done)](Status) {
             done(write_failures_ == failures_before);
           });
}

void Registry::log_inventory() const {
  for (const auto& [id, c] : configs_) {
    const Stage* s = stage_by_arn(c.stage_arn);
    log_.info("ingest configuration {} ({}) stage={} participant {} protocol={}{}", c.id, c.name,
              s ? s->id : "-", c.participant_id, c.ingest_protocol,
              c.insecure_ingest ? " (plain RTMP allowed)" : "");
  }
}

const Stage* Registry::stage_by_id(std::string_view id) const {
  auto it = stages_.find(id);
  return it == stages_.end() ? nullptr : &it->second;
}
const Stage* Registry::stage_by_arn(std::string_view arn) const {
  if (arn.empty()) return nullptr;
  const Stage* s = stage_by_id(arn_resource_id(std::string(arn)));
  return s && s->arn == arn ? s : nullptr;
}
const Stage* Registry::stage_by_name(std::string_view name) const {
  for (const auto& [id, s] : stages_)
    if (s.name == name) return &s;
  return nullptr;
}
const IngestConfiguration* Registry::config_by_id(std::string_view id) const {
  auto it = configs_.find(id);
  return it == configs_.end() ? nullptr : &it->second;
}
const StorageConfiguration* Registry::storage_by_arn(std::string_view arn) const {
  auto it = storages_.find(arn_resource_id(std::string(arn)));
  return it != storages_.end() && it->second.arn == arn ? &it->second : nullptr;
}
const IngestConfiguration* Registry::config_by_participant(std::string_view pid) const {
  for (const auto& [id, c] : configs_)
    if (c.participant_id == pid) return &c;
  return nullptr;
}

const StageSession& Registry::ensure_session(const std::string& stage_id) {
  idle_since_.erase(stage_id);
  auto it = sessions_.find(stage_id);
  if (it != sessions_.end()) return it->second;
  StageSession s{new_session_id(), stage_id, now_millis(), 0};
  write([s](Store& st) { return st.put_session(s); }, "stage session");
  auto& stage = stages_.at(stage_id);
  stage.active_session_id = s.id;
  put_stage(stage);
  log_.info("stage {} session {} started", stage_id, s.id);
  return sessions_[stage_id] = s;
}

const Participant& Registry::participant_joined(const std::string& stage_id,
                                                const IngestConfiguration& cfg,
                                                std::string protocol) {
  const auto& session = ensure_session(stage_id);
  auto key = session.id + "/" + cfg.participant_id;
  auto it = participants_.find(key);
  if (it == participants_.end()) {
    Participant p;
    p.session_id = session.id;
    p.participant_id = cfg.participant_id;
    p.stage_id = stage_id;
    p.first_join_time = now_millis();
    it = participants_.emplace(key, std::move(p)).first;
  }
  auto& p = it->second;
  p.user_id = cfg.user_id;
  p.attributes = cfg.attributes;
  p.state = "CONNECTED";
  p.protocol = std::move(protocol);
  p.ingest_configuration_arn = cfg.arn;
  put_participant(p);
  return p;
}

void Registry::participant_published(const std::string& session_id,
                                     const std::string& participant_id) {
  auto it = participants_.find(session_id + "/" + participant_id);
  if (it == participants_.end() || it->second.published) return;
  it->second.published = true;
  put_participant(it->second);
}

void Registry::participant_left(const std::string& stage_id, const std::string& session_id,
                                const std::string& participant_id) {
  auto it = participants_.find(session_id + "/" + participant_id);
  if (it != participants_.end()) {
    it->second.state = "DISCONNECTED";
    put_participant(it->second);
  }
  bool anyone = false;
  for (const auto& [k, p] : participants_)
    if (p.session_id == session_id && p.state == "CONNECTED") anyone = true;
  if (!anyone) idle_since_[stage_id] = now_millis();
}

void Registry::release_if_idle(const std::string& stage_id) {
  auto sit = sessions_.find(stage_id);
  if (sit == sessions_.end()) return;
  for (const auto& [k, p] : participants_)
    if (p.session_id == sit->second.id && p.state == "CONNECTED") return;
  idle_since_.try_emplace(stage_id, now_millis());
}

void Registry::set_config_state(const std::string& config_id, std::string state) {
  auto it = configs_.find(config_id);
  if (it == configs_.end() || it->second.state == state) return;
  it->second.state = std::move(state);
  put_config(it->second);
}

void Registry::record_event(const std::string& stage_id, const std::string& session_id,
                            const std::string& participant_id, std::string name,
                            std::string error_code) {
  ParticipantEvent e;
  e.stage_id = stage_id;
  e.session_id = session_id;
  e.participant_id = participant_id;
  e.name = std::move(name);
  e.event_time = now_millis();
  e.error_code = std::move(error_code);
  log_.info("event={} stage={} session={} participant={} error_code={}", e.name, e.stage_id,
            e.session_id, e.participant_id, e.error_code.empty() ? "-" : e.error_code);
  write([e](Store& st) { return st.append_event(e); }, "participant event");
  if (event_listener_) event_listener_(e);
}

void Registry::end_session(const std::string& stage_id, Millis now) {
  idle_since_.erase(stage_id);
  auto sit = sessions_.find(stage_id);
  if (sit == sessions_.end()) return;
  StageSession s = sit->second;
  s.end_time = now;
  write([s](Store& st) { return st.put_session(s); }, "stage session");
  for (auto pit = participants_.begin(); pit != participants_.end();)
    pit = pit->second.session_id == s.id ? participants_.erase(pit) : std::next(pit);
  sessions_.erase(sit);
  if (auto stage = stages_.find(s.stage_id); stage != stages_.end()) {
    stage->second.active_session_id.clear();
    put_stage(stage->second);
  }
  log_.info("stage {} session {} ended", s.stage_id, s.id);
}

void Registry::tick(Millis now) {
  std::vector<std::string> due;
  for (const auto& [stage_id, since] : idle_since_)
    if (now - since >= cfg_.sessions.idle_end.count()) due.push_back(stage_id);
  for (const auto& stage_id : due) end_session(stage_id, now);
}

void Registry::end_all_sessions(Millis now) {
  for (const auto& [stage_id, s] : sessions_)
    idle_since_[stage_id] = now - cfg_.sessions.idle_end.count();
  tick(now);
}

}  // namespace sg::gw
