// How a B-class lease's service is evaluated from the monitoring log alone
// (issue 11; R-LEASE-8, R-MON-1).
// Pure: no store, no clock. docs/design/monitoring.md ("Evaluation") says
// where the inputs come from; LeaseService::make_reports feeds evaluate_lease.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/evaluation.hpp"
#include "catalog/health.hpp"

namespace cpshare::evaluation {

// A unit of the lease and the GPU bound to it (by UUID: indices change). A
// unit never bound to a GPU (its cluster never reported GPUs) is not passed.
struct LeasedGpu {
  std::int64_t unit = 0;
  std::string uuid;
};

// One row of the cluster's minute rollups (MetricsStore::rollups), parsed.
struct MinuteRollup {
  std::int64_t minute = 0;   // the minute's first second (Unix seconds, a multiple of 60)
  std::int64_t samples = 0;  // samples in the minute: the count of a reading that has no "n"
  // {"<reading>": {"min": x, "mean": x, "max": x, "n": k}, ...}: n = how many samples
  // had the reading (rows written before migration 11 have no n: then `samples`).
  nlohmann::json readings;
};

// The service report of a B-class lease (R-LEASE-8), from what is kept as long
// as a report may be asked for: the cluster's minute rollups (90 days; raw
// samples are kept 7) and its events. Pure: no store, no clock.
//
// - from, to: the lease's window [from, to), Unix seconds: its activation to
//   its end. gpus: the leased units and their GPUs.
// - rollups: the cluster's rows overlapping the window (any order; others,
//   and a repeated minute, ignored).
// - events: the cluster's gpu_lost / gpu_returned events (others ignored) of
//   the leased units (matched by unit index), oldest first, from the window
//   and the last one of each unit before `from` (a GPU already lost at the
//   start is lost from `from`).
//
// Definitions:
// - minutes: the UTC minutes [60k, 60k + 60) overlapping [from, to) (a
//   started minute at either edge counts); minutes_reported: those of them
//   with a rollup row; availability = minutes_reported / minutes (0 when the
//   window is empty).
// - A GPU is lost from a gpu_lost event until its unit's gpu_returned, or
//   until `to`; its seconds are those intervals clipped to the window,
//   first_lost its first lost instant in the window (`from` when it was lost
//   before). A GPU never lost in the window is not listed.
// - gpu_utilization_mean = sum(mean * n) / sum(n) over the window's rows'
//   "gpus.<uuid>.utilization_ratio" readings of the leased GPUs: the mean of
//   every sample's reading. gpu_utilization_p95: the 95th percentile (nearest
//   rank) of the per-minute per-GPU means, i.e. the p95 of 1-minute means, not
//   of single samples (the rollups keep no more).
// - latency_mean_seconds, loss_mean_ratio: "network.latency_seconds" and
//   "network.loss_ratio" weighted by n the same way.
// - A reading absent from every row (a MIG GPU gives no utilisation; no
//   probe ran; no rollups at all) is null in the report, never 0.
api::ServiceReport evaluate_lease(std::int64_t from, std::int64_t to, const std::vector<LeasedGpu>& gpus,
                                  const std::vector<MinuteRollup>& rollups, const std::vector<health::Event>& events);

// A cluster's reliability (R-REL-2) is not computed here: it is scored in
// the store from per-day counts of reported and GPU-lost minutes
// (MetricsStore::score_reliability, MetricsService::score_reliability).

}  // namespace cpshare::evaluation
