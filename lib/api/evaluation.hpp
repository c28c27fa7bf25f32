// The evaluation of a B-class lease's service (issue 11; R-LEASE-8): what
// the platform gives both sides when the lease ends, computed from the
// cluster's monitoring log (service/evaluation.hpp: the definitions). A-class
// leases get none.
// Units: ratios 0–1, seconds, times RFC 3339 UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "api/wire.hpp"

namespace cpshare::api {

// A GPU of the lease that was lost (掉卡) during it: reported lost, or missing
// from a report whose GPU source worked.
struct LostGpu {
  std::int64_t unit = 0;  // the unit's index in the cluster
  std::string uuid;
  Time first_lost;           // its first lost instant within the lease (the lease's start if lost before)
  std::int64_t seconds = 0;  // how long it was lost within the lease
};
template <>
struct Wire<LostGpu> {
  static constexpr auto fields =
      std::tuple{member("unit", &LostGpu::unit), member("uuid", &LostGpu::uuid),
                 member("first_lost", &LostGpu::first_lost), member("seconds", &LostGpu::seconds)};
};

struct ServiceReport {
  Time from, to;                      // the lease's active window
  std::int64_t minutes = 0;           // UTC minutes overlapping the window (a started minute counts)
  std::int64_t minutes_reported = 0;  // of them, minutes with a rollup (at least one report)
  double availability = 0;            // minutes_reported / minutes (0 when minutes = 0)
  std::vector<LostGpu> gpus_lost;
  // The lease's GPUs' utilisation: the mean of every report's reading, and the
  // p95 of the 1-minute means (absent readings, e.g. under MIG, do not count):
  // null when none gave one.
  std::optional<double> gpu_utilization_mean, gpu_utilization_p95;
  std::optional<double> latency_mean_seconds;  // mean of the reports' probe latency
  std::optional<double> loss_mean_ratio;       // mean of the reports' probe loss
};
template <>
struct Wire<ServiceReport> {
  static constexpr auto fields = std::tuple{member("from", &ServiceReport::from),
                                            member("to", &ServiceReport::to),
                                            member("minutes", &ServiceReport::minutes),
                                            member("minutes_reported", &ServiceReport::minutes_reported),
                                            member("availability", &ServiceReport::availability),
                                            member("gpus_lost", &ServiceReport::gpus_lost),
                                            member("gpu_utilization_mean", &ServiceReport::gpu_utilization_mean),
                                            member("gpu_utilization_p95", &ServiceReport::gpu_utilization_p95),
                                            member("latency_mean_seconds", &ServiceReport::latency_mean_seconds),
                                            member("loss_mean_ratio", &ServiceReport::loss_mean_ratio)};
};

// GET /api/v1/leases/{lease_id}/report: a lease's service report, or why
// there is none (yet). status "ready": `made_at` and `report`; "pending": a
// B-class lease that is active, or ended and its report is being made (by the
// daemon's scheduler, seconds after the agent confirms the units freed);
// "none": an A-class lease (the specification evaluates B-class service only)
// or a B-class lease that never became active. `reason` says which, in words
// that follow "no report for lease L: " (so without the lease's id), null when
// ready.
struct LeaseReportView {
  std::string lease_id;
  std::string status;  // "ready" | "pending" | "none"
  std::optional<std::string> reason;
  std::optional<Time> made_at;
  std::optional<ServiceReport> report;
};
template <>
struct Wire<LeaseReportView> {
  static constexpr auto fields =
      std::tuple{member("lease_id", &LeaseReportView::lease_id), member("status", &LeaseReportView::status),
                 member("reason", &LeaseReportView::reason), member("made_at", &LeaseReportView::made_at),
                 member("report", &LeaseReportView::report)};
};

}  // namespace cpshare::api
