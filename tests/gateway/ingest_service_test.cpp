// The publish policy (SPEC sections 4 and 6) against a real Registry, DbWorker and SqliteStore:
// every authorize() outcome, the events it writes (read back from the database), ghost takeover,
// quota, throttling and the end of a publish. Only the connection side is a test double.
#include "gateway/ingest_service.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <sqlite3.h>
#include <unistd.h>
#include <uv.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "config/loader.h"
#include "gateway/db_worker.h"
#include "gateway/registry.h"
#include "gateway/store.h"
#include "gateway/stream_key.h"

namespace sg::gw {
namespace {

namespace fs = std::filesystem;

const std::string kAccount = "123456789012";
const std::string kRegion = "us-east-1";

// Stands in for RtmpConnection: kick() ends its publish through the service, as the real one does.
class FakePublisher : public LivePublisher {
 public:
  explicit FakePublisher(IngestService& svc) : svc_(svc) {}
  Millis last_media_time() const override { return last_media; }
  void kick(std::string_view error_code, std::string_view) override {
    kicks.emplace_back(error_code);
    if (grant) {
      PublishGrant g = *grant;
      grant.reset();
      svc_.publish_ended(g, this, error_code);
    }
  }

  Millis last_media = now_millis();
  std::optional<PublishGrant> grant;
  std::vector<std::string> kicks;

 private:
  IngestService& svc_;
};

class IngestServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    std::string tmpl = (fs::temp_directory_path() / "sg-ingest-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    db_path_ = (dir_ / "state.db").string();

    key_secure_ = generate_stream_key(kAccount, kRegion, "CfgSecure001");
    key_insecure_ = generate_stream_key(kAccount, kRegion, "CfgInsecur01");
    key_third_ = generate_stream_key(kAccount, kRegion, "CfgThird0001");
    key_other_ = generate_stream_key(kAccount, kRegion, "CfgOther0001");
    key_unattached_ = generate_stream_key(kAccount, kRegion, "CfgNoStage01");

    cfg_ = *config::defaults().config;
    config::DeclaredStage main{"main", {}};
    main.ingest_configurations.push_back(
        {"secure", "alice", {{"role", "host"}}, "RTMPS", false, key_secure_});
    main.ingest_configurations.push_back({"insecure", "bob", {}, "RTMP", true, key_insecure_});
    main.ingest_configurations.push_back({"third", "carol", {}, "RTMPS", false, key_third_});
    config::DeclaredStage other{"other", {}};
    other.ingest_configurations.push_back({"elsewhere", "dave", {}, "RTMPS", false, key_other_});
    cfg_.stages = {main, other};
  }

