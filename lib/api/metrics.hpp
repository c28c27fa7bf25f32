// Irmds: what a B-class cluster's agent reports (issue 11; R-API-IRMDS,
// R-MON-1, R-MON-2; docs/design/monitoring.md). One HostSample is one reading
// of one host at one instant; the agent sends them in a MetricsBatch.
//
// One set of units on the wire (R-API-STD): ratios 0–1, bytes, bytes per
// second, degrees Celsius, watts, volts, seconds; times RFC 3339 UTC. A
// reading the hardware does not give is absent (null), never 0. A GPU is
// named by its UUID (indices change across boots); one the driver reports
// lost (NVML_ERROR_GPU_IS_LOST, "[GPU is lost]", "[GPU requires reset]") has
// lost = true and no readings. A failure of the whole GPU source (no driver,
// library mismatch, nvidia-smi failed or hung) is gpu_error, never "no GPUs".
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "api/endpoint.hpp"
#include "api/wire.hpp"
#include "catalog/cluster.hpp"

namespace cpshare::api {

// CPU time by mode over the interval, each a ratio of all CPUs' time (the
// /proc/stat deltas; they add up to 1); load averages as /proc/loadavg.
struct CpuReading {
  std::int64_t cpus = 0;  // logical CPUs counted in /proc/stat
  std::optional<double> user, nice, system, idle, iowait, irq, softirq, steal;
  std::optional<double> load1, load5, load15;
};
// The readings of a CpuReading by name, for code that treats them alike
// (checks, rollups, exposition, parsing): the eight modes of /proc/stat in its
// order (ratios 0-1), then the load averages. Cpu is CpuReading or const CpuReading.
template <class Cpu>
constexpr auto cpu_modes(Cpu& c) {
  return std::array{std::pair{"user", &c.user},       std::pair{"nice", &c.nice},     std::pair{"system", &c.system},
                    std::pair{"idle", &c.idle},       std::pair{"iowait", &c.iowait}, std::pair{"irq", &c.irq},
                    std::pair{"softirq", &c.softirq}, std::pair{"steal", &c.steal}};
}
template <class Cpu>
constexpr auto cpu_loads(Cpu& c) {
  return std::array{std::pair{"load1", &c.load1}, std::pair{"load5", &c.load5}, std::pair{"load15", &c.load15}};
}
template <>
struct Wire<CpuReading> {
  static constexpr auto fields =
      std::tuple{member("cpus", &CpuReading::cpus),   member("user", &CpuReading::user),
                 member("nice", &CpuReading::nice),   member("system", &CpuReading::system),
                 member("idle", &CpuReading::idle),   member("iowait", &CpuReading::iowait),
                 member("irq", &CpuReading::irq),     member("softirq", &CpuReading::softirq),
                 member("steal", &CpuReading::steal), member("load1", &CpuReading::load1),
                 member("load5", &CpuReading::load5), member("load15", &CpuReading::load15)};
};

// Host memory from /proc/meminfo (MemTotal, MemAvailable), bytes.
struct MemoryReading {
  std::int64_t total_bytes = 0;
  std::int64_t available_bytes = 0;
};
template <>
struct Wire<MemoryReading> {
  static constexpr auto fields = std::tuple{member("total_bytes", &MemoryReading::total_bytes),
                                            member("available_bytes", &MemoryReading::available_bytes)};
};

// A filesystem the agent was asked to watch (--mount), statvfs: bytes.
struct MountReading {
  std::string path;
  std::int64_t used_bytes = 0;
  std::int64_t total_bytes = 0;
};
template <>
struct Wire<MountReading> {
  static constexpr auto fields =
      std::tuple{member("path", &MountReading::path), member("used_bytes", &MountReading::used_bytes),
                 member("total_bytes", &MountReading::total_bytes)};
};

// A network interface from /proc/net/dev: the counters as read (bytes since
// boot, for Prometheus' *_total) and the rates over the interval (bytes/s;
// absent in the first sample, which has no previous reading).
struct InterfaceReading {
  std::string name;  // "eth0"
  std::int64_t receive_bytes_total = 0, transmit_bytes_total = 0;
  std::optional<double> receive_bytes_per_second, transmit_bytes_per_second;
};
template <>
struct Wire<InterfaceReading> {
  static constexpr auto fields = std::tuple{
      member("name", &InterfaceReading::name), member("receive_bytes_total", &InterfaceReading::receive_bytes_total),
      member("transmit_bytes_total", &InterfaceReading::transmit_bytes_total),
      member("receive_bytes_per_second", &InterfaceReading::receive_bytes_per_second),
      member("transmit_bytes_per_second", &InterfaceReading::transmit_bytes_per_second)};
};

// A board sensor from /sys/class/hwmon: temp*_input (m°C → °C) and in*_input
// (mV → V), named by the chip's `name` and the sensor's `*_label` (or its file
// stem, "temp1", when it has no label).
struct SensorReading {
  std::string chip;   // "coretemp", "nct6775"
  std::string label;  // "Package id 0", "in0"
  std::string kind;   // "temperature" (value in °C) | "voltage" (value in V)
  double value = 0;
};
template <>
struct Wire<SensorReading> {
  static constexpr auto fields =
      std::tuple{member("chip", &SensorReading::chip), member("label", &SensorReading::label),
                 member("kind", &SensorReading::kind), member("value", &SensorReading::value)};
};

// One GPU. Every reading is optional: absent when the driver does not give it
// ("[N/A]", "[Not Supported]", NVML_ERROR_NOT_SUPPORTED, utilisation under MIG).
struct GpuReading {
  std::string uuid;                                // "GPU-1a2b…"; the GPU's identity
  std::optional<std::int64_t> index;               // the driver's index at this reading (it can change)
  std::optional<std::string> name;                 // "NVIDIA H200"
  bool lost = false;                               // 掉卡: reported lost or needing a reset; no readings then
  std::optional<double> utilization_ratio;         // 0–1
  std::optional<double> memory_utilization_ratio;  // 0–1, memory controller busy
  std::optional<std::int64_t> memory_used_bytes, memory_total_bytes;
  std::optional<double> temperature_celsius;
  std::optional<double> power_watts, power_limit_watts;
  std::optional<double> voltage_volts;  // graphics voltage, where the driver reports it
};
template <>
struct Wire<GpuReading> {
  static constexpr auto fields = std::tuple{member("uuid", &GpuReading::uuid),
                                            member("index", &GpuReading::index),
                                            member("name", &GpuReading::name),
                                            member("lost", &GpuReading::lost),
                                            member("utilization_ratio", &GpuReading::utilization_ratio),
                                            member("memory_utilization_ratio", &GpuReading::memory_utilization_ratio),
                                            member("memory_used_bytes", &GpuReading::memory_used_bytes),
                                            member("memory_total_bytes", &GpuReading::memory_total_bytes),
                                            member("temperature_celsius", &GpuReading::temperature_celsius),
                                            member("power_watts", &GpuReading::power_watts),
                                            member("power_limit_watts", &GpuReading::power_limit_watts),
                                            member("voltage_volts", &GpuReading::voltage_volts)};
};

// A failure of the whole GPU source: no reading of any GPU this time.
struct GpuSourceError {
  std::string code;     // "driver_not_loaded", "no_devices", "library_not_found", "version_mismatch",
                        // "timeout", "failed"
  std::string message;  // what the driver or nvidia-smi said
};
template <>
struct Wire<GpuSourceError> {
  static constexpr auto fields =
      std::tuple{member("code", &GpuSourceError::code), member("message", &GpuSourceError::message)};
};

// The path to the platform: probes over the interval, without privileges
// (timed TCP connects to the daemon's address). latency absent when no probe
// succeeded; loss = failed or timed-out probes / probes.
struct NetworkProbe {
  std::int64_t probes = 0;
  std::optional<double> latency_seconds;  // mean round trip of the probes that succeeded
  std::optional<double> loss_ratio;       // absent when probes = 0
};
template <>
struct Wire<NetworkProbe> {
  static constexpr auto fields =
      std::tuple{member("probes", &NetworkProbe::probes), member("latency_seconds", &NetworkProbe::latency_seconds),
                 member("loss_ratio", &NetworkProbe::loss_ratio)};
};

struct HostSample {
  Time at;                        // when it was read (the agent's clock, UTC)
  std::optional<CpuReading> cpu;  // null when /proc/stat could not be read
  std::optional<MemoryReading> memory;
  std::vector<MountReading> mounts;
  std::vector<InterfaceReading> interfaces;
  std::vector<SensorReading> sensors;
  std::string gpu_source;  // "nvml" | "nvidia-smi" | "none" (no GPU source configured)
  std::optional<GpuSourceError> gpu_error;
  std::vector<GpuReading> gpus;
  std::optional<NetworkProbe> network;
};
template <>
struct Wire<HostSample> {
  static constexpr auto fields = std::tuple{member("at", &HostSample::at),
                                            member("cpu", &HostSample::cpu),
                                            member("memory", &HostSample::memory),
                                            member("mounts", &HostSample::mounts),
                                            member("interfaces", &HostSample::interfaces),
                                            member("sensors", &HostSample::sensors),
                                            member("gpu_source", &HostSample::gpu_source),
                                            member("gpu_error", &HostSample::gpu_error),
                                            member("gpus", &HostSample::gpus),
                                            member("network", &HostSample::network)};
};

// POST /api/v1/clusters/{cpc_id}/metrics (agent token): 1..1000 samples and
// how many the agent's buffer dropped since its last accepted batch (≥ 0).
// from_body reads the shape (a member missing or of the wrong type:
// VALIDATION_FAILED naming its path); the rules of the values (ranges, times)
// are the service's (service/metrics.hpp), which knows the clock.
struct MetricsBatch {
  std::vector<HostSample> samples;
  std::int64_t dropped = 0;
  static Result<MetricsBatch> from_body(const json& body);
};
template <>
struct Wire<MetricsBatch> {
  static constexpr auto fields =
      std::tuple{member("samples", &MetricsBatch::samples), member("dropped", &MetricsBatch::dropped)};
};

// The answer: samples accepted (re-sent ones, already stored, count as
// accepted) and the cluster's status ("listed" | "delisted").
struct MetricsAccepted {
  std::int64_t accepted = 0;
  std::string cluster_status;
};
template <>
struct Wire<MetricsAccepted> {
  static constexpr auto fields = std::tuple{member("accepted", &MetricsAccepted::accepted),
                                            member("cluster_status", &MetricsAccepted::cluster_status)};
};

// GET /api/v1/clusters/{cpc_id}/metrics?since=RFC3339|minutes=N&resolution=raw|minute|hour:
// the window from since (at most 30 days ago, not after now) or the last N
// minutes (1..43200; default 60) up to now plus the 5 minutes a sample's time
// may run ahead of the daemon's (an agent whose clock is fast is still shown);
// raw samples, 1-minute rollups, or (hour) the window's complete hours that
// have been rolled up with minute rollups for the rest (default raw).
struct MetricsQuery {
  std::optional<Time> since;
  std::optional<std::int64_t> minutes;
  std::optional<std::string> resolution;
  static constexpr std::int64_t kMaxMinutes = 43200;  // 30 days: the longest span a read covers
  static Result<MetricsQuery> from_query(const Query& q);
};
template <>
struct Wire<MetricsQuery> {
  static constexpr auto fields = std::tuple{member("since", &MetricsQuery::since, Presence::Omittable),
                                            member("minutes", &MetricsQuery::minutes, Presence::Omittable),
                                            member("resolution", &MetricsQuery::resolution, Presence::Omittable)};
};

// A unit and the GPU it is bound to (by UUID; null until the first report naming GPUs).
struct UnitGpuView {
  std::int64_t index = 0;
  std::optional<std::string> gpu_uuid;
};
template <>
struct Wire<UnitGpuView> {
  static constexpr auto fields =
      std::tuple{member("index", &UnitGpuView::index), member("gpu_uuid", &UnitGpuView::gpu_uuid)};
};

// A bucket of rollups as one row: a minute (seconds 60); with
// resolution=hour, a complete hour that has been rolled up (seconds 3600), or
// the minutes of another hour merged (seconds: from its first minute to the
// end of its last). `minute` is the bucket's first second; samples how many;
// minutes those of it with a report (1 for a minute); per reading
// ("gpus.<uuid>.utilization_ratio", "cpu.user", ...) {min, mean, max, n}; a
// reading no sample of it had is left out. Not on the wire (RollupSeries is):
// the CLI's and the tests' form, to_rows/to_series convert.
struct ReadingStat {
  std::optional<double> min, mean, max;  // null: no sample had a number for it
  std::int64_t n = 0;                    // samples that had the reading
  bool operator==(const ReadingStat&) const = default;
};
struct RollupView {
  Time minute;
  std::int64_t samples = 0;
  std::map<std::string, ReadingStat> readings;  // by key, sorted
  std::int64_t seconds = 60;
  std::int64_t minutes = 1;
};

// One reading across the buckets of a RollupSeries: element i is bucket i's
// min, mean and max (null where no sample of the bucket had it; n is then 0)
// and n, the samples that had it.
struct ReadingSeries {
  std::string key;  // "gpus.<uuid>.utilization_ratio", "cpu.user", ...
  std::vector<std::optional<double>> min, mean, max;
  std::vector<std::int64_t> n;
};
template <>
struct Wire<ReadingSeries> {
  static constexpr auto fields = std::tuple{member("key", &ReadingSeries::key), member("min", &ReadingSeries::min),
                                            member("mean", &ReadingSeries::mean), member("max", &ReadingSeries::max),
                                            member("n", &ReadingSeries::n)};
};

// Rollups on the wire, by column (as time-series APIs answer): bucket i
// starts at start[i] and lasts seconds[i], holds samples[i] host samples from
// minutes[i] minutes with a report; readings sorted by key, each with one
// element per bucket. A week of hour rollups is some 170 buckets; by column
// its answer is a third of the size by row and far cheaper to make and read.
struct RollupSeries {
  std::vector<Time> start;
  std::vector<std::int64_t> seconds, samples, minutes;
  std::vector<ReadingSeries> readings;
  std::size_t size() const { return start.size(); }
  bool empty() const { return start.empty(); }
};
template <>
struct Wire<RollupSeries> {
  static constexpr auto fields =
      std::tuple{member("start", &RollupSeries::start), member("seconds", &RollupSeries::seconds),
                 member("samples", &RollupSeries::samples), member("minutes", &RollupSeries::minutes),
                 member("readings", &RollupSeries::readings)};
};

// Rows → columns (readings sorted by key; a stat that is not a number is
// null) and back (a reading with n 0 left out of its row).
RollupSeries to_series(const std::vector<RollupView>& rows);
std::vector<RollupView> to_rows(const RollupSeries& series);

// The answer: the window, the cluster's last report (null: none), the units'
// binding, and the samples (resolution raw) or rollups (minute, hour; by
// column), oldest first; the other empty.
struct MetricsView {
  std::string cpc_id;
  std::string resolution;  // "raw" | "minute" | "hour"
  Time from, to;
  std::optional<Time> last_report;
  // The cluster's health now (online | offline; automatic status, R-LEASE-6).
  catalog::ClusterHealth health = catalog::ClusterHealth::Offline;
  std::vector<UnitGpuView> units;
  std::vector<HostSample> samples;
  RollupSeries rollups;
};
template <>
struct Wire<MetricsView> {
  static constexpr auto fields = std::tuple{member("cpc_id", &MetricsView::cpc_id),
                                            member("resolution", &MetricsView::resolution),
                                            member("from", &MetricsView::from),
                                            member("to", &MetricsView::to),
                                            member("last_report", &MetricsView::last_report),
                                            member("health", &MetricsView::health),
                                            member("units", &MetricsView::units),
                                            member("samples", &MetricsView::samples),
                                            member("rollups", &MetricsView::rollups)};
};

// GET /api/v1/clusters/{cpc_id}/events?since=RFC3339&limit=N: the events
// at or after since (default: the last 24 hours), oldest first, at most limit
// (1..1000, default 100).
struct ClusterEventsQuery {
  std::optional<Time> since;
  std::optional<std::int64_t> limit;
  static constexpr std::int64_t kMaxLimit = 1000;
  static constexpr std::int64_t kDefaultLimit = 100;
  static Result<ClusterEventsQuery> from_query(const Query& q);
};
template <>
struct Wire<ClusterEventsQuery> {
  static constexpr auto fields = std::tuple{member("since", &ClusterEventsQuery::since, Presence::Omittable),
                                            member("limit", &ClusterEventsQuery::limit, Presence::Omittable)};
};

// One automatic transition of a B-class cluster or one of its units (R-MON-3,
// R-REL-2): cluster_online, cluster_offline, gpu_lost, gpu_returned; the unit
// and GPU UUID of a GPU's event (null for the cluster's own); the daemon's
// time; a line for people.
struct ClusterEventView {
  Time at;
  ClusterEventKind kind = ClusterEventKind::ClusterOnline;
  std::optional<std::int64_t> unit;
  std::optional<std::string> gpu_uuid;
  std::string detail;
};
template <>
struct Wire<ClusterEventView> {
  static constexpr auto fields =
      std::tuple{member("at", &ClusterEventView::at), member("kind", &ClusterEventView::kind),
                 member("unit", &ClusterEventView::unit), member("gpu_uuid", &ClusterEventView::gpu_uuid),
                 member("detail", &ClusterEventView::detail)};
};

// The answer: the cluster, the window [since, now], its events oldest first.
struct ClusterEvents {
  std::string cpc_id;
  Time since;
  std::vector<ClusterEventView> items;
};
template <>
struct Wire<ClusterEvents> {
  static constexpr auto fields =
      std::tuple{member("cpc_id", &ClusterEvents::cpc_id), member("since", &ClusterEvents::since),
                 member("items", &ClusterEvents::items)};
};

namespace endpoint {

struct PostMetrics {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/clusters/{cpc_id}/metrics";
  static constexpr Auth auth = Auth::Agent;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "A B-class cluster's agent reports host samples";
  static constexpr bool bulk = true;  // read, checked and stored on the daemon's bulk lane
  using Request = MetricsBatch;
  using Response = MetricsAccepted;
};

struct GetMetrics {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/clusters/{cpc_id}/metrics";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "A B-class cluster's host samples or rollups";
  using Request = MetricsQuery;
  using Response = MetricsView;
};

struct GetClusterEvents {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/clusters/{cpc_id}/events";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "A B-class cluster's status events";
  using Request = ClusterEventsQuery;
  using Response = ClusterEvents;
};

}  // namespace endpoint

using MetricsEndpoints = std::tuple<endpoint::PostMetrics, endpoint::GetMetrics, endpoint::GetClusterEvents>;

}  // namespace cpshare::api
