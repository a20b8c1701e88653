// Registry: declared resources created once, stage sessions opened on join and ended after the
// idle period, participants, all written through the DbWorker to SQLite.
#include "gateway/registry.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <sqlite3.h>
#include <unistd.h>
#include <uv.h>

#include <filesystem>
#include <memory>
#include <string>

#include "config/loader.h"
#include "gateway/stream_key.h"

namespace sg::gw {
namespace {

namespace fs = std::filesystem;

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    std::string tmpl = (fs::temp_directory_path() / "sg-registry-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    db_path_ = (dir_ / "state.db").string();
    cfg_ = *config::defaults().config;
    config::DeclaredStage st{"studio", {}};
    st.ingest_configurations.push_back({"cam", "u1", {{"k", "v"}}, "RTMPS", false, ""});
    st.ingest_configurations.push_back(
        {"fixed", "u2", {}, "RTMP", true, "rt_123456789012_us-east-1_FixedCfg0001_abcdef"});
    cfg_.stages = {st};
    auto store = open_sqlite_store(db_path_);
    ASSERT_TRUE(store);
    db_ = std::make_unique<DbWorker>(&loop_, std::move(*store));
    log_ = std::make_shared<spdlog::logger>("registry-test",
                                            std::make_shared<spdlog::sinks::null_sink_mt>());
    registry_ = std::make_unique<Registry>(cfg_, *db_, *log_);
  }
  void TearDown() override {
    bool closed = false;
    db_->close([&] { closed = true; });
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_TRUE(closed);
    registry_.reset();
    db_.reset();
    EXPECT_EQ(uv_loop_close(&loop_), 0);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  Snapshot stored() {
    db_->drain();
    uv_run(&loop_, UV_RUN_NOWAIT);
    auto s = open_sqlite_store(db_path_);
    EXPECT_TRUE(s);
    auto snap = (*s)->load();
    EXPECT_TRUE(snap);
    return snap ? *snap : Snapshot{};
  }
  std::string scalar(const std::string& sql) {
    db_->drain();
    uv_run(&loop_, UV_RUN_NOWAIT);
    sqlite3* raw = nullptr;
    EXPECT_EQ(sqlite3_open_v2(db_path_.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    std::string out;
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(raw, sql.c_str(), -1, &st, nullptr), SQLITE_OK);
    if (st && sqlite3_step(st) == SQLITE_ROW) {
      auto* t = sqlite3_column_text(st, 0);
      out = t ? reinterpret_cast<const char*>(t) : "";
    }
    sqlite3_finalize(st);
    sqlite3_close_v2(raw);
    return out;
  }

  uv_loop_t loop_{};
  fs::path dir_;
  std::string db_path_;
  config::Config cfg_;
  std::unique_ptr<DbWorker> db_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<Registry> registry_;
};

TEST_F(RegistryTest, DeclaredResourcesAreCreatedOnceAndStored) {
  EXPECT_TRUE(registry_->apply_declared(cfg_.stages).empty());
  const Stage* s = registry_->stage_by_name("studio");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->id.size(), 12u);
  EXPECT_EQ(s->arn, "arn:aws:ivs:us-east-1:123456789012:stage/" + s->id);
  EXPECT_EQ(registry_->stage_by_arn(s->arn), s);
  EXPECT_EQ(registry_->stage_by_id(s->id), s);
  const auto* fixed = registry_->config_by_id("FixedCfg0001");
  ASSERT_TRUE(fixed);
  EXPECT_EQ(fixed->stream_key, "rt_123456789012_us-east-1_FixedCfg0001_abcdef");
  EXPECT_EQ(fixed->stage_arn, s->arn);
  EXPECT_TRUE(fixed->insecure_ingest);
  EXPECT_EQ(registry_->config_by_participant(fixed->participant_id), fixed);

  Snapshot snap = stored();
  ASSERT_EQ(snap.stages.size(), 1u);
  ASSERT_EQ(snap.ingest_configurations.size(), 2u);
  for (const auto& c : snap.ingest_configurations) {
    EXPECT_EQ(c.state, "INACTIVE");
    auto parts = parse_stream_key(c.stream_key);
    ASSERT_TRUE(parts) << c.name;
    EXPECT_EQ(parts->configuration_id, c.id);  // a generated key names its configuration
  }

  // A restart: the stored resources are adopted and nothing is declared twice.
  Registry again(cfg_, *db_, *log_);
  again.load(snap);
  EXPECT_TRUE(again.apply_declared(cfg_.stages).empty());
  Snapshot snap2 = stored();
  EXPECT_EQ(snap2.stages.size(), 1u);
  EXPECT_EQ(snap2.ingest_configurations.size(), 2u);
}

TEST_F(RegistryTest, MalformedOrDuplicateDeclaredKeysAreErrors) {
  config::DeclaredStage st{"studio", {}};
  st.ingest_configurations.push_back({"bad", "", {}, "RTMPS", false, "not_a_key"});
  st.ingest_configurations.push_back(
      {"a", "", {}, "RTMPS", false, "rt_123456789012_us-east-1_SameCfgId001_x"});
  st.ingest_configurations.push_back(
      {"b", "", {}, "RTMPS", false, "rt_123456789012_us-east-1_SameCfgId001_y"});
  auto errors = registry_->apply_declared({st});
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("'bad'"), std::string::npos) << errors[0];
  EXPECT_NE(errors[1].find("'b'"), std::string::npos) << errors[1];
  // Errors never quote the key (its secret).
  EXPECT_EQ(errors[1].find("_y"), std::string::npos) << errors[1];
  EXPECT_EQ(stored().ingest_configurations.size(), 1u);
}

TEST_F(RegistryTest, SessionOpensOnJoinAndEndsAfterTheIdlePeriod) {
  ASSERT_TRUE(registry_->apply_declared(cfg_.stages).empty());
  const Stage* s = registry_->stage_by_name("studio");
  const auto* c = registry_->config_by_id("FixedCfg0001");
  const Participant& p = registry_->participant_joined(s->id, *c, "RTMP");
  std::string session = p.session_id;
  Millis first_join = p.first_join_time;
  EXPECT_GT(first_join, 0);
  EXPECT_EQ(s->active_session_id, session);
  EXPECT_EQ(scalar("SELECT end_time FROM stage_sessions WHERE id = '" + session + "'"), "0");
  EXPECT_EQ(scalar("SELECT state || '|' || protocol FROM participants"), "CONNECTED|RTMP");

  // While someone is connected the session does not end, however late it is.
  registry_->tick(now_millis() + 10 * cfg_.sessions.idle_end.count());
  EXPECT_EQ(s->active_session_id, session);

  registry_->participant_left(s->id, session, c->participant_id);
  EXPECT_EQ(scalar("SELECT state FROM participants"), "DISCONNECTED");
  registry_->tick(now_millis() + cfg_.sessions.idle_end.count() / 2);
  EXPECT_EQ(s->active_session_id, session);

  // Rejoining within the idle period keeps the session and the first join time.
  const Participant& p2 = registry_->participant_joined(s->id, *c, "RTMPS");
  EXPECT_EQ(p2.session_id, session);
  EXPECT_EQ(p2.first_join_time, first_join);
  EXPECT_EQ(scalar("SELECT first_join_time || '|' || protocol FROM participants"),
            std::to_string(first_join) + "|RTMPS");
  // Connected again: the idle clock is stopped.
  registry_->tick(now_millis() + 10 * cfg_.sessions.idle_end.count());
  EXPECT_EQ(s->active_session_id, session);
  registry_->participant_left(s->id, session, c->participant_id);

  Millis end = now_millis() + cfg_.sessions.idle_end.count() + 1;
  registry_->tick(end);
  EXPECT_EQ(s->active_session_id, "");
  EXPECT_EQ(scalar("SELECT end_time FROM stage_sessions WHERE id = '" + session + "'"),
            std::to_string(end));
  EXPECT_EQ(scalar("SELECT active_session_id FROM stages"), "");

  // The next join opens a new session.
  const Participant& p3 = registry_->participant_joined(s->id, *c, "RTMP");
  EXPECT_NE(p3.session_id, session);
  EXPECT_EQ(scalar("SELECT count(*) FROM stage_sessions"), "2");
}

TEST_F(RegistryTest, EndAllSessionsEndsOpenSessionsNow) {
  ASSERT_TRUE(registry_->apply_declared(cfg_.stages).empty());
  const Stage* s = registry_->stage_by_name("studio");
  const auto* c = registry_->config_by_id("FixedCfg0001");
  std::string session = registry_->participant_joined(s->id, *c, "RTMP").session_id;
  registry_->end_all_sessions(12345);
  EXPECT_EQ(s->active_session_id, "");
  EXPECT_EQ(scalar("SELECT end_time FROM stage_sessions WHERE id = '" + session + "'"), "12345");
}

}  // namespace
}  // namespace sg::gw
