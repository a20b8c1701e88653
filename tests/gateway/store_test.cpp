// SqliteStore: every entity round-trips, events keep their order, recover() resets what no
// publisher survives, and what was written is on disk when the store is reopened.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gateway/store.h"

namespace sg::gw {
namespace {

namespace fs = std::filesystem;

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqlitePtr = std::unique_ptr<sqlite3, SqliteCloser>;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "sg-store-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "state.db").string();
    store_ = open();
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::unique_ptr<Store> open() {
    auto r = open_sqlite_store(path_);
    EXPECT_TRUE(r.is_ok()) << (r ? "" : r.error().detail);
    return r ? std::move(*r) : nullptr;
  }

  // Runs `sql` on a separate raw connection and returns the rows, columns joined by '|'.
  std::vector<std::string> query(const std::string& sql) {
    sqlite3* raw = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    SqlitePtr db(raw);
    std::vector<std::string> rows;
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &st, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db.get());
    while (st && sqlite3_step(st) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        if (i) row += "|";
        auto* t = sqlite3_column_text(st, i);
        row += t ? reinterpret_cast<const char*>(t) : "NULL";
      }
      rows.push_back(row);
    }
    sqlite3_finalize(st);
    return rows;
  }

  static Stage stage(std::string id, Millis created, std::string session = {}) {
    Stage s;
    s.id = id;
    s.arn = "arn:aws:ivs:us-east-1:123456789012:stage/" + id;
    s.name = "stage " + id;
    s.active_session_id = std::move(session);
    s.tags = {{"team", "video"}, {"quote\"d", "new\nline"}};
    s.created = created;
    return s;
  }
  static IngestConfiguration config(std::string id, Millis created, std::string state = "ACTIVE") {
    IngestConfiguration c;
    c.id = id;
    c.arn = "arn:aws:ivs:us-east-1:123456789012:ingest-configuration/" + id;
    c.name = "cfg " + id;
    c.stage_arn = "arn:aws:ivs:us-east-1:123456789012:stage/S1";
    c.user_id = "user-" + id;
    c.attributes = {{"role", "host"}, {"émoji", "✓"}};
    c.ingest_protocol = "RTMP";
    c.insecure_ingest = true;
    c.stream_key = "rt_123456789012_us-east-1_" + id + "_secret";
    c.participant_id = "P" + id;
    c.state = std::move(state);
    c.redundant_ingest = true;
    c.tags = {{"k", "v"}};
    c.created = created;
    return c;
  }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

void expect_stage_eq(const Stage& a, const Stage& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.arn, b.arn);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.active_session_id, b.active_session_id);
  EXPECT_EQ(a.tags, b.tags);
  EXPECT_EQ(a.created, b.created);
}

void expect_config_eq(const IngestConfiguration& a, const IngestConfiguration& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.arn, b.arn);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.stage_arn, b.stage_arn);
  EXPECT_EQ(a.user_id, b.user_id);
  EXPECT_EQ(a.attributes, b.attributes);
  EXPECT_EQ(a.ingest_protocol, b.ingest_protocol);
  EXPECT_EQ(a.insecure_ingest, b.insecure_ingest);
  EXPECT_EQ(a.stream_key, b.stream_key);
  EXPECT_EQ(a.participant_id, b.participant_id);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.redundant_ingest, b.redundant_ingest);
  EXPECT_EQ(a.tags, b.tags);
  EXPECT_EQ(a.created, b.created);
}

TEST_F(StoreTest, EmptyStoreLoadsNothing) {
  ASSERT_TRUE(store_);
  auto snap = store_->load();
  ASSERT_TRUE(snap);
  EXPECT_TRUE(snap->stages.empty());
  EXPECT_TRUE(snap->ingest_configurations.empty());
  EXPECT_TRUE(snap->storage_configurations.empty());
}

TEST_F(StoreTest, StageRoundTrip) {
  ASSERT_TRUE(store_);
  // Created in the opposite order of their ids: load() orders by creation time.
  Stage a = stage("S1", 200, "st-AAAAAAAAAAAAA");
  Stage b = stage("S2", 100);
  b.tags.clear();
  ASSERT_TRUE(store_->put_stage(a));
  ASSERT_TRUE(store_->put_stage(b));
  auto snap = store_->load();
  ASSERT_TRUE(snap);
  ASSERT_EQ(snap->stages.size(), 2u);
  expect_stage_eq(snap->stages[0], b);
  expect_stage_eq(snap->stages[1], a);
}

