// Three clusters' latest readings rendered as /metrics would render them, for
// test_prometheus.cpp and for `contract: prometheus text` (promtool). Shaped
// as the nvidia-smi fixtures give them: h200-mig.csv (utilisation [N/A]),
// gpu-lost.csv (GPU 3 "[GPU is lost]"), fail-driver-not-loaded.txt.
#pragma once

#include <string>

#include "service/prometheus.hpp"

namespace cpshare::testing {

inline api::HostSample prometheus_host(std::int64_t at) {
  api::HostSample s;
  s.at.unix = at;
  s.cpu = api::CpuReading{64, 0.61, 0.0, 0.05, 0.33, 0.01, 0.0, 0.0, 0.0, 12.5, 11.0, 10.25};
  s.memory = api::MemoryReading{2'199'023'255'552, 1'649'267'441'664};
  s.mounts = {{"/data", 1'000'000'000'000, 3'840'000'000'000}};
  s.interfaces = {{"eth0", 123'456'789'012, 98'765'432'100, 1.25e8, 2.5e7}};
  s.sensors = {{"coretemp", "Package id 0", "temperature", 61.0}, {"nct6775", "in0", "voltage", 1.056}};
  s.network = api::NetworkProbe{3, 0.0042, 0.0};
  s.gpu_source = "nvidia-smi";
  return s;
}

inline std::string prometheus_sample_text() {
  prometheus::Exposition e;
  prometheus::declare_host_families(e);

  api::HostSample mig = prometheus_host(1'796'371'200);
  api::GpuReading g;
  g.uuid = "GPU-1a2b0000-0000-4000-8000-000000000000";
  g.index = 0;
  g.name = "NVIDIA H200";
  g.memory_used_bytes = 16959LL * 1024 * 1024;
  g.memory_total_bytes = 143771LL * 1024 * 1024;
  g.temperature_celsius = 47;
  g.power_watts = 295.01;
  g.power_limit_watts = 700;
  mig.gpus.push_back(g);  // utilisation absent under MIG
  prometheus::add_host_sample(e, "cp-7k2m9x4qvd", mig);

  api::HostSample lost = prometheus_host(1'796'371'210);
  api::GpuReading ok;
  ok.uuid = "GPU-7a8b0000-0000-4000-8000-000000000000";
  ok.name = "NVIDIA H800";
  ok.utilization_ratio = 0.93;
  ok.memory_utilization_ratio = 0.51;
  ok.temperature_celsius = 63;
  lost.gpus.push_back(ok);
  api::GpuReading gone;
  gone.uuid = "GPU-7a8b0003-0000-4000-8000-000000000003";
  gone.lost = true;
  lost.gpus.push_back(gone);
  prometheus::add_host_sample(e, "cp-3x9y7w2zq4", lost);

  api::HostSample failed = prometheus_host(1'796'371'220);
  failed.gpu_error = api::GpuSourceError{
      "driver_not_loaded", "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."};
  prometheus::add_host_sample(e, "cp-9q2w4e6r8t", failed);
  return e.text();
}

}  // namespace cpshare::testing
