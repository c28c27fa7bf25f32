// The history of `cpshare monitor --since` (issue 11, R-MON-2): durations,
// minute rollups as samples for the sparklines, the history table. The rollups
// are in the shape the read endpoint gives (service/metrics.hpp rollup_json).
#include <catch2/catch.hpp>

#include "clicmd/monitor_history.hpp"
#include "clicmd/monitor_view.hpp"
#include "util/text.hpp"

using namespace cpshare;
using Catch::Contains;
using nlohmann::json;

namespace {
constexpr const char* kGpu0 = "GPU-1a2b0000-0000-4000-8000-000000000000";
constexpr const char* kGpu1 = "GPU-1a2b0001-0000-4000-8000-000000000001";

api::ReadingStat stat(double min, double mean, double max) { return {min, mean, max, 6}; }

api::RollupView minute(std::int64_t at, double util) {
  api::RollupView r;
  r.minute.unix = at;
  r.samples = 6;
  r.readings[std::string("gpus.") + kGpu0 + ".utilization_ratio"] = stat(util / 2, util, util);
  r.readings[std::string("gpus.") + kGpu0 + ".temperature_celsius"] = stat(50, 60, 70);
  // GPU 1 under MIG: no utilisation, only memory.
  r.readings[std::string("gpus.") + kGpu1 + ".memory_used_bytes"] = stat(1e9, 2e9, 3e9);
  r.readings["cpu.idle"] = stat(0.2, 0.5, 0.9);
  r.readings["cpu.load1"] = stat(1, 2, 3);
  r.readings["interfaces.eth0.100.receive_bytes_per_second"] = stat(0, 1e6, 2e6);
  r.readings["network.latency_seconds"] = stat(0.001, 0.002, 0.004);
  return r;
}
}  // namespace

TEST_CASE("durations: a whole number and s, m, h or d; a bare number is seconds") {
  CHECK(cli::parse_duration("90s") == 90);
  CHECK(cli::parse_duration("30m") == 1800);
  CHECK(cli::parse_duration("1h") == 3600);
  CHECK(cli::parse_duration("7d") == 604800);
  CHECK(cli::parse_duration("2") == 2);
  for (const char* bad : {"", "h", "0s", "-1h", "1.5h", "1w", "1 h", "1hh", "9999999999d"}) {
    INFO(bad);
    CHECK_FALSE(cli::parse_duration(bad).has_value());
  }
  CHECK(cli::duration_text(3600) == "1 h");
  CHECK(cli::duration_text(5400) == "1 h 30 min");
  CHECK(cli::duration_text(604800) == "7 d");
  CHECK(cli::duration_text(600) == "10 min");
  CHECK(cli::duration_text(45) == "45 s");
}

