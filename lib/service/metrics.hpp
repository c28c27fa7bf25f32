// Irmds ingest and storage (issue 11, Build points 1 and 4; R-API-IRMDS,
// R-MON-1, R-MON-2; docs/design/monitoring.md "Decisions"). A B-class
// cluster's agent posts MetricsBatch (api/metrics.hpp); the service checks
// every sample, stores the batch in one transaction (raw rows, the touched
// minutes' rollups recomputed, units bound to GPU UUIDs at the first report
// naming GPUs) and prunes by age on the scheduler's tick.
//
// Errors: a cluster that is not there: NOT_FOUND; A-class: VALIDATION_FAILED
// on "cpc_id" (the specification monitors B-class only); a bad sample:
// VALIDATION_FAILED naming its path ("samples[3].gpus[0].utilization_ratio")
// and nothing of the batch written.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/metrics.hpp"
#include "catalog/health.hpp"
#include "crypto/crypto.hpp"
#include "service/caller.hpp"
#include "service/endpoint_table.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"

namespace cpshare {

struct MetricsConfig {
  int raw_days = 7;                     // cpshared --metrics-raw-days: raw samples kept this long
  int rollup_days = 90;                 // cpshared --metrics-rollup-days: minute rollups kept this long
  std::int64_t agent_timeout = 60;      // cpshared --agent-timeout: seconds without a report before offline
  std::int64_t reliability_every = 60;  // cpshared --reliability-every: seconds between reliability scorings
};

namespace metrics {

inline constexpr std::size_t kMaxBatch = 1000;
inline constexpr std::int64_t kMaxFutureSeconds = 300;  // a sample's time at most 5 min ahead of the daemon's

// min/mean/max of one reading over a minute and how many samples had it (n);
// all absent and n = 0 when none did.
struct Stat {
  std::optional<double> min, mean, max;
  std::int64_t n = 0;
};
// Readings by name: "cpu.user", "memory.available_bytes",
// "gpus.<uuid>.temperature_celsius", "interfaces.<name>.receive_bytes_per_second",
// "network.latency_seconds", "mounts.<path>.used_bytes". A reading no sample
// of the minute had is left out (absent, never 0).
using Rollup = std::map<std::string, Stat>;

// The batch read from a request body: VALIDATION_FAILED with the path of the
// first member that does not fit, then every sample's rule (validate).
Result<api::MetricsBatch> parse_batch(const nlohmann::json& body, std::int64_t now, int raw_days);
// The rules of a decoded batch (field errors name their paths).
Result<> validate(const api::MetricsBatch& batch, std::int64_t now, int raw_days);
// What the newest of the samples says of the GPUs (catalog/health.hpp): the
// UUIDs seen and those the driver reports lost; nullopt when its GPU source
// failed or none is configured (it says nothing of single GPUs).
std::optional<health::GpuReport> gpu_report(const api::HostSample& s);
// The rollup of the samples (of one minute).
Rollup rollup(const std::vector<api::HostSample>& samples);
// A minute's stored rollup readings (rollup_json's form; a reading without
// "n", stored before migration 11, counts `stored_samples`) with `more`
// samples of the minute added: the same as rolling up all of them, up to
// rounding of the means. Ingest adds each new sample to its minute this way
// instead of re-reading the minute's samples.
Rollup merge_rollup(const nlohmann::json& stored, std::int64_t stored_samples,
                    const std::vector<const api::HostSample*>& more);
// Stored rollups (readings, samples) merged into one: an hour from its minutes.
Rollup merge_rollups(const std::vector<std::pair<nlohmann::json, std::int64_t>>& stored);
// {"<reading>": {"min": x, "mean": x, "max": x, "n": k}, ...}, each value to
// kStoredDigits significant digits (a mean of ratios is 0.495, not
// 0.49500000000000005: a third of the text to store, send and parse, and
// more precision than any sensor gives).
nlohmann::json rollup_json(const Rollup& r);
inline constexpr int kStoredDigits = 9;
// v to kStoredDigits significant digits but never coarser than a whole unit
// (40179588699.6 bytes → 40179588700); 0, infinities and NaN as they are.
double significant(double v);
// Whether a GPU is lost in the sample (掉卡): reported lost, or one of the
// cluster's bound GPUs (`bound` UUIDs) missing while the GPU source worked.
bool gpu_lost(const api::HostSample& s, const std::set<std::string>& bound);

}  // namespace metrics

// The cluster whose agent token this is (its keyed hash in cluster_secrets): not one (a
// session token, an unknown or revoked token): UNAUTHENTICATED. Shared by every Auth::Agent
// endpoint (Irmds here, the lease lifecycle in LeaseService).
Result<std::int64_t> agent_token_cluster(Store& store, const crypto::KeyRing& keys, const std::string& token);

class MetricsService {
 public:
  MetricsService(Store& store, const crypto::KeyRing& keys, const Clock& clock, MetricsConfig config = {})
      : store_(store), keys_(keys), clock_(clock), config_(config) {}