TEST_F(StoreTest, PutStageReplacesAndDeleteRemoves) {
  ASSERT_TRUE(store_);
  Stage a = stage("S1", 100);
  ASSERT_TRUE(store_->put_stage(a));
  a.name = "renamed";
  a.tags = {{"only", "one"}};
  ASSERT_TRUE(store_->put_stage(a));
  auto snap = store_->load();
  ASSERT_TRUE(snap);
  ASSERT_EQ(snap->stages.size(), 1u);
  expect_stage_eq(snap->stages[0], a);
  ASSERT_TRUE(store_->delete_stage("S1"));
  ASSERT_TRUE(store_->delete_stage("missing"));  // deleting nothing is not an error
  snap = store_->load();
  ASSERT_TRUE(snap);
  EXPECT_TRUE(snap->stages.empty());
}

TEST_F(StoreTest, IngestConfigurationRoundTrip) {
  ASSERT_TRUE(store_);
  IngestConfiguration a = config("C1", 100);
  IngestConfiguration b = config("C2", 100, "INACTIVE");
  b.stage_arn.clear();
  b.ingest_protocol = "RTMPS";
  b.insecure_ingest = false;
  b.redundant_ingest = false;
  b.attributes.clear();
  b.tags.clear();
  ASSERT_TRUE(store_->put_ingest_configuration(b));
  ASSERT_TRUE(store_->put_ingest_configuration(a));
  auto snap = store_->load();
  ASSERT_TRUE(snap);
  ASSERT_EQ(snap->ingest_configurations.size(), 2u);
  expect_config_eq(snap->ingest_configurations[0], a);  // same created: ordered by id
  expect_config_eq(snap->ingest_configurations[1], b);

  a.state = "INACTIVE";
  ASSERT_TRUE(store_->put_ingest_configuration(a));
  ASSERT_TRUE(store_->delete_ingest_configuration("C2"));
  snap = store_->load();
  ASSERT_TRUE(snap);
  ASSERT_EQ(snap->ingest_configurations.size(), 1u);
  expect_config_eq(snap->ingest_configurations[0], a);
}

TEST_F(StoreTest, StorageConfigurationRoundTrip) {
  ASSERT_TRUE(store_);
  auto make = [](std::string id, Millis created) {
    StorageConfiguration c;
    c.id = id;
    c.arn = "arn:aws:ivs:us-east-1:123456789012:storage-configuration/" + id;
    c.name = "rec-" + id;
    c.bucket_name = "bucket-" + id + ".example";
    c.tags = {{"team", "video"}, {"quote\"d", "new\nline"}};
    c.created = created;
    return c;
  };
  auto expect_eq = [](const StorageConfiguration& a, const StorageConfiguration& b) {
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.arn, b.arn);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.bucket_name, b.bucket_name);
    EXPECT_EQ(a.tags, b.tags);
    EXPECT_EQ(a.created, b.created);
  };
  // Created in the opposite order of their ids: load() orders by creation time.
  StorageConfiguration a = make("SC1", 200);
  StorageConfiguration b = make("SC2", 100);
  b.name.clear();
  b.tags.clear();
  ASSERT_TRUE(store_->put_storage_configuration(a));
  ASSERT_TRUE(store_->put_storage_configuration(b));
  auto snap = store_->load();
  ASSERT_TRUE(snap);
  ASSERT_EQ(snap->storage_configurations.size(), 2u);
  expect_eq(snap->storage_configurations[0], b);
  expect_eq(snap->storage_configurations[1], a);
  EXPECT_TRUE(snap->stages.empty());

  a.tags = {{"only", "one"}};
  ASSERT_TRUE(store_->put_storage_configuration(a));  // replaced, not duplicated
  ASSERT_TRUE(store_->delete_storage_configuration("SC2"));
  ASSERT_TRUE(store_->delete_storage_configuration("missing"));
  store_.reset();  // what was written is on disk
  store_ = open();
  ASSERT_TRUE(store_);
  snap = store_->load();
  ASSERT_TRUE(snap);
  ASSERT_EQ(snap->storage_configurations.size(), 1u);
  expect_eq(snap->storage_configurations[0], a);
}

