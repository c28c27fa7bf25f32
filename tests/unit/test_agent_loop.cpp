// The agent's loop (issue 11, Build point 1): readings are kept while sending
// fails and delivered in order once it works; drops past the spool's bound are
// reported with the next accepted batch. The sender here is the test's
// (a function that refuses, then accepts); the real daemon's acceptance is
// proven by the agent's integration test.
#include <catch2/catch.hpp>

#include "agent/agent.hpp"
#include "store_test_support.hpp"

using namespace cpshare;
using namespace std::chrono_literals;

TEST_CASE("while sending fails samples are kept, then delivered in order with nothing lost", "[R-MON-1]") {
  testing::TempDir dir;
  auto spool = agent::Spool::open(dir.path / "spool", 1000).value();
  agent::GpuSource gpus(agent::GpuChoice::None, 1s);
  agent::Collector collector({}, gpus);  // this machine's real /proc
  Logger log;
  agent::LoopStats stats;
  bool up = false;
  std::vector<std::vector<std::int64_t>> delivered;
  auto send = [&](const std::vector<api::HostSample>& samples, std::uint64_t) -> Result<> {
    if (!up) return fail(ErrorCode::Unavailable, "connection refused");
    std::vector<std::int64_t> times;
    for (const auto& s : samples) times.push_back(s.at.unix);
    delivered.push_back(times);
    return {};
  };
  const agent::LoopOptions o{1s, 2, 10};
  for (int t = 1; t <= 3; ++t) agent::tick(collector, spool, send, o, 100 + t, log, stats);
  CHECK(stats.failed_sends == 3);
  CHECK(spool.size() == 3);
  up = true;
  agent::tick(collector, spool, send, o, 104, log, stats);
  CHECK(delivered == std::vector<std::vector<std::int64_t>>{{101, 102}, {103, 104}});  // batches of 2, oldest first
  CHECK(spool.size() == 0);
  CHECK(stats.sent == 4);
  CHECK(stats.samples == 4);
}

TEST_CASE("drops past the spool's bound are reported once, with the batch that is accepted", "[R-MON-1]") {
  testing::TempDir dir;
  auto spool = agent::Spool::open(dir.path, 2).value();
  agent::GpuSource gpus(agent::GpuChoice::None, 1s);
  agent::Collector collector({}, gpus);
  Logger log;
  agent::LoopStats stats;
  bool up = false;
  std::vector<std::uint64_t> reported;
  auto send = [&](const std::vector<api::HostSample>&, std::uint64_t dropped) -> Result<> {
    if (!up) return fail(ErrorCode::Unavailable, "timed out");
    reported.push_back(dropped);
    return {};
  };
  const agent::LoopOptions o{1s, 60, 10};
  for (int t = 1; t <= 5; ++t) agent::tick(collector, spool, send, o, 200 + t, log, stats);
  CHECK(spool.dropped() == 3);
  up = true;
  agent::tick(collector, spool, send, o, 206, log, stats);  // pushes a 6th: one more dropped before sending
  REQUIRE(reported.size() == 1);
  CHECK(reported[0] == 4);
  CHECK(spool.dropped() == 0);
  agent::tick(collector, spool, send, o, 207, log, stats);
  CHECK(reported.back() == 0);
}
