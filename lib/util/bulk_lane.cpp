#include "util/bulk_lane.hpp"

#include <sys/resource.h>
#include <algorithm>
#include <cerrno>
#include <unistd.h>

namespace cpshare {

BulkLane::BulkLane(unsigned threads, int nice) {
  if (threads == 0) threads = 1;
  threads_.reserve(threads);
  std::latch started(threads);  // each thread's priority is set before the lane is used
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this, nice, &started] { work(nice, started); });
  started.wait();
}

BulkLane::~BulkLane() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) t.join();
}

unsigned BulkLane::niced() const {
  std::lock_guard lock(mu_);
  return niced_;
}

void BulkLane::submit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(task));
  }
  ready_.notify_one();
}

void BulkLane::work(int nice, std::latch& started) {
  // This thread's nice value only (Linux: a thread id is a PRIO_PROCESS
  // who), raised by `nice` from the process's, at most to 19.
  const auto self = static_cast<id_t>(::gettid());
  errno = 0;
  const int base = ::getpriority(PRIO_PROCESS, self);
  if (nice != 0 && errno == 0 && ::setpriority(PRIO_PROCESS, self, std::min(base + nice, 19)) == 0) {
    std::lock_guard lock(mu_);
    ++niced_;
  }
  started.count_down();
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to run
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace cpshare