TEST_F(StoreTest, SessionAndParticipantAreWritten) {
  ASSERT_TRUE(store_);
  ASSERT_TRUE(store_->put_session({"st-1", "S1", 1000, 0}));
  ASSERT_TRUE(store_->put_session({"st-1", "S1", 1000, 2000}));  // replaced, not duplicated
  Participant p;
  p.session_id = "st-1";
  p.participant_id = "P1";
  p.stage_id = "S1";
  p.user_id = "u";
  p.attributes = {{"a", "b"}};
  p.state = "CONNECTED";
  p.first_join_time = 1500;
  p.published = true;
  p.protocol = "RTMPS";
  p.ingest_configuration_arn = "arn:cfg";
  ASSERT_TRUE(store_->put_participant(p));
  EXPECT_EQ(query("SELECT id, stage_id, start_time, end_time FROM stage_sessions"),
            (std::vector<std::string>{"st-1|S1|1000|2000"}));
  EXPECT_EQ(query("SELECT session_id, participant_id, stage_id, user_id, attributes, state, "
                  "first_join_time, published, protocol, ingest_configuration_arn, "
                  "recording_state FROM participants"),
            (std::vector<std::string>{
                R"(st-1|P1|S1|u|{"a":"b"}|CONNECTED|1500|1|RTMPS|arn:cfg|DISABLED)"}));
}

