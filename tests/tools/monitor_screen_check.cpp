// Runs the live view of `cpshare monitor` (clicmd/monitor_screen.hpp) on the
// real terminal it is started in, over frames built here in the shapes of
// ../shared/fixtures/nvidia-smi/gpu-lost.csv (they stand in for a cluster's
// agent until the command's own test drives it): the terminal handling is
// what tests/integration/test_monitor_screen.sh checks under tmux.
#include <chrono>
#include <fstream>
#include <iostream>

#include "clicmd/monitor_screen.hpp"

using namespace cpshare;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: monitor_screen_check REPORT-FILE\n";
    return 2;
  }
  int calls = 0;
  auto fetch = [&]() -> Result<cli::MonitorFrame> {
    ++calls;
    if (calls == 2) return fail(ErrorCode::Unavailable, "the daemon did not answer");
    cli::MonitorFrame f{"cp-7k2m9x4qvd", "online", 3, {}, {}};
    api::HostSample s;
    s.at.unix = 1'796'371'200;
    s.gpu_source = "nvml";
    api::GpuReading ok;
    ok.uuid = "GPU-7a8b0000-0000-4000-8000-000000000000";
    ok.index = 0;
    ok.utilization_ratio = 0.93;
    ok.temperature_celsius = 63;
    api::GpuReading lost;
    lost.uuid = "GPU-7a8b0003-0000-4000-8000-000000000003";
    lost.index = 3;
    lost.lost = true;
    s.gpus = {ok, lost};
    s.cpu = api::CpuReading{64, 0.5, 0, 0.1, 0.4, 0, 0, 0, 0, 12.5, 11.0, 10.25};
    f.history.push_back(s);
    return f;
  };
  auto r = cli::run_monitor_screen(fetch, std::chrono::milliseconds(300));
  std::ofstream report(argv[1]);  // stdout is the terminal under test
  if (!r) {
    report << r.error().message << "\n";
    return 1;
  }
  report << "screen closed after " << calls << " fetches\n";
  return 0;
}
