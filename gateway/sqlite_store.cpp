// SQLite implementation of Store. WAL mode with synchronous=FULL: a write that returned has reached
// the disk, so what the gateway acknowledged survives kill -9.
#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "gateway/store.h"

namespace sg::gw {
namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS stages (
  id TEXT PRIMARY KEY, arn TEXT NOT NULL, name TEXT NOT NULL, active_session_id TEXT NOT NULL,
  tags TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ingest_configurations (
  id TEXT PRIMARY KEY, arn TEXT NOT NULL, name TEXT NOT NULL, stage_arn TEXT NOT NULL,
  user_id TEXT NOT NULL, attributes TEXT NOT NULL, ingest_protocol TEXT NOT NULL,
  insecure_ingest INTEGER NOT NULL, stream_key TEXT NOT NULL, participant_id TEXT NOT NULL,
  state TEXT NOT NULL, redundant_ingest INTEGER NOT NULL, tags TEXT NOT NULL,
  created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS storage_configurations (
  id TEXT PRIMARY KEY, arn TEXT NOT NULL, name TEXT NOT NULL, bucket_name TEXT NOT NULL,
  tags TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS stage_sessions (
  id TEXT PRIMARY KEY, stage_id TEXT NOT NULL, start_time INTEGER NOT NULL,
  end_time INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS participants (
  session_id TEXT NOT NULL, participant_id TEXT NOT NULL, stage_id TEXT NOT NULL,
  user_id TEXT NOT NULL, attributes TEXT NOT NULL, state TEXT NOT NULL,
  first_join_time INTEGER NOT NULL, published INTEGER NOT NULL, protocol TEXT NOT NULL,
  ingest_configuration_arn TEXT NOT NULL, recording_state TEXT NOT NULL,
  PRIMARY KEY (session_id, participant_id));
CREATE TABLE IF NOT EXISTS participant_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, stage_id TEXT NOT NULL, session_id TEXT NOT NULL,
  participant_id TEXT NOT NULL, name TEXT NOT NULL, event_time INTEGER NOT NULL,
  error_code TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS gateway_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS participant_events_by_participant
  ON participant_events (session_id, participant_id, seq);
)sql";

std::string to_json(const StringMap& m) {
  return nlohmann::json(m).dump();
}
StringMap from_json(const unsigned char* text) {
  StringMap out;
  if (!text) return out;
  auto j = nlohmann::json::parse(reinterpret_cast<const char*>(text), nullptr, false);
  if (!j.is_object()) return out;
  for (auto& [k, v] : j.items())
    if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}
std::string col_text(sqlite3_stmt* s, int i) {
  auto* t = sqlite3_column_text(s, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

// Binds values positionally: ints, bools, strings.
class Binder {
 public:
  explicit Binder(sqlite3_stmt* s) : s_(s) {}
  Binder& operator<<(const std::string& v) {
    sqlite3_bind_text(s_, ++i_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Binder& operator<<(int64_t v) {
    sqlite3_bind_int64(s_, ++i_, v);
    return *this;
  }
  Binder& operator<<(bool v) { return *this << int64_t{v ? 1 : 0}; }

 private:
  sqlite3_stmt* s_;
  int i_ = 0;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(DbPtr db) : db_(std::move(db)) {}

  Result<Snapshot> load() override {
    Snapshot snap;
    auto st = prepare(
        "SELECT id, arn, name, active_session_id, tags, created FROM stages "
        "ORDER BY created, id");
    if (!st) return st.error();
    while (sqlite3_step(st->get()) == SQLITE_ROW) {
      sqlite3_stmt* s = st->get();
      Stage x;
      x.id = col_text(s, 0);
      x.arn = col_text(s, 1);
      x.name = col_text(s, 2);
      x.active_session_id = col_text(s, 3);
      x.tags = from_json(sqlite3_column_text(s, 4));
      x.created = sqlite3_column_int64(s, 5);
      snap.stages.push_back(std::move(x));
    }
    auto ct = prepare(
        "SELECT id, arn, name, stage_arn, user_id, attributes, ingest_protocol, insecure_ingest, "
        "stream_key, participant_id, state, redundant_ingest, tags, created "
        "FROM ingest_configurations ORDER BY created, id");
    if (!ct) return ct.error();
    while (sqlite3_step(ct->get()) == SQLITE_ROW) {
      sqlite3_stmt* s = ct->get();
      IngestConfiguration c;
      c.id = col_text(s, 0);
      c.arn = col_text(s, 1);
      c.name = col_text(s, 2);
      c.stage_arn = col_text(s, 3);
      c.user_id = col_text(s, 4);
      c.attributes = from_json(sqlite3_column_text(s, 5));
      c.ingest_protocol = col_text(s, 6);
      c.insecure_ingest = sqlite3_column_int(s, 7) != 0;
      c.stream_key = col_text(s, 8);
      c.participant_id = col_text(s, 9);
      c.state = col_text(s, 10);
      c.redundant_ingest = sqlite3_column_int(s, 11) != 0;
      c.tags = from_json(sqlite3_column_text(s, 12));
      c.created = sqlite3_column_int64(s, 13);
      snap.ingest_configurations.push_back(std::move(c));
    }
    auto sc = prepare(
        "SELECT id, arn, name, bucket_name, tags, created FROM storage_configurations "
        "ORDER BY created, id");
    if (!sc) return sc.error();
    while (sqlite3_step(sc->get()) == SQLITE_ROW) {
      sqlite3_stmt* s = sc->get();
      StorageConfiguration c;
      c.id = col_text(s, 0);
      c.arn = col_text(s, 1);
      c.name = col_text(s, 2);
      c.bucket_name = col_text(s, 3);
      c.tags = from_json(sqlite3_column_text(s, 4));
      c.created = sqlite3_column_int64(s, 5);
      snap.storage_configurations.push_back(std::move(c));
    }
    return snap;
  }

  Status put_stage(const Stage& x) override {
    return run("INSERT OR REPLACE INTO stages VALUES (?,?,?,?,?,?)", [&](Binder& b) {
      b << x.id << x.arn << x.name << x.active_session_id << to_json(x.tags) << x.created;
    });
  }
  Status delete_stage(const std::string& id) override {
    return run("DELETE FROM stages WHERE id = ?", [&](Binder& b) { b << id; });
  }
  Status put_ingest_configuration(const IngestConfiguration& c) override {
    return run("INSERT OR REPLACE INTO ingest_configurations VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
               [&](Binder& b) {
                 b << c.id << c.arn << c.name << c.stage_arn << c.user_id << to_json(c.attributes)
                   << c.ingest_protocol << c.insecure_ingest << c.stream_key << c.participant_id
                   << c.state << c.redundant_ingest << to_json(c.tags) << c.created;
               });
  }
  Status delete_ingest_configuration(const std::string& id) override {
    return run("DELETE FROM ingest_configurations WHERE id = ?", [&](Binder& b) { b << id; });
  }
  Status put_storage_configuration(const StorageConfiguration& c) override {
    return run("INSERT OR REPLACE INTO storage_configurations VALUES (?,?,?,?,?,?)",
               [&](Binder& b) {
                 b << c.id << c.arn << c.name << c.bucket_name << to_json(c.tags) << c.created;
               });
  }
  Status delete_storage_configuration(const std::string& id) override {
    return run("DELETE FROM storage_configurations WHERE id = ?", [&](Binder& b) { b << id; });
  }
  Status put_session(const StageSession& x) override {
    return run("INSERT OR REPLACE INTO stage_sessions VALUES (?,?,?,?)",
               [&](Binder& b) { b << x.id << x.stage_id << x.start_time << x.end_time; });
  }
  Status put_participant(const Participant& p) override {
    return run("INSERT OR REPLACE INTO participants VALUES (?,?,?,?,?,?,?,?,?,?,?)",
               [&](Binder& b) {
                 b << p.session_id << p.participant_id << p.stage_id << p.user_id
                   << to_json(p.attributes) << p.state << p.first_join_time << p.published
                   << p.protocol << p.ingest_configuration_arn << p.recording_state;
               });
  }
  Status append_event(const ParticipantEvent& e) override {
    return run(
        "INSERT INTO participant_events (stage_id, session_id, participant_id, name, event_time, "
        "error_code) VALUES (?,?,?,?,?,?)",
        [&](Binder& b) {
          b << e.stage_id << e.session_id << e.participant_id << e.name << e.event_time
            << e.error_code;
        });
  }
  Status recover(Millis now) override {
    if (auto s = exec("BEGIN IMMEDIATE"); !s) return s;
    Status s = exec("UPDATE ingest_configurations SET state = 'INACTIVE'");
    if (s) s = exec("UPDATE participants SET state = 'DISCONNECTED'");
    if (s)
      s = run("UPDATE stage_sessions SET end_time = ? WHERE end_time = 0",
              [&](Binder& b) { b << now; });
    if (s) s = exec("UPDATE stages SET active_session_id = ''");
    if (!s) {
      exec("ROLLBACK");
      return s;
    }
    return exec("COMMIT");
  }
  Result<std::vector<ParticipantEvent>> list_events(const std::string& session_id,
                                                    const std::string& participant_id) override {
    auto st = prepare(
        "SELECT seq, stage_id, session_id, participant_id, name, event_time, error_code "
        "FROM participant_events WHERE session_id = ? AND participant_id = ? ORDER BY seq");
    if (!st) return st.error();
    Binder(st->get()) << session_id << participant_id;
    std::vector<ParticipantEvent> out;
    while (sqlite3_step(st->get()) == SQLITE_ROW) {
      sqlite3_stmt* s = st->get();
      out.push_back({sqlite3_column_int64(s, 0), col_text(s, 1), col_text(s, 2), col_text(s, 3),
                     col_text(s, 4), sqlite3_column_int64(s, 5), col_text(s, 6)});
    }
    return out;
  }

  Result<std::string> secret(const std::string& name, const std::string& candidate) override {
    if (auto s = run("INSERT OR IGNORE INTO gateway_secrets VALUES (?, ?)",
                     [&](Binder& b) { b << name << candidate; });
        !s)
      return s.error();
    auto st = prepare("SELECT value FROM gateway_secrets WHERE name = ?");
    if (!st) return st.error();
    Binder(st->get()) << name;
    if (sqlite3_step(st->get()) != SQLITE_ROW) return make_error("store.sql", "secret missing");
    return col_text(st->get(), 0);
  }

  Result<std::vector<StageSession>> list_sessions(const std::string& stage_id) override {
    auto st = prepare(
        "SELECT id, stage_id, start_time, end_time FROM stage_sessions WHERE stage_id = ? "
        "ORDER BY start_time, id");
    if (!st) return st.error();
    Binder(st->get()) << stage_id;
    std::vector<StageSession> out;
    while (sqlite3_step(st->get()) == SQLITE_ROW) {
      sqlite3_stmt* s = st->get();
      out.push_back(
          {col_text(s, 0), col_text(s, 1), sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3)});
    }
    return out;
  }

  Result<std::vector<Participant>> list_participants(const std::string& session_id) override {
    auto st = prepare(
        "SELECT session_id, participant_id, stage_id, user_id, attributes, state, first_join_time, "
        "published, protocol, ingest_configuration_arn, recording_state FROM participants "
        "WHERE session_id = ? ORDER BY first_join_time, participant_id");
    if (!st) return st.error();
    Binder(st->get()) << session_id;
    std::vector<Participant> out;
    while (sqlite3_step(st->get()) == SQLITE_ROW) {
      sqlite3_stmt* s = st->get();
      Participant p;
      p.session_id = col_text(s, 0);
      p.participant_id = col_text(s, 1);
      p.stage_id = col_text(s, 2);
      p.user_id = col_text(s, 3);
      p.attributes = from_json(sqlite3_column_text(s, 4));
      p.state = col_text(s, 5);
      p.first_join_time = sqlite3_column_int64(s, 6);
      p.published = sqlite3_column_int(s, 7) != 0;
      p.protocol = col_text(s, 8);
      p.ingest_configuration_arn = col_text(s, 9);
      p.recording_state = col_text(s, 10);
      out.push_back(std::move(p));
    }
    return out;
  }

  Status exec(const char* sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string detail = msg ? msg : "unknown error";
      sqlite3_free(msg);
      return make_error("store.sql", detail);
    }
    return {};
  }

 private:
  Result<StmtPtr> prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql, -1, &s, nullptr) != SQLITE_OK)
      return make_error("store.sql", sqlite3_errmsg(db_.get()));
    return StmtPtr(s);
  }
  template <class BindFn>
  Status run(const char* sql, BindFn bind) {
    auto st = prepare(sql);
    if (!st) return st.error();
    Binder b(st->get());
    bind(b);
    int rc = sqlite3_step(st->get());
    if (rc != SQLITE_DONE) return make_error("store.sql", sqlite3_errmsg(db_.get()));
    return {};
  }

  DbPtr db_;
};

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK)
    return make_error("store.open",
                      "cannot open " + path + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
  sqlite3_busy_timeout(db.get(), 5000);
  auto store = std::make_unique<SqliteStore>(std::move(db));
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
    if (auto s = store->exec(pragma); !s) return make_error("store.open", s.error().detail);
  }
  if (auto s = store->exec(kSchema); !s) return make_error("store.schema", s.error().detail);
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace sg::gw
