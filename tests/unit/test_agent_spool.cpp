// The agent's buffer while the daemon is unreachable (issue 11, Build point 1):
// bounded, oldest dropped first and counted, kept across restarts, forgotten
// only when the daemon acknowledges.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>

#include "agent/spool.hpp"
#include "store_test_support.hpp"

using namespace cpshare;

namespace {
api::HostSample at(std::int64_t t) {
  api::HostSample s;
  s.at.unix = t;
  s.gpu_source = "none";
  return s;
}
}  // namespace

TEST_CASE("samples stay, in order, until acknowledged, across a restart", "[R-MON-1]") {
  testing::TempDir dir;
  const auto spool_dir = dir.path / "spool";
  {
    auto spool = agent::Spool::open(spool_dir, 100).value();
    for (int i = 1; i <= 3; ++i) REQUIRE(spool.push(at(1000 + i)));
    auto batch = spool.peek(2).entries;
    REQUIRE(batch.size() == 2);
    CHECK(batch[0].sample.at.unix == 1001);
    CHECK(batch[1].sample.at.unix == 1002);
    REQUIRE(spool.ack(batch[1].seq, 0));
    CHECK(spool.size() == 1);
    struct stat st {};
    REQUIRE(::stat(spool_dir.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
  }
  auto again = agent::Spool::open(spool_dir, 100).value();  // the agent restarted
  REQUIRE(again.size() == 1);
  REQUIRE(again.push(at(1004)));
  auto rest = again.peek(10).entries;
  REQUIRE(rest.size() == 2);
  CHECK(rest[0].sample.at.unix == 1003);
  CHECK(rest[1].sample.at.unix == 1004);
  CHECK(rest[0].seq < rest[1].seq);
}

TEST_CASE("past its capacity the oldest samples are dropped and counted until reported", "[R-MON-1]") {
  testing::TempDir dir;
  {
    auto spool = agent::Spool::open(dir.path, 3).value();
    for (int i = 1; i <= 5; ++i) REQUIRE(spool.push(at(2000 + i)));
    CHECK(spool.size() == 3);
    CHECK(spool.dropped() == 2);
    auto batch = spool.peek(10).entries;
    REQUIRE(batch.size() == 3);
    CHECK(batch.front().sample.at.unix == 2003);
  }
  auto spool = agent::Spool::open(dir.path, 3).value();
  CHECK(spool.dropped() == 2);  // the count survives a restart
  auto batch = spool.peek(10).entries;
  REQUIRE(spool.push(at(2006)));  // dropped meanwhile: one more
  CHECK(spool.dropped() == 3);
  REQUIRE(spool.ack(batch.back().seq, 2));  // the batch reported 2
  CHECK(spool.dropped() == 1);
  CHECK(spool.size() == 1);
}

TEST_CASE("a torn or foreign sample file is removed and counted, never sent", "[R-MON-1]") {
  testing::TempDir dir;
  {
    auto spool = agent::Spool::open(dir.path, 10).value();
    REQUIRE(spool.push(at(3001)));
  }
  std::ofstream(dir.path / "00000000000000000009.json") << "{\"at\": \"2026-12";  // cut off mid-write
  auto spool = agent::Spool::open(dir.path, 10).value();
  CHECK(spool.size() == 2);
  auto batch = spool.peek(10).entries;
  REQUIRE(batch.size() == 1);
  CHECK(batch[0].sample.at.unix == 3001);
  CHECK(spool.dropped() == 1);
  CHECK(!std::filesystem::exists(dir.path / "00000000000000000009.json"));
  REQUIRE(spool.push(at(3002)));
  CHECK(spool.peek(10).entries.back().seq == 10);  // numbering continues after the highest seen
}

TEST_CASE("a drop count that cannot be saved is reported, and the samples still come", "[R-MON-1]") {
  testing::TempDir dir;
  {
    auto spool = agent::Spool::open(dir.path, 10).value();
    REQUIRE(spool.push(at(4001)));
  }
  std::ofstream(dir.path / "00000000000000000005.json") << "not json";
  // A non-empty directory where the count's file goes: the rename over it fails, even for root.
  std::filesystem::create_directories(dir.path / "dropped" / "in-the-way");
  auto spool = agent::Spool::open(dir.path, 10).value();
  auto peeked = spool.peek(10);
  REQUIRE(peeked.entries.size() == 1);
  CHECK(peeked.entries[0].sample.at.unix == 4001);
  REQUIRE_FALSE(peeked.count_saved);
  CHECK(spool.dropped() == 1);  // held in memory, reported by the next batch
}