TEST_CASE("each minute's rollup is one sample of its means; an absent reading stays absent", "[R-MON-2]") {
  const auto samples = cli::samples_from_rollups({minute(1'796'371'200, 0.8)});
  REQUIRE(samples.size() == 1);
  const auto& s = samples[0];
  CHECK(s.at.unix == 1'796'371'200);
  REQUIRE(s.gpus.size() == 2);
  CHECK(s.gpus[0].uuid == kGpu0);
  CHECK(s.gpus[0].utilization_ratio == 0.8);
  CHECK(s.gpus[0].temperature_celsius == 60);
  CHECK_FALSE(s.gpus[0].power_watts.has_value());
  CHECK(s.gpus[1].uuid == kGpu1);
  CHECK_FALSE(s.gpus[1].utilization_ratio.has_value());  // MIG: absent, not 0
  CHECK(s.gpus[1].memory_used_bytes == 2'000'000'000);
  REQUIRE(s.cpu);
  CHECK(s.cpu->idle == 0.5);
  CHECK(s.cpu->load1 == 2);
  REQUIRE(s.interfaces.size() == 1);
  CHECK(s.interfaces[0].name == "eth0.100");  // a VLAN's dot is part of the name
  CHECK(s.interfaces[0].receive_bytes_per_second == 1e6);
  CHECK_FALSE(s.interfaces[0].transmit_bytes_per_second.has_value());
  REQUIRE(s.network);
  CHECK(s.network->latency_seconds == 0.002);
  CHECK_FALSE(s.network->loss_ratio.has_value());
}

TEST_CASE("bucketing by time: each cell the mean of its values, an empty cell absent") {
  const auto cells = cli::bucket_by_time({{0, 0.2}, {10, 0.4}, {59, 1.0}, {60, 9.0}}, 0, 60, 3);
  REQUIRE(cells.size() == 3);
  CHECK(cells[0] == Approx(0.3));
  CHECK_FALSE(cells[1].has_value());
  CHECK(cells[2] == 1.0);  // 60 is outside [0, 60)
}

TEST_CASE("the history table: min, mean and max over the span, a sparkline of the minutes", "[R-MON-2]") {
  std::vector<api::RollupView> rollups;
  for (int m = 0; m < 60; ++m) rollups.push_back(minute(1'796'371'200 + 60 * m, m < 30 ? 0.2 : 1.0));
  const auto lines = cli::render_history(rollups, 3600, "minute", 120);
  REQUIRE(lines.size() >= 3);
  CHECK(lines[0] == "History  last 1 h, minute rollups: 60 of 60 minutes with reports");
  CHECK_THAT(lines[1], Contains("min") && Contains("mean") && Contains("max"));
  auto line_with = [&](const std::string& what) {
    for (const auto& l : lines)
      if (l.find(what) != std::string::npos) return l;
    FAIL("no line with " << what);
    return std::string();
  };
  const auto util = line_with("GPU-1a2b0000… utilisation");
  CHECK_THAT(util, Contains("10%") && Contains("60%") && Contains("100%"));
  CHECK_THAT(util, Contains("▂▂▂") && Contains("███"));  // the first half low, the second full
  CHECK_THAT(line_with("GPU-1a2b0001… memory used"), Contains("1 GB") && Contains("3 GB"));
  CHECK_THAT(line_with("CPU busy"), Contains("10%") && Contains("50%") && Contains("80%"));
  CHECK_THAT(line_with("net eth0.100 rx"), Contains("2 MB/s"));
  CHECK_THAT(line_with("latency"), Contains("2.0 ms"));
  // MIG's utilisation was never given: no row, not a row of zeros.
  for (const auto& l : lines) CHECK_THAT(l, !Contains("GPU-1a2b0001… utilisation"));
  for (const auto& l : cli::render_history(rollups, 3600, "minute", 60)) CHECK(text::display_width(l) <= 60);

  CHECK(cli::render_history({}, 3600, "minute", 80) ==
        std::vector<std::string>{"History  last 1 h: no minute with a report."});
}

TEST_CASE("the history's header names the resolution the daemon answered, whatever its first row", "[R-MON-2]") {
  // A week at resolution=hour: the window's first hour is partial (its minutes
  // merged, 20 minutes long), the rest whole hours. It is still hour rollups.
  const std::int64_t hour = 1'796'371'200;
  std::vector<api::RollupView> rollups;
  rollups.push_back(minute(hour - 20 * 60, 0.5));
  rollups.back().seconds = 20 * 60;
  rollups.back().minutes = 20;
  for (int h = 0; h < 167; ++h) {
    rollups.push_back(minute(hour + 3600 * h, 0.5));
    rollups.back().seconds = 3600;
    rollups.back().minutes = 60;
  }
  const auto lines = cli::render_history(rollups, 7 * 86400, "hour", 120);
  REQUIRE(lines.size() >= 2);
  CHECK(lines[0] == "History  last 7 d, hour rollups: 10040 of 10080 minutes with reports");
  CHECK_THAT(lines[1], Contains("per hour, oldest first"));
  for (const auto& l : lines) CHECK_THAT(l, !Contains("minute rollups") && !Contains("per minute"));
  // Whole hours first makes no difference: the answer's resolution is the one named.
  const auto whole = cli::render_history({rollups.begin() + 1, rollups.end()}, 7 * 86400, "hour", 120);
  CHECK(whole[0] == "History  last 7 d, hour rollups: 10020 of 10080 minutes with reports");
  CHECK_THAT(cli::render_history({minute(hour, 0.5)}, 3600, "minute", 120)[0], Contains("1 h, minute rollups"));
}

TEST_CASE("a GPU's sparkline spans the whole history when it is longer than the room", "[R-MON-2]") {
  cli::MonitorFrame f{"cp-7k2m9x4qvd", "", 4, {}, {}};
  std::vector<api::RollupView> rollups;
  for (int m = 0; m < 600; ++m) rollups.push_back(minute(1'796'371'200 + 60 * m, m < 300 ? 0.0 : 1.0));
  f.history = cli::samples_from_rollups(rollups);
  const auto lines = cli::render_monitor(f, 120);
  CHECK(lines[0] == "cp-7k2m9x4qvd  last report 4 s ago");  // no status known: left out
  CHECK_THAT(lines[1], Contains("▁▁") && Contains("██"));   // both halves of the span are drawn
}

TEST_CASE("a long span's minutes merged into runs keep min, weighted mean and max") {
  std::vector<api::RollupView> rollups;
  for (int m = 0; m < 10; ++m) rollups.push_back(minute(1'796'371'200 + 60 * m, m < 5 ? 0.2 : 1.0));
  CHECK(cli::coarsen(rollups, 10).size() == 10);
  const auto merged = cli::coarsen(rollups, 4);  // runs of 3: 3 + 3 + 3 + 1
  REQUIRE(merged.size() == 4);
  CHECK(merged[0].minute.unix == 1'796'371'200);
  CHECK(merged[0].samples == 18);
  const std::string util = std::string("gpus.") + kGpu0 + ".utilization_ratio";
  CHECK(merged[1].readings.at(util).min == 0.1);  // minutes 3, 4, 5: 0.2, 0.2, 1.0
  CHECK(*merged[1].readings.at(util).mean == Approx(1.4 / 3));
  CHECK(merged[1].readings.at(util).max == 1.0);
  CHECK(merged[1].readings.at(util).n == 18);  // three minutes of 6 samples
  CHECK_FALSE(merged[3].readings.contains(std::string("gpus.") + kGpu1 + ".utilization_ratio"));
  CHECK(cli::samples_from_rollups(merged).size() == 4);
}
