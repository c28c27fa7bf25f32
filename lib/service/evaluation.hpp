// How a B-class lease's service is evaluated and a cluster's reliability
// scored, from the monitoring log alone (issue 11; R-LEASE-8, R-MON-1).
// Pure: no store, no clock. docs/design/monitoring.md says where the inputs
// come from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/evaluation.hpp"
#include "api/metrics.hpp"

namespace cpshare::evaluation {

// A unit of the lease and the GPU bound to it (by UUID: indices change).
struct LeasedGpu {
  std::int64_t unit = 0;
  std::string uuid;
};

// A report stands for the time until the next one, but for no longer than
// this: past it the cluster counts as silent (the daemon's --agent-timeout
// default).
inline constexpr std::int64_t kMaxReportSpanSeconds = 60;

// The service report of a lease active over [from, to) (unix seconds, from <
// to) on `gpus`, from the cluster's samples (any order; those outside the
// window are ignored).
// - minutes: ceil((to - from) / 60); minutes_reported: those minutes
//   [from + 60k, from + 60(k+1)) holding at least one sample.
// - A GPU is lost in a sample when it is reported with lost = true, or when
//   its UUID is missing from a sample whose GPU source worked (no gpu_error);
//   a sample with a source error says nothing about single GPUs. A lost
//   GPU's seconds are the spans (above) of the samples that had it lost,
//   clipped to the window.
// - Utilisation mean and p95 (nearest rank) over every (sample, leased GPU)
//   pair with a utilisation reading; latency and loss the means of the
//   samples' probe readings that are present.
api::ServiceReport evaluate_lease(std::int64_t from, std::int64_t to, const std::vector<LeasedGpu>& gpus,
                                  std::vector<api::HostSample> samples);

// One minute of a cluster's monitoring log, as its 1-minute rollup knows it.
struct MinuteState {
  std::int64_t minute = 0;  // unix seconds / 60
  bool reported = false;    // at least one report in the minute
  bool gpu_lost = false;    // some GPU of the cluster was lost in the minute
};

// A cluster's reliability over the `days` before `now` (RunPod's published
// rule: uptime minutes over the window): a minute is up when the agent
// reported in it and no GPU was lost; reliability = up minutes / minutes of
// the window since the cluster's first report (a cluster two days old is not
// scored over thirty). nullopt when it has never reported (first_report 0) or
// the window is empty. `minutes` may be sparse: a minute that is not listed
// had no report; minutes outside the window are ignored.
std::optional<double> reliability(std::int64_t now, int days, std::int64_t first_report,
                                  const std::vector<MinuteState>& minutes);

}  // namespace cpshare::evaluation