TEST_F(StoreTest, EventsAreListedOldestFirstPerParticipant) {
  ASSERT_TRUE(store_);
  const char* names[] = {"JOINED", "PUBLISH_STARTED", "PUBLISH_ERROR", "PUBLISH_STOPPED", "LEFT"};
  // Interleaved with another participant's and another session's events; event_time not monotonic
  // (the clock may step), so the order must come from the sequence.
  int t = 5000;
  for (const char* n : names) {
    ASSERT_TRUE(store_->append_event({0, "S1", "st-1", "P1", n, t--,
                                      std::string(n) == "PUBLISH_ERROR" ? "B_FRAME_PRESENT" : ""}));
    ASSERT_TRUE(store_->append_event({0, "S1", "st-1", "P2", "JOIN_ERROR", 1, "QUOTA_EXCEEDED"}));
    ASSERT_TRUE(store_->append_event({0, "S1", "st-2", "P1", "JOINED", 1, ""}));
  }
  auto ev = store_->list_events("st-1", "P1");
  ASSERT_TRUE(ev);
  ASSERT_EQ(ev->size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ((*ev)[i].name, names[i]);
    EXPECT_EQ((*ev)[i].stage_id, "S1");
    EXPECT_EQ((*ev)[i].session_id, "st-1");
    EXPECT_EQ((*ev)[i].participant_id, "P1");
    EXPECT_EQ((*ev)[i].event_time, 5000 - static_cast<int>(i));
    EXPECT_EQ((*ev)[i].error_code, i == 2 ? "B_FRAME_PRESENT" : "");
    if (i) {
      EXPECT_GT((*ev)[i].seq, (*ev)[i - 1].seq);
    }
  }
  auto other = store_->list_events("st-1", "P2");
  ASSERT_TRUE(other);
  ASSERT_EQ(other->size(), 5u);
  EXPECT_EQ((*other)[0].error_code, "QUOTA_EXCEEDED");
  auto none = store_->list_events("st-9", "P1");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(StoreTest, RecoverResetsEverythingLive) {
  ASSERT_TRUE(store_);
  ASSERT_TRUE(store_->put_stage(stage("S1", 1, "st-open")));
  ASSERT_TRUE(store_->put_stage(stage("S2", 2)));
  ASSERT_TRUE(store_->put_ingest_configuration(config("C1", 1, "ACTIVE")));
  ASSERT_TRUE(store_->put_ingest_configuration(config("C2", 2, "INACTIVE")));
  ASSERT_TRUE(store_->put_session({"st-open", "S1", 1000, 0}));
  ASSERT_TRUE(store_->put_session({"st-done", "S2", 100, 200}));
  Participant p;
  p.session_id = "st-open";
  p.participant_id = "PC1";
  p.stage_id = "S1";
  p.state = "CONNECTED";
  ASSERT_TRUE(store_->put_participant(p));
  p.participant_id = "PC2";
  p.state = "DISCONNECTED";
  ASSERT_TRUE(store_->put_participant(p));

  ASSERT_TRUE(store_->recover(7777));

  auto snap = store_->load();
  ASSERT_TRUE(snap);
  ASSERT_EQ(snap->stages.size(), 2u);
  for (const auto& s : snap->stages) EXPECT_EQ(s.active_session_id, "") << s.id;
  ASSERT_EQ(snap->ingest_configurations.size(), 2u);
  for (const auto& c : snap->ingest_configurations) EXPECT_EQ(c.state, "INACTIVE") << c.id;
  // Only the open session is ended, at `now`; an ended one keeps its end time.
  EXPECT_EQ(query("SELECT id, end_time FROM stage_sessions ORDER BY id"),
            (std::vector<std::string>{"st-done|200", "st-open|7777"}));
  EXPECT_EQ(query("SELECT participant_id, state FROM participants ORDER BY participant_id"),
            (std::vector<std::string>{"PC1|DISCONNECTED", "PC2|DISCONNECTED"}));
  EXPECT_EQ(query("SELECT count(*) FROM ingest_configurations WHERE state = 'ACTIVE'"),
            (std::vector<std::string>{"0"}));
  EXPECT_EQ(query("SELECT count(*) FROM stages WHERE active_session_id != ''"),
            (std::vector<std::string>{"0"}));
}

TEST_F(StoreTest, DataSurvivesClosingAndReopening) {
  ASSERT_TRUE(store_);
  Stage s = stage("S1", 10, "st-x");
  IngestConfiguration c = config("C1", 11);
  ASSERT_TRUE(store_->put_stage(s));
  ASSERT_TRUE(store_->put_ingest_configuration(c));
  ASSERT_TRUE(store_->append_event({0, "S1", "st-x", "PC1", "JOINED", 42, ""}));
  store_.reset();  // closes the connection

  store_ = open();
  ASSERT_TRUE(store_);
  auto snap = store_->load();
  ASSERT_TRUE(snap);
  ASSERT_EQ(snap->stages.size(), 1u);
  expect_stage_eq(snap->stages[0], s);
  ASSERT_EQ(snap->ingest_configurations.size(), 1u);
  expect_config_eq(snap->ingest_configurations[0], c);
  auto ev = store_->list_events("st-x", "PC1");
  ASSERT_TRUE(ev);
  ASSERT_EQ(ev->size(), 1u);
  EXPECT_EQ((*ev)[0].event_time, 42);
  // Sequence numbers keep growing across reopen (AUTOINCREMENT).
  ASSERT_TRUE(store_->append_event({0, "S1", "st-x", "PC1", "LEFT", 43, ""}));
  ev = store_->list_events("st-x", "PC1");
  ASSERT_TRUE(ev);
  ASSERT_EQ(ev->size(), 2u);
  EXPECT_GT((*ev)[1].seq, (*ev)[0].seq);
}

TEST_F(StoreTest, WritesAreVisibleToAnotherConnectionAtOnce) {
  ASSERT_TRUE(store_);
  ASSERT_TRUE(store_->put_stage(stage("S1", 10)));
  EXPECT_EQ(query("SELECT id FROM stages"), (std::vector<std::string>{"S1"}));
  EXPECT_EQ(query("PRAGMA journal_mode"), (std::vector<std::string>{"wal"}));
}

TEST_F(StoreTest, OpenCreatesMissingParentDirectories) {
  path_ = (dir_ / "a" / "b" / "c" / "state.db").string();
  ASSERT_FALSE(fs::exists(dir_ / "a"));
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_TRUE(fs::is_regular_file(path_));
  ASSERT_TRUE(s->put_stage(stage("S1", 1)));
  auto snap = s->load();
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap->stages.size(), 1u);
}

TEST_F(StoreTest, OpenFailureIsReported) {
  // The parent "directory" is a regular file: neither it nor the database can be created.
  auto blocker = dir_ / "file";
  {
    std::FILE* f = std::fopen(blocker.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
  }
  auto r = open_sqlite_store((blocker / "state.db").string());
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.error().reason, "store.open");
}

}  // namespace
}  // namespace sg::gw
