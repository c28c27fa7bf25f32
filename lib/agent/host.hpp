// The agent's host readings (issue 11, Build point 1; R-MON-1, R-MON-2):
// CPU by mode (/proc/stat deltas), load (/proc/loadavg), memory
// (/proc/meminfo), watched filesystems (statvfs), interface counters and
// rates (/proc/net/dev), board sensors (/sys/class/hwmon), and the path to
// the platform (timed TCP connects). Units as api::HostSample. A file that
// cannot be read or parsed leaves its reading absent, never 0.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/gpu.hpp"
#include "api/metrics.hpp"

namespace cpshare::agent {

// Where the kernel's files are: tests point these at a fixture tree.
struct HostPaths {
  std::string proc = "/proc";
  std::string sys = "/sys";
};

// /proc/stat's aggregate "cpu" line: jiffies by mode, and the cpuN count.
struct CpuTimes {
  std::vector<std::uint64_t> modes;  // user nice system idle iowait irq softirq steal
  std::int64_t cpus = 0;
};
std::optional<CpuTimes> parse_proc_stat(const std::string& text);
// Ratios of each mode between two readings (absent when no time passed or a
// counter went backwards).
api::CpuReading cpu_between(const CpuTimes& before, const CpuTimes& after);
// "12.50 11.00 10.25 3/1024 4242" → load1, load5, load15 into `cpu`.
void parse_loadavg(const std::string& text, api::CpuReading& cpu);
// MemTotal and MemAvailable (kB) → bytes; nullopt when either is missing.
std::optional<api::MemoryReading> parse_meminfo(const std::string& text);
// Interface → (receive bytes, transmit bytes) since boot; "lo" is left out.
std::map<std::string, std::pair<std::int64_t, std::int64_t>> parse_net_dev(const std::string& text);
// Every hwmon chip's temp*_input (m°C) and in*_input (mV) under sys/class/hwmon.
std::vector<api::SensorReading> read_hwmon(const std::string& sys);

// Timed TCP connects to host:port: `probes` tries, each given `timeout`.
api::NetworkProbe probe_tcp(const std::string& host, int port, int probes, std::chrono::milliseconds timeout);

struct CollectorOptions {
  HostPaths paths;
  std::vector<std::string> mounts;  // --mount
  std::string probe_host;           // the daemon's host and port; empty: no probe
  int probe_port = 0;
  int probes = 3;
  std::chrono::milliseconds probe_timeout{1000};
};

// One HostSample per call; keeps the previous counters for the deltas (the
// first sample has no CPU ratios and no rates).
class Collector {
 public:
  Collector(CollectorOptions options, GpuSource& gpus) : options_(std::move(options)), gpus_(gpus) {}
  api::HostSample sample(std::int64_t now);

 private:
  CollectorOptions options_;
  GpuSource& gpus_;
  std::optional<CpuTimes> last_cpu_;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> last_net_;
  std::optional<std::chrono::steady_clock::time_point> last_net_at_;
};

}  // namespace cpshare::agent