  // POST /api/v1/clusters/{cpc_id}/metrics and GET (api/metrics.hpp).
  void bind(EndpointTable& t);

  // The cluster whose agent token this is: not one (a session token, an
  // unknown or revoked token): UNAUTHENTICATED.
  Result<std::int64_t> agent_cluster(const std::string& token);
  // The batch of the agent of cluster `agent_cluster_id` (the agent token's
  // cluster) for cpc_id: that token's own cluster only (else FORBIDDEN).
  Result<api::MetricsAccepted> ingest(std::int64_t agent_cluster_id, const std::string& cpc_id,
                                      const api::MetricsBatch& batch);
  // Rights (R-SEC-1): an admin any cluster; its owner; a user only a cluster
  // they hold or held a lease on (active or ended), and only within their
  // leases' windows (samples and minutes outside them are left out); anyone
  // else FORBIDDEN. Unknown cluster: NOT_FOUND. At most kMaxRead rows.
  Result<api::MetricsView> read(const Caller& caller, const std::string& cpc_id, const api::MetricsQuery& q);
  // Deletes raw samples older than raw_days and rollups older than rollup_days.
  Result<std::pair<std::int64_t, std::int64_t>> prune();
  // The scheduler's tick (R-LEASE-6): each online B-class cluster with no
  // report within agent_timeout goes offline, with its cluster_offline event,
  // in one transaction each; gives how many went offline. Every
  // reliability_every seconds it also scores reliability.
  Result<int> tick();
  // Each B-class cluster's reliability over the last kReliabilityDays UTC
  // days, today included (R-REL-2; RunPod's published rule, uptime minutes
  // over 30 days): up minutes (a report, no GPU lost) / minutes since the
  // later of the window's start and the cluster's first report. Written to
  // the catalogue (list, show, filter reliability>=0.95); gives how many.
  Result<std::int64_t> score_reliability();
  static constexpr int kReliabilityDays = 30;
  // Rolls up to `most` complete hours marked by ingest (their minute rollups
  // merged into metrics_hours, one transaction each); gives how many. The
  // scheduler's tick runs it with kHoursPerTick.
  Result<int> roll_hours(int most);
  static constexpr int kHoursPerTick = 500;
  // GET /api/v1/clusters/{cpc_id}/events (R-MON-3, R-REL-2): the cluster's
  // automatic transitions. Rights as read: an admin and the owner all of
  // them; a user who holds or held a lease on the cluster those within their
  // leases' windows; anyone else FORBIDDEN. Unknown cluster: NOT_FOUND;
  // A-class: VALIDATION_FAILED (not monitored).
  Result<api::ClusterEvents> events(const Caller& caller, const std::string& cpc_id, const api::ClusterEventsQuery& q);

  static constexpr int kMaxRead = 20000;
  // A span of time a caller may see of a cluster (Unix seconds).
  struct Window {
    std::int64_t from = 0, to = 0;  // [from, to)
  };

 private:
  Result<> bind_gpus(std::int64_t cluster_id, const std::vector<api::HostSample>& samples);
  Result<> read_rollups(std::int64_t cluster_id, const std::vector<Window>& windows, api::MetricsView& out);
  // Adds the batch's new samples (`fresh`, parallel to samples) to their
  // minutes' rollups, and counts new minutes and GPU-lost minutes per day.
  Result<> write_rollups(std::int64_t cluster_id, const std::vector<api::HostSample>& samples,
                         const std::vector<bool>& fresh);
  // Inside the ingest's transaction: the cluster online, its units' GPUs as
  // the newest sample says (when newer than any stored before), the events.
  Result<> apply_report(const catalog::Cluster& cluster, const std::vector<api::HostSample>& samples,
                        std::optional<std::int64_t> newest_stored);
  // The windows of the cluster a caller may see (R-SEC-1): all time for an
  // admin or the owner, else each of the caller's leases on it from its start
  // to its end (open while active; none: FORBIDDEN). A lease that ended as it
  // started has an empty window: it holds nothing.
  Result<std::vector<Window>> windows_for(const Caller& caller, const catalog::Cluster& cluster,
                                          const std::string& what);

  Store& store_;
  const crypto::KeyRing& keys_;
  const Clock& clock_;
  MetricsConfig config_;
  std::int64_t scored_at_ = 0;  // when tick() last scored reliability (scheduler thread only)
};

}  // namespace cpshare
