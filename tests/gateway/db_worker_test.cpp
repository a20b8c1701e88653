// DbWorker: jobs run in order on the database thread, completions come back on the loop thread,
// close() finishes every queued job and leaks no handle.
#include "gateway/db_worker.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace sg::gw {
namespace {

class DbWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    // An in-memory SQLite database: the worker only hands the store to jobs, and these jobs do
    // their own bookkeeping.
    auto store = open_sqlite_store(":memory:");
    ASSERT_TRUE(store) << store.error().detail;
    store_ = store->get();
    db_ = std::make_unique<DbWorker>(&loop_, std::move(*store));
  }
  void TearDown() override {
    if (db_ && !closed_requested_) close();
    db_.reset();
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }
  void close() {
    closed_requested_ = true;
    db_->close([this] { ++on_closed_calls_; });
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(on_closed_calls_, 1);
  }

  uv_loop_t loop_{};
  Store* store_ = nullptr;
  std::unique_ptr<DbWorker> db_;
  bool closed_requested_ = false;
  int on_closed_calls_ = 0;
};

TEST_F(DbWorkerTest, JobsRunInOrderOffTheLoopAndCompleteOnTheLoop) {
  const auto loop_thread = std::this_thread::get_id();
  std::mutex mu;
  std::vector<int> ran;
  std::vector<int> done;
  std::atomic<bool> job_on_loop_thread{false};
  std::atomic<bool> wrong_store{false};
  for (int i = 0; i < 50; ++i) {
    db_->post(
        [&, i](Store& s) -> Status {
          if (std::this_thread::get_id() == loop_thread) job_on_loop_thread = true;
          if (&s != store_) wrong_store = true;
          std::lock_guard lk(mu);
          ran.push_back(i);
          return {};
        },
        [&, i](Status s) {
          EXPECT_TRUE(s);
          EXPECT_EQ(std::this_thread::get_id(), loop_thread);
          done.push_back(i);
        });
  }
  db_->drain();
  {
    std::lock_guard lk(mu);
    ASSERT_EQ(ran.size(), 50u);
    for (int i = 0; i < 50; ++i) EXPECT_EQ(ran[i], i);
  }
  EXPECT_FALSE(job_on_loop_thread);
  EXPECT_FALSE(wrong_store);
  // Completions wait for the loop.
  EXPECT_TRUE(done.empty());
  EXPECT_EQ(db_->pending(), 50u);
  while (done.size() < 50) uv_run(&loop_, UV_RUN_ONCE);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(done[i], i);
  EXPECT_EQ(db_->pending(), 0u);
}

TEST_F(DbWorkerTest, CompletionGetsTheJobsStatus) {
  std::vector<std::string> reasons;
  db_->post([](Store&) -> Status { return make_error("store.sql", "disk on fire"); },
            [&](Status s) { reasons.emplace_back(s ? "ok" : std::string(s.reason())); });
  db_->post([](Store&) -> Status { return {}; },
            [&](Status s) { reasons.emplace_back(s ? "ok" : std::string(s.reason())); });
  db_->post([](Store&) -> Status { return {}; });  // no completion wanted
  db_->drain();
  while (reasons.size() < 2) uv_run(&loop_, UV_RUN_ONCE);
  EXPECT_EQ(reasons, (std::vector<std::string>{"store.sql", "ok"}));
}

TEST_F(DbWorkerTest, DrainWaitsForTheRunningJob) {
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  db_->post([&](Store&) -> Status {
    started = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    finished = true;
    return {};
  });
  // The job has left the queue and is running: the queue is empty but the worker is not idle.
  while (!started) std::this_thread::yield();
  db_->drain();
  EXPECT_TRUE(finished);
}

TEST_F(DbWorkerTest, CloseFinishesQueuedJobsAndRunsTheirCompletions) {
  std::atomic<int> ran{0};
  int done = 0;
  for (int i = 0; i < 20; ++i) {
    db_->post(
        [&](Store&) -> Status {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          ++ran;
          return {};
        },
        [&](Status) { ++done; });
  }
  close();  // at once: nothing has been drained
  EXPECT_EQ(ran, 20);
  EXPECT_EQ(done, 20);
  EXPECT_EQ(db_->pending(), 0u);
}

}  // namespace
}  // namespace sg::gw
