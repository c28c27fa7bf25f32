// A few threads at a lower CPU priority that run bulk work (an agent's batch
// of host samples read, checked and stored) for the threads that serve
// requests, so interactive requests (list, show, lease) keep their latency
// while ingest saturates the machine (issue 11: list p99 ≤ 20 ms while
// ingesting). Linux schedules threads, not processes: each lane thread sets
// its own nice value (setpriority(PRIO_PROCESS, tid), which any process may
// raise), and CFS then gives it about a tenth of a nice-0 thread's share of a
// busy CPU (weight 110 against 1024 at nice +10) and all of an idle one, so
// bulk work loses no throughput when nothing else runs.
//
// run(f) queues f, blocks the calling thread until a lane thread has run it,
// and returns what it returned (an exception thrown by f is rethrown in the
// caller). The destructor runs what is queued and joins.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <latch>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

namespace cpshare {

class BulkLane {
 public:
  static constexpr int kNice = 10;
  // threads ≥ 1; nice: how much the lane threads raise the process's nice
  // value (at most to 19; 0 keeps it).
  explicit BulkLane(unsigned threads, int nice = kNice);
  ~BulkLane();
  BulkLane(const BulkLane&) = delete;
  BulkLane& operator=(const BulkLane&) = delete;

  template <class F>
  std::invoke_result_t<F&> run(F&& f) {
    using R = std::invoke_result_t<F&>;
    std::optional<R> out;
    std::exception_ptr thrown;
    std::latch done(1);
    submit([&] {
      try {
        out.emplace(f());
      } catch (...) {
        thrown = std::current_exception();
      }
      done.count_down();
    });
    done.wait();
    if (thrown) std::rethrow_exception(thrown);
    return std::move(*out);
  }

  // How many lane threads set the nice value asked for (a platform that
  // refuses leaves them at the caller's priority; the work still runs).
  unsigned niced() const;

 private:
  void submit(std::function<void()> task);
  void work(int nice, std::latch& started);

  mutable std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  unsigned niced_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace cpshare
