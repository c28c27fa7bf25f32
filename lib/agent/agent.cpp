#include "agent/agent.hpp"

#include <thread>

namespace cpshare::agent {

namespace {

// Sends up to max_batches batches from the spool; stops at the first failure.
void drain(Spool& spool, const SendBatch& send, const LoopOptions& o, Logger& log, LoopStats& stats) {
  for (std::size_t b = 0; b < o.max_batches && spool.size() > 0; ++b) {
    const auto [entries, count_saved] = spool.peek(o.batch);
    if (!count_saved)
      log.warn("unreadable samples were dropped from the spool but their count could not be saved: {}",
               count_saved.error().message);
    if (entries.empty()) return;
    std::vector<api::HostSample> samples;
    samples.reserve(entries.size());
    for (const auto& e : entries) samples.push_back(e.sample);
    const std::uint64_t dropped = spool.dropped();
    if (auto sent = send(samples, dropped); !sent) {
      ++stats.failed_sends;
      log.warn("sending {} samples failed, {} kept to send later: {}", samples.size(), spool.size(),
               sent.error().message);
      return;
    }
    if (auto acked = spool.ack(entries.back().seq, dropped); !acked)
      log.error(
          "the daemon stored {} samples but the spool could not forget them (they will be sent again, "
          "which the daemon ignores): {}",
          samples.size(), acked.error().message);
    stats.sent += samples.size();
  }
}

}  // namespace

api::HostSample tick(Collector& collector, Spool& spool, const SendBatch& send, const LoopOptions& o, std::int64_t now,
                     Logger& log, LoopStats& stats) {
  const api::HostSample s = collector.sample(now);
  ++stats.samples;
  if (auto kept = spool.push(s); !kept) log.error("cannot keep a sample in the spool: {}", kept.error().message);
  drain(spool, send, o, log, stats);
  return s;
}

void run(Collector& collector, Spool& spool, const SendBatch& send, const LoopOptions& o, const std::atomic<bool>& stop,
         Logger& log, LoopStats& stats) {
  auto next = std::chrono::steady_clock::now();
  while (!stop.load()) {
    const auto now = std::chrono::system_clock::now();
    (void)tick(collector, spool, send, o,
               std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count(), log, stats);
    next += o.interval;
    if (next < std::chrono::steady_clock::now()) next = std::chrono::steady_clock::now() + o.interval;  // fell behind
    while (!stop.load() && std::chrono::steady_clock::now() < next)
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(100), next - std::chrono::steady_clock::now()));
  }
}

}  // namespace cpshare::agent
