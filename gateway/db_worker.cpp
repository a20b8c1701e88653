#include "gateway/db_worker.h"

namespace sg::gw {

DbWorker::DbWorker(uv_loop_t* loop, std::unique_ptr<Store> store) : store_(std::move(store)) {
  uv_async_init(loop, &async_, &DbWorker::on_async);
  async_.data = this;
  thread_ = std::thread([this] { run(); });
}

DbWorker::~DbWorker() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DbWorker::post(Job job, Done done) {
  {
    std::lock_guard lk(mu_);
    todo_.push_back(Item{std::move(job), std::move(done), {}});
  }
  cv_.notify_one();
}

size_t DbWorker::pending() const {
  std::lock_guard lk(mu_);
  return todo_.size() + finished_.size();
}

void DbWorker::drain() {
  std::unique_lock lk(mu_);
  idle_cv_.wait(lk, [&] { return todo_.empty() && !busy_; });
}

void DbWorker::run() {
  for (;;) {
    Item item;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return stopping_ || !todo_.empty(); });
      if (todo_.empty()) return;  // stopping and drained
      item = std::move(todo_.front());
      todo_.pop_front();
      busy_ = true;
    }
    item.result = item.job(*store_);
    {
      std::lock_guard lk(mu_);
      finished_.push_back(std::move(item));
      busy_ = false;
    }
    idle_cv_.notify_all();
    uv_async_send(&async_);
  }
}

void DbWorker::on_async(uv_async_t* h) {
  auto* self = static_cast<DbWorker*>(h->data);
  std::deque<Item> done;
  {
    std::lock_guard lk(self->mu_);
    done.swap(self->finished_);
  }
  for (auto& item : done)
    if (item.done) item.done(item.result);
}

void DbWorker::close(std::function<void()> on_closed) {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();  // drains the queue: every acknowledged write lands
  on_async(&async_);                       // run the last completions on the loop
  on_closed_ = std::move(on_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&async_), [](uv_handle_t* h) {
    auto* self = static_cast<DbWorker*>(h->data);
    if (self->on_closed_) self->on_closed_();
  });
}

}  // namespace sg::gw
