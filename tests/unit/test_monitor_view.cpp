// What `cpshare monitor` paints (issue 11, R-MON-2). The readings follow
// ../shared/fixtures/nvidia-smi/ h200-8gpu-load.csv, h200-mig.csv and
// gpu-lost.csv, which stand in for the hardware here.
#include <catch2/catch.hpp>

#include "clicmd/monitor_view.hpp"
#include "util/text.hpp"

#include <fmt/format.h>

using namespace cpshare;
using Catch::Contains;

namespace {
api::GpuReading h200(int index, std::optional<double> util) {
  api::GpuReading g;
  g.uuid = fmt::format("GPU-1a2b000{}-0000-4000-8000-00000000000{}", index, index);
  g.index = index;
  g.name = "NVIDIA H200";
  g.utilization_ratio = util;
  g.memory_used_bytes = 110796LL * 1024 * 1024;
  g.memory_total_bytes = 143771LL * 1024 * 1024;
  g.temperature_celsius = 52;
  g.power_watts = 627.40;
  return g;
}

api::HostSample host(std::int64_t at, std::vector<api::GpuReading> gpus) {
  api::HostSample s;
  s.at.unix = at;
  s.gpu_source = "nvml";
  s.gpus = std::move(gpus);
  s.cpu = api::CpuReading{64, 0.5, 0, 0.1, 0.4, 0, 0, 0, 0, 12.5, 11.0, 10.25};
  s.memory = api::MemoryReading{2'000'000'000'000, 1'500'000'000'000};
  s.interfaces = {{"eth0", 1, 1, 125'000'000.0, std::nullopt}};
  s.network = api::NetworkProbe{3, 0.0042, 0.0};
  return s;
}

void check_width(const std::vector<std::string>& lines, int columns) {
  for (const auto& l : lines) {
    INFO(l);
    CHECK(static_cast<int>(text::display_width(l)) <= columns);
  }
}
}  // namespace

TEST_CASE("bars and sparklines in eighths; an absent value is a blank, not the lowest level") {
  CHECK(cli::bar(0.5, 10) == "█████     ");
  CHECK(cli::bar(0.25, 2) == "▌ ");
  CHECK(cli::bar(1.0 / 16, 2) == "▏ ");
  CHECK(cli::bar(2.0, 3) == "███");
  CHECK(cli::bar(-1, 3) == "   ");
  CHECK(cli::sparkline({0.0, 0.5, 1.0, std::nullopt, 0.99}, 0, 1) == "▁▅█ █");
}

TEST_CASE("a frame shows each GPU's readings, its history, and the host", "[R-MON-2]") {
  cli::MonitorFrame f{"cp-7k2m9x4qvd", "online", 4, {}, {}};
  for (int t = 0; t < 30; ++t) f.history.push_back(host(1'796'371'200 + 10 * t, {h200(0, t % 2 ? 1.0 : 0.5)}));
  const auto lines = cli::render_monitor(f, 120);
  REQUIRE(lines.size() >= 5);
  CHECK(lines[0] == "cp-7k2m9x4qvd  online  last report 4 s ago");
  CHECK_THAT(lines[1], Contains("GPU  0") && Contains("100%") && Contains("°C") && Contains("627 W"));
  CHECK_THAT(lines[1], Contains("█▅█▅"));  // the utilisation history
  CHECK_THAT(lines[1], Contains(" - "));   // no voltage reported: a dash
  CHECK_THAT(lines[2], Contains("CPU") && Contains("60%") && Contains("load 12.50 11.00 10.25"));
  CHECK_THAT(lines[3], Contains("Memory") && Contains("25%"));
  CHECK_THAT(lines[4], Contains("eth0") && Contains("rx     125 MB/s") && Contains("tx            -"));
  check_width(lines, 120);
  check_width(cli::render_monitor(f, 60), 60);
}

TEST_CASE("MIG's absent utilisation shows as a dash, a lost GPU as 掉卡, a source error as such", "[R-MON-2]") {
  api::GpuReading lost;
  lost.uuid = "GPU-7a8b0003-0000-4000-8000-000000000003";
  lost.lost = true;
  lost.index = 3;
  cli::MonitorFrame f{"cp-7k2m9x4qvd", "online", 200, {host(1'796'371'200, {h200(0, std::nullopt), lost})}, {}};
  auto lines = cli::render_monitor(f, 100);
  CHECK_THAT(lines[0], Contains("last report 3 min ago"));
  CHECK_THAT(lines[1], Contains("GPU  0") && Contains("    -  mem") && !Contains("0%  mem"));
  CHECK_THAT(lines[2], Contains("GPU  3") && Contains("掉卡 LOST"));

  // A leased GPU gone from a working report is lost too; the user sees only their GPUs.
  f.gpus_shown = {"GPU-1a2b0001-0000-4000-8000-000000000001"};
  lines = cli::render_monitor(f, 100);
  CHECK_THAT(lines[1], Contains("GPU-1a2b0001") && Contains("掉卡 LOST (missing from the report)"));
  CHECK_THAT(lines[2], Contains("CPU"));

  f.history.back().gpus.clear();
  f.history.back().gpu_error = api::GpuSourceError{"timeout", "nvidia-smi did not answer within 5 s"};
  lines = cli::render_monitor(f, 100);
  CHECK_THAT(lines[1], Contains("not read: nvidia-smi did not answer within 5 s (timeout)"));
  CHECK_THAT(lines[2], Contains("CPU"));  // says nothing of single GPUs

  cli::MonitorFrame empty{"cp-7k2m9x4qvd", "offline", std::nullopt, {}, {}};
  CHECK(cli::render_monitor(empty, 80) ==
        std::vector<std::string>{"cp-7k2m9x4qvd  offline  no report yet", "No readings in this window."});
}

TEST_CASE("no index and no probes print '-', never '?' nor an average over zero probes", "[R-MON-2]") {
  // A minute's rollup stands for the newest reading (no raw sample in the last
  // minutes): its GPUs have no index and its probes are not counted.
  api::HostSample s = host(1'796'371'200, {h200(0, 0.5)});
  s.gpus[0].index = std::nullopt;
  s.network = api::NetworkProbe{0, 0.001, 0.0};
  cli::MonitorFrame f{"cp-7k2m9x4qvd", "online", 600, {s}, {}};
  auto lines = cli::render_monitor(f, 100);
  auto line_with = [&](const std::string& what) {
    for (const auto& l : lines)
      if (l.find(what) != std::string::npos) return l;
    FAIL("no line with " << what);
    return std::string();
  };
  CHECK_THAT(line_with("50%"), Contains("GPU  -  ["));
  CHECK(line_with("Path") == "Path    latency -  loss -  (no probes)");
  for (const auto& l : lines) CHECK_THAT(l, !Contains("?") && !Contains("1.0 ms") && !Contains("0 probes"));
  // A leased GPU missing from the report: its index is not known either.
  f.gpus_shown = {"GPU-1a2b0001-0000-4000-8000-000000000001"};
  lines = cli::render_monitor(f, 100);
  CHECK_THAT(line_with("missing from the report"), Contains("GPU  -  GPU-1a2b0001"));
  // Probes sent: the means over them.
  f.history[0].network = api::NetworkProbe{3, 0.0042, 0.0};
  lines = cli::render_monitor(f, 100);
  CHECK(line_with("Path") == "Path    latency 4.2 ms  loss 0%  (3 probes)");
}
