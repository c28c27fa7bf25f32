// The bulk lane (util/bulk_lane.hpp): work run on its threads at a raised
// nice value, answers handed back to the callers, exceptions rethrown, queued
// work finished at destruction. That interactive requests keep their latency
// under ingest is a measurement: bench/ingest.sh (docs/PERFORMANCE.md).
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "util/bulk_lane.hpp"
#include "util/error.hpp"

using namespace cpshare;

namespace {
int my_nice() {
  errno = 0;
  return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
}
}  // namespace

TEST_CASE("bulk lane: runs work on its own threads at nice +10 and returns what it returned", "[bulk_lane]") {
  const int caller_nice = my_nice();
  BulkLane lane(2);
  const auto caller = std::this_thread::get_id();
  auto seen = lane.run([&] { return std::pair{std::this_thread::get_id(), my_nice()}; });
  CHECK(seen.first != caller);
  CHECK(lane.niced() == 2);
  CHECK(seen.second == std::min(caller_nice + BulkLane::kNice, 19));
  CHECK(my_nice() == caller_nice);  // the caller's own priority is untouched
  Result<std::string> r = lane.run([]() -> Result<std::string> { return fail(ErrorCode::NotFound, "none"); });
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::NotFound);
  CHECK_THROWS_AS(lane.run([]() -> int { throw std::runtime_error("bad"); }), std::runtime_error);
  CHECK(lane.run([] { return 7; }) == 7);  // a throw leaves the lane working
}

TEST_CASE("bulk lane: many callers at once each get their own answer", "[bulk_lane]") {
  BulkLane lane(2);
  std::atomic<int> wrong{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 16; ++c)
    callers.emplace_back([&, c] {
      for (int i = 0; i < 200; ++i)
        if (lane.run([=] { return c * 1000 + i; }) != c * 1000 + i) ++wrong;
    });
  for (auto& t : callers) t.join();
  CHECK(wrong == 0);
}

TEST_CASE("bulk lane: nice 0 keeps the caller's priority", "[bulk_lane]") {
  const int caller_nice = my_nice();
  BulkLane lane(1, 0);
  CHECK(lane.run([] { return my_nice(); }) == caller_nice);
  CHECK(lane.niced() == 0);
}