  // Builds the store, database thread, registry and service from cfg_ (tests adjust cfg_ first).
  void start() {
    auto store = open_sqlite_store(db_path_);
    ASSERT_TRUE(store) << store.error().detail;
    db_ = std::make_unique<DbWorker>(&loop_, std::move(*store));
    log_ = std::make_shared<spdlog::logger>(
        "ingest-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text_));
    log_->set_level(spdlog::level::trace);
    registry_ = std::make_unique<Registry>(cfg_, *db_, *log_);
    // A configuration that is attached to no stage (as the API can leave one).
    IngestConfiguration unattached;
    unattached.id = "CfgNoStage01";
    unattached.arn = ingest_configuration_arn(kRegion, kAccount, unattached.id);
    unattached.name = "unattached";
    unattached.stream_key = key_unattached_;
    unattached.participant_id = "PartNoStage1";
    registry_->load(Snapshot{{}, {unattached}, {}});
    auto errors = registry_->apply_declared(cfg_.stages);
    ASSERT_TRUE(errors.empty()) << errors.front();
    ingest_ = std::make_unique<IngestService>(cfg_, *registry_, *log_);
    settle();
    auto reader = open_sqlite_store(db_path_);  // a second connection: reads what is on disk
    ASSERT_TRUE(reader) << reader.error().detail;
    reader_ = std::move(*reader);
    main_ = registry_->stage_by_name("main");
    other_ = registry_->stage_by_name("other");
    ASSERT_TRUE(main_ && other_);
  }

  void TearDown() override {
    if (db_) {
      bool closed = false;
      db_->close([&] { closed = true; });
      uv_run(&loop_, UV_RUN_DEFAULT);
      EXPECT_TRUE(closed);
    }
    ingest_.reset();
    registry_.reset();
    db_.reset();
    reader_.reset();
    EXPECT_EQ(uv_loop_close(&loop_), 0);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Lets every queued write reach the database and its completion run on the loop.
  void settle() {
    db_->drain();
    uv_run(&loop_, UV_RUN_NOWAIT);
  }

  std::variant<PublishGrant, PublishRefusal> authorize(const std::string& key, bool secure,
                                                       FakePublisher& pub,
                                                       const std::string& ip = "127.0.0.1") {
    auto d = ingest_->authorize(key, secure, ip, &pub);
    if (auto* g = std::get_if<PublishGrant>(&d)) pub.grant = *g;
    return d;
  }
  PublishGrant grant(const std::string& key, bool secure, FakePublisher& pub,
                     const std::string& ip = "127.0.0.1") {
    auto d = authorize(key, secure, pub, ip);
    if (auto* r = std::get_if<PublishRefusal>(&d)) {
      ADD_FAILURE() << "refused: " << r->error_code << " " << r->description;
      return {};
    }
    return std::get<PublishGrant>(d);
  }
  PublishRefusal refusal(const std::string& key, bool secure, FakePublisher& pub,
                         const std::string& ip = "127.0.0.1") {
    auto d = authorize(key, secure, pub, ip);
    if (std::holds_alternative<PublishGrant>(d)) {
      ADD_FAILURE() << "granted";
      return {};
    }
    return std::get<PublishRefusal>(d);
  }

  // The participant's events in the store, as "NAME" or "NAME:CODE", oldest first.
  std::vector<std::string> events(const std::string& session_id,
                                  const std::string& participant_id) {
    settle();
    auto r = reader_->list_events(session_id, participant_id);
    EXPECT_TRUE(r);
    std::vector<std::string> out;
    if (!r) return out;
    for (const auto& e : *r) {
      EXPECT_EQ(e.session_id, session_id);
      out.push_back(e.error_code.empty() ? e.name : e.name + ":" + e.error_code);
    }
    return out;
  }
  std::vector<std::string> main_events(const std::string& config_id) {
    const auto* c = registry_->config_by_id(config_id);
    EXPECT_TRUE(c);
    return c ? events(main_->active_session_id, c->participant_id) : std::vector<std::string>{};
  }

  // One column of the first row of `sql` on the database file ("" when there is no row).
  std::string scalar(const std::string& sql) {
    settle();
    sqlite3* raw = nullptr;
    EXPECT_EQ(sqlite3_open_v2(db_path_.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    std::string out;
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(raw, sql.c_str(), -1, &st, nullptr), SQLITE_OK)
        << sqlite3_errmsg(raw);
    if (st && sqlite3_step(st) == SQLITE_ROW) {
      auto* t = sqlite3_column_text(st, 0);
      out = t ? reinterpret_cast<const char*>(t) : "";
    }
    sqlite3_finalize(st);
    sqlite3_close_v2(raw);
    return out;
  }
  std::string stored_config_state(const std::string& id) {
    return scalar("SELECT state FROM ingest_configurations WHERE id = '" + id + "'");
  }
  std::string event_count() { return scalar("SELECT count(*) FROM participant_events"); }

  // A key with the same configuration id and a different secret.
  static std::string with_secret(const std::string& key, const std::string& secret) {
    auto p = parse_stream_key(key);
    return "rt_" + std::string(p->account_id) + "_" + std::string(p->region) + "_" +
           std::string(p->configuration_id) + "_" + secret;
  }

  uv_loop_t loop_{};
  fs::path dir_;
  std::string db_path_;
  config::Config cfg_;
  std::string key_secure_, key_insecure_, key_third_, key_other_, key_unattached_;
  std::ostringstream log_text_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<DbWorker> db_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<IngestService> ingest_;
  std::unique_ptr<Store> reader_;
  const Stage* main_ = nullptr;
  const Stage* other_ = nullptr;
};

TEST_F(IngestServiceTest, GrantCarriesTheConfigurationStageSessionAndParticipant) {
  ASSERT_NO_FATAL_FAILURE(start());
  FakePublisher pub(*ingest_);
  PublishGrant g = grant(key_secure_, true, pub);
  const auto* c = registry_->config_by_id("CfgSecure001");
  ASSERT_TRUE(c);
  EXPECT_EQ(g.config_id, "CfgSecure001");
  EXPECT_EQ(g.stage_id, main_->id);
  EXPECT_EQ(g.participant_id, c->participant_id);
  EXPECT_EQ(g.session_id.rfind("st-", 0), 0u);
  EXPECT_EQ(g.session_id.size(), 16u);
  EXPECT_EQ(g.session_id, main_->active_session_id);
  EXPECT_EQ(ingest_->live_publishers(), 1u);
  EXPECT_EQ(events(g.session_id, g.participant_id), (std::vector<std::string>{"JOINED"}));
  // The participant row: connected over RTMPS, attributes from the configuration.
  EXPECT_EQ(scalar("SELECT state || '|' || protocol || '|' || user_id || '|' || attributes || '|' "
                   "|| published FROM participants WHERE participant_id = '" +
                   g.participant_id + "'"),
            R"(CONNECTED|RTMPS|alice|{"role":"host"}|0)");
  EXPECT_EQ(scalar("SELECT active_session_id FROM stages WHERE id = '" + main_->id + "'"),
            g.session_id);
  EXPECT_TRUE(pub.kicks.empty());
}

TEST_F(IngestServiceTest, ConfigurationIsActiveExactlyWhilePublishing) {
  ASSERT_NO_FATAL_FAILURE(start());
  EXPECT_EQ(registry_->config_by_id("CfgSecure001")->state, "INACTIVE");
  EXPECT_EQ(stored_config_state("CfgSecure001"), "INACTIVE");
  FakePublisher pub(*ingest_);
  PublishGrant g = grant(key_secure_, true, pub);
  EXPECT_EQ(registry_->config_by_id("CfgSecure001")->state, "ACTIVE");
  EXPECT_EQ(stored_config_state("CfgSecure001"), "ACTIVE");
  EXPECT_EQ(stored_config_state("CfgThird0001"), "INACTIVE");
  ingest_->publish_ended(g, &pub, "");
  EXPECT_EQ(registry_->config_by_id("CfgSecure001")->state, "INACTIVE");
  EXPECT_EQ(stored_config_state("CfgSecure001"), "INACTIVE");
  EXPECT_EQ(ingest_->live_publishers(), 0u);
}

TEST_F(IngestServiceTest, PlainRtmpNeedsInsecureIngest) {
  ASSERT_NO_FATAL_FAILURE(start());
  FakePublisher a(*ingest_), b(*ingest_), c(*ingest_);
  PublishRefusal r = refusal(key_secure_, false, a);
  EXPECT_EQ(r.status_code, "NetStream.Publish.BadName");
  EXPECT_EQ(r.error_code, "INVALID_PROTOCOL");
  EXPECT_FALSE(r.description.empty());
  EXPECT_EQ(main_events("CfgSecure001"), (std::vector<std::string>{"JOIN_ERROR:INVALID_PROTOCOL"}));
  EXPECT_EQ(stored_config_state("CfgSecure001"), "INACTIVE");

  PublishGrant plain = grant(key_insecure_, false, b);
  EXPECT_EQ(scalar("SELECT protocol FROM participants WHERE participant_id = '" +
                   plain.participant_id + "'"),
            "RTMP");
  ingest_->publish_ended(plain, &b, "");
  // RTMPS is always accepted, also on an insecure configuration.
  PublishGrant tls = grant(key_insecure_, true, c);
  EXPECT_EQ(scalar("SELECT protocol FROM participants WHERE participant_id = '" +
                   tls.participant_id + "'"),
            "RTMPS");
}

TEST_F(IngestServiceTest, WrongSecretIsAJoinError) {
  ASSERT_NO_FATAL_FAILURE(start());
  FakePublisher pub(*ingest_);
  for (const std::string& secret :
       {std::string(32, 'A'), std::string("short"), std::string(33, 'b')}) {
    PublishRefusal r = refusal(with_secret(key_secure_, secret), true, pub);
    EXPECT_EQ(r.status_code, "NetStream.Publish.BadName");
    EXPECT_EQ(r.error_code, "INVALID_STREAM_KEY");
  }
  EXPECT_EQ(main_events("CfgSecure001"),
            (std::vector<std::string>(3, "JOIN_ERROR:INVALID_STREAM_KEY")));
  EXPECT_EQ(ingest_->live_publishers(), 0u);
  EXPECT_EQ(stored_config_state("CfgSecure001"), "INACTIVE");
}

TEST_F(IngestServiceTest, KeysThatResolveToNoConfigurationLeaveNoEvent) {
  ASSERT_NO_FATAL_FAILURE(start());
  FakePublisher pub(*ingest_);
  auto p = parse_stream_key(key_secure_);
  std::string secret(p->secret);
  const std::string cases[] = {
      "",
      "not-a-key",
      "rt_123456789012_us-east-1_CfgSecure001",  // no secret part
      generate_stream_key(kAccount, kRegion, "NoSuchConfig"),
      "rt_999999999999_us-east-1_CfgSecure001_" + secret,  // another account
      "rt_123456789012_eu-west-1_CfgSecure001_" + secret,  // another region
      // The secret is right but the configuration is attached to no stage.
      key_unattached_,
  };
  // Different addresses: the point here is the refusal, not the throttle.
  int n = 0;
  for (const auto& key : cases) {
    SCOPED_TRACE(key);
    PublishRefusal r = refusal(key, true, pub, "10.0.0." + std::to_string(++n));
    EXPECT_EQ(r.status_code, "NetStream.Publish.BadName");
    EXPECT_EQ(r.error_code, "INVALID_STREAM_KEY");
  }
  EXPECT_EQ(event_count(), "0");
  EXPECT_EQ(scalar("SELECT count(*) FROM stage_sessions"), "0");
  EXPECT_EQ(ingest_->live_publishers(), 0u);
}

TEST_F(IngestServiceTest, SecondEncoderOnALiveKeyIsRefused) {
  ASSERT_NO_FATAL_FAILURE(start());
  FakePublisher first(*ingest_), second(*ingest_);
  PublishGrant g = grant(key_secure_, true, first);
  first.last_media = now_millis();  // media is flowing
  PublishRefusal r = refusal(key_secure_, true, second);
  EXPECT_EQ(r.status_code, "NetStream.Publish.BadName");
  EXPECT_EQ(r.error_code, "REUSE_OF_STREAM_KEY");
  EXPECT_TRUE(first.kicks.empty());
  EXPECT_EQ(ingest_->live_publishers(), 1u);
  EXPECT_EQ(events(g.session_id, g.participant_id),
            (std::vector<std::string>{"JOINED", "JOIN_ERROR:REUSE_OF_STREAM_KEY"}));
  EXPECT_EQ(stored_config_state("CfgSecure001"), "ACTIVE");
  // The refused connection closing must not end the incumbent's publish.
  ingest_->publish_ended(g, &second, "");
  EXPECT_EQ(ingest_->live_publishers(), 1u);
  EXPECT_EQ(events(g.session_id, g.participant_id).size(), 2u);
}

TEST_F(IngestServiceTest, IncumbentSilentJustUnderTheWindowIsNotTakenOver) {
  cfg_.limits.takeover_window = std::chrono::milliseconds(10000);
  ASSERT_NO_FATAL_FAILURE(start());
  FakePublisher first(*ingest_), second(*ingest_);
  grant(key_secure_, true, first);
  first.last_media = now_millis() - 9000;
  EXPECT_EQ(refusal(key_secure_, true, second).error_code, "REUSE_OF_STREAM_KEY");
  EXPECT_TRUE(first.kicks.empty());
}

TEST_F(IngestServiceTest, GhostIncumbentIsKickedAndTheNewcomerTakesOver) {
  ASSERT_NO_FATAL_FAILURE(start());
  FakePublisher ghost(*ingest_), fresh(*ingest_);
  PublishGrant old_grant = grant(key_secure_, true, ghost);
  ingest_->publish_started(old_grant);
  ghost.last_media = now_millis() - cfg_.limits.takeover_window.count() - 500;
  PublishGrant g = grant(key_secure_, true, fresh);
  ASSERT_EQ(ghost.kicks.size(), 1u);
  EXPECT_EQ(ghost.kicks[0], "");  // a plain stop, not an error
  EXPECT_TRUE(fresh.kicks.empty());
  EXPECT_EQ(ingest_->live_publishers(), 1u);
  EXPECT_EQ(g.session_id, old_grant.session_id);  // the stage session goes on
  EXPECT_EQ(g.participant_id, old_grant.participant_id);
  EXPECT_EQ(
      events(g.session_id, g.participant_id),
      (std::vector<std::string>{"JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT", "JOINED"}));
  EXPECT_EQ(registry_->config_by_id("CfgSecure001")->state, "ACTIVE");
  EXPECT_EQ(stored_config_state("CfgSecure001"), "ACTIVE");
  EXPECT_EQ(
      scalar("SELECT state FROM participants WHERE participant_id = '" + g.participant_id + "'"),
      "CONNECTED");
  // The ghost's connection closing later is a no-op; the newcomer's end is not.
  ingest_->publish_ended(old_grant, &ghost, "");
  EXPECT_EQ(ingest_->live_publishers(), 1u);
  ingest_->publish_ended(g, &fresh, "");
  EXPECT_EQ(ingest_->live_publishers(), 0u);
  EXPECT_EQ(events(g.session_id, g.participant_id).size(), 7u);
}

TEST_F(IngestServiceTest, QuotaPerStage) {
  cfg_.limits.publishers_per_stage = 2;
  ASSERT_NO_FATAL_FAILURE(start());
  FakePublisher a(*ingest_), b(*ingest_), c(*ingest_), d(*ingest_);
  grant(key_secure_, true, a);
  grant(key_insecure_, true, b);
  PublishRefusal r = refusal(key_third_, true, c);
  EXPECT_EQ(r.status_code, "NetStream.Publish.BadName");
  EXPECT_EQ(r.error_code, "QUOTA_EXCEEDED");
  EXPECT_EQ(main_events("CfgThird0001"), (std::vector<std::string>{"JOIN_ERROR:QUOTA_EXCEEDED"}));
  EXPECT_EQ(stored_config_state("CfgThird0001"), "INACTIVE");
  // The limit is per stage: another stage still has room.
  grant(key_other_, true, d);
  EXPECT_EQ(ingest_->live_publishers(), 3u);
  // A place freed is a place taken.
  ingest_->publish_ended(*a.grant, &a, "");
  FakePublisher e(*ingest_);
  grant(key_third_, true, e);
  EXPECT_EQ(main_events("CfgThird0001"),
            (std::vector<std::string>{"JOIN_ERROR:QUOTA_EXCEEDED", "JOINED"}));
}

TEST_F(IngestServiceTest, GhostTakeoverOnAFullStageFreesTheGhostsPlace) {
  cfg_.limits.publishers_per_stage = 1;
  ASSERT_NO_FATAL_FAILURE(start());
  FakePublisher ghost(*ingest_), fresh(*ingest_);
  grant(key_secure_, true, ghost);
  ghost.last_media = now_millis() - cfg_.limits.takeover_window.count() - 500;
  grant(key_secure_, true, fresh);
  EXPECT_EQ(ghost.kicks.size(), 1u);
  EXPECT_EQ(ingest_->live_publishers(), 1u);
}

TEST_F(IngestServiceTest, RepeatedFailuresThrottleTheAddress) {
  cfg_.limits.auth_failures_before_throttle = 3;
  ASSERT_NO_FATAL_FAILURE(start());
  FakePublisher pub(*ingest_);
  const std::string bad = with_secret(key_secure_, std::string(32, 'x'));
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(refusal(bad, true, pub, "192.0.2.7").error_code, "INVALID_STREAM_KEY");
  // Throttled now: even the right key is refused, without touching the configuration.
  PublishRefusal r = refusal(key_secure_, true, pub, "192.0.2.7");
  EXPECT_EQ(r.status_code, "NetStream.Publish.Rejected");
  EXPECT_EQ(r.error_code, "THROTTLED");
  EXPECT_EQ(refusal(bad, true, pub, "192.0.2.7").error_code, "THROTTLED");
  EXPECT_EQ(ingest_->live_publishers(), 0u);
  // Three JOIN_ERRORs: throttled attempts leave no event.
  EXPECT_EQ(main_events("CfgSecure001"),
            (std::vector<std::string>(3, "JOIN_ERROR:INVALID_STREAM_KEY")));
  // Another address is not affected.
  FakePublisher other(*ingest_);
  grant(key_secure_, true, other, "192.0.2.8");
}

TEST_F(IngestServiceTest, UnknownKeysCountTowardsTheThrottle) {
  cfg_.limits.auth_failures_before_throttle = 2;
  ASSERT_NO_FATAL_FAILURE(start());
  FakePublisher pub(*ingest_);
  refusal("garbage", true, pub, "192.0.2.9");
  refusal(generate_stream_key(kAccount, kRegion, "NoSuchConfig"), true, pub, "192.0.2.9");
  EXPECT_EQ(refusal(key_secure_, true, pub, "192.0.2.9").error_code, "THROTTLED");
}

TEST_F(IngestServiceTest, ThrottleEndsAfterItsWindow) {
  cfg_.limits.auth_failures_before_throttle = 1;
  cfg_.limits.auth_throttle_window = std::chrono::milliseconds(30);
  ASSERT_NO_FATAL_FAILURE(start());
  FakePublisher pub(*ingest_);
  refusal("garbage", true, pub, "192.0.2.10");
  EXPECT_EQ(refusal(key_secure_, true, pub, "192.0.2.10").error_code, "THROTTLED");
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  grant(key_secure_, true, pub, "192.0.2.10");
}

TEST_F(IngestServiceTest, SuccessClearsTheFailureCount) {
  cfg_.limits.auth_failures_before_throttle = 3;
  ASSERT_NO_FATAL_FAILURE(start());
  FakePublisher pub(*ingest_);
  for (int i = 0; i < 2; ++i) refusal("garbage", true, pub, "192.0.2.11");
  PublishGrant g = grant(key_secure_, true, pub, "192.0.2.11");
  ingest_->publish_ended(g, &pub, "");
  pub.grant.reset();
  for (int i = 0; i < 2; ++i) refusal("garbage", true, pub, "192.0.2.11");
  grant(key_secure_, true, pub, "192.0.2.11");
}

TEST_F(IngestServiceTest, PublishLifecycleEvents) {
  ASSERT_NO_FATAL_FAILURE(start());
  FakePublisher pub(*ingest_);
  PublishGrant g = grant(key_secure_, true, pub);
  ingest_->publish_started(g);
  EXPECT_EQ(scalar("SELECT published FROM participants WHERE participant_id = '" +
                   g.participant_id + "'"),
            "1");
  ingest_->publish_ended(g, &pub, "");
  EXPECT_EQ(events(g.session_id, g.participant_id),
            (std::vector<std::string>{"JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"}));
  EXPECT_EQ(
      scalar("SELECT state FROM participants WHERE participant_id = '" + g.participant_id + "'"),
      "DISCONNECTED");
  EXPECT_EQ(ingest_->live_publishers(), 0u);
}

TEST_F(IngestServiceTest, PublishErrorOnlyWithACodeAndEndIsIdempotent) {
  ASSERT_NO_FATAL_FAILURE(start());
  FakePublisher pub(*ingest_);
  PublishGrant g = grant(key_secure_, true, pub);
  ingest_->publish_started(g);
  ingest_->publish_ended(g, &pub, "B_FRAME_PRESENT");
  ingest_->publish_ended(g, &pub, "B_FRAME_PRESENT");
  ingest_->publish_ended(g, &pub, "");
  const std::vector<std::string> want = {
      "JOINED", "PUBLISH_STARTED", "PUBLISH_ERROR:B_FRAME_PRESENT", "PUBLISH_STOPPED", "LEFT"};
  EXPECT_EQ(events(g.session_id, g.participant_id), want);
  EXPECT_EQ(stored_config_state("CfgSecure001"), "INACTIVE");
  // The same key publishes again in the same stage session.
  FakePublisher again(*ingest_);
  PublishGrant g2 = grant(key_secure_, true, again);
  EXPECT_EQ(g2.session_id, g.session_id);
  auto all = want;
  all.push_back("JOINED");
  EXPECT_EQ(events(g.session_id, g.participant_id), all);
}

TEST_F(IngestServiceTest, KickAllEndsEveryPublish) {
  ASSERT_NO_FATAL_FAILURE(start());
  FakePublisher a(*ingest_), b(*ingest_);
  PublishGrant ga = grant(key_secure_, true, a);
  PublishGrant gb = grant(key_other_, true, b);
  ingest_->kick_all("shutdown");
  EXPECT_EQ(a.kicks, std::vector<std::string>{""});
  EXPECT_EQ(b.kicks, std::vector<std::string>{""});
  EXPECT_EQ(ingest_->live_publishers(), 0u);
  EXPECT_EQ(events(ga.session_id, ga.participant_id),
            (std::vector<std::string>{"JOINED", "PUBLISH_STOPPED", "LEFT"}));
  EXPECT_EQ(events(gb.session_id, gb.participant_id),
            (std::vector<std::string>{"JOINED", "PUBLISH_STOPPED", "LEFT"}));
  EXPECT_NE(ga.session_id, gb.session_id);  // one session per stage
}

TEST_F(IngestServiceTest, SecretsNeverReachTheLog) {
  cfg_.limits.auth_failures_before_throttle = 100;
  ASSERT_NO_FATAL_FAILURE(start());
  registry_->log_inventory();
  FakePublisher a(*ingest_), b(*ingest_), c(*ingest_), d(*ingest_);
  std::string wrong = with_secret(key_secure_, "WrongSecretWrongSecretWrongSecre");
  refusal(wrong, true, a);
  refusal(key_secure_, false, a);
  refusal(generate_stream_key(kAccount, kRegion, "NoSuchConfig"), true, a);
  refusal(key_unattached_, true, a);
  PublishGrant g = grant(key_secure_, true, b);
  refusal(key_secure_, true, c);
  ingest_->publish_ended(g, &b, "INVALID_INPUT");
  log_->flush();
  std::string text = log_text_.str();
  EXPECT_NE(text.find("CfgSecure001"), std::string::npos);  // the log is captured at all
  for (const auto& key :
       {key_secure_, key_insecure_, key_third_, key_other_, key_unattached_, wrong}) {
    std::string secret(parse_stream_key(key)->secret);
    EXPECT_EQ(text.find(secret), std::string::npos) << "secret of " << key.substr(0, 40);
  }
}

}  // namespace
}  // namespace sg::gw
