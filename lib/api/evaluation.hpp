// The evaluation of a B-class lease's service (issue 11; R-LEASE-8): what
// the platform gives both sides when the lease ends, computed from the
// cluster's monitoring log (service/evaluation.hpp). A-class leases get none.
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
  Time first_lost;           // the first report that had it lost
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
  std::int64_t minutes = 0;           // minutes in the window (a started minute counts)
  std::int64_t minutes_reported = 0;  // of them, minutes with at least one report
  double availability = 0;            // minutes_reported / minutes (0 when minutes = 0)
  std::vector<LostGpu> gpus_lost;
  // Over every report of the window and every GPU of the lease that gave a
  // utilisation (absent readings, e.g. under MIG, do not count): null when none did.
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

}  // namespace cpshare::api
