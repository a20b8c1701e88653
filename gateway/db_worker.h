// The database thread: the Store's blocking calls run here, in order, never on the event loop.
// Completions are posted back to the loop through one uv_async_t (the single cross-thread
// hand-off).
#pragma once

#include <uv.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "gateway/store.h"

namespace sg::gw {

class DbWorker {
 public:
  using Job = std::function<Status(Store&)>;
  using Done = std::function<void(Status)>;

  DbWorker(uv_loop_t* loop, std::unique_ptr<Store> store);
  ~DbWorker();
  DbWorker(const DbWorker&) = delete;
  DbWorker& operator=(const DbWorker&) = delete;

  // Queues `job` for the database thread; `done` then runs on the loop thread with its status.
  void post(Job job, Done done = {});
  // Finishes every queued job, stops the thread and closes the async handle; `on_closed` runs on
  // the loop once the handle is closed.
  void close(std::function<void()> on_closed);
  size_t pending() const;
  // Blocks until every queued job has run (start-up only, before the loop serves anyone).
  void drain();

 private:
  struct Item {
    Job job;
    Done done;
    Status result;
  };
  void run();
  static void on_async(uv_async_t* h);

  std::unique_ptr<Store> store_;
  uv_async_t async_{};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  bool busy_ = false;
  std::deque<Item> todo_;
  std::deque<Item> finished_;
  bool stopping_ = false;
  std::thread thread_;
  std::function<void()> on_closed_;
};

}  // namespace sg::gw
