// The agent's loop (issue 11, Build point 1): every interval it reads the host
// (Collector), keeps the sample in its spool, and sends what the spool holds,
// oldest first, in batches; a batch leaves the spool only when the daemon has
// accepted it, so a daemon that is down, restarting or unreachable loses
// nothing but what the spool's bound drops (counted, and reported with the
// next accepted batch).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "agent/host.hpp"
#include "agent/spool.hpp"
#include "api/metrics.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace cpshare::agent {

// Delivers one batch to Irmds; success means every sample in it is stored.
using SendBatch = std::function<Result<>(const std::vector<api::HostSample>& samples, std::uint64_t dropped)>;

struct LoopOptions {
  std::chrono::milliseconds interval{10'000};
  std::size_t batch = 60;        // samples per request at most
  std::size_t max_batches = 10;  // per interval, so a long backlog drains without starving the readings
};

struct LoopStats {
  std::uint64_t samples = 0, sent = 0, failed_sends = 0;
};

// One interval's work: read, keep, send; the sample read. `now` is its time (unix s).
api::HostSample tick(Collector& collector, Spool& spool, const SendBatch& send, const LoopOptions& o, std::int64_t now,
                     Logger& log, LoopStats& stats);

// Runs tick every interval until `stop` is set (checked at least every 100 ms).
void run(Collector& collector, Spool& spool, const SendBatch& send, const LoopOptions& o, const std::atomic<bool>& stop,
         Logger& log, LoopStats& stats);

}  // namespace cpshare::agent
