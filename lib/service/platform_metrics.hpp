// `GET /metrics` (issue 11, Build point 7; R-REL-2): the platform's counters
// and each B-class cluster's newest readings in the Prometheus text format
// (service/prometheus.hpp for the format and the readings' names). Families:
//   cpshare_build_info{version}                              gauge, 1
//   cpshare_http_requests_total{method,route,code}           counter (RequestCounters)
//   cpshare_agent_reports_total                              counter: metrics batches accepted
//   cpshare_leases{state}                                    gauge, every state (0 where none)
//   cpshare_units{class,status}                              gauge, units of listed clusters
//   cpshare_cluster_last_report_timestamp_seconds{cluster}   gauge, Unix seconds
//   cpshare_gpu_*, cpshare_node_* {cluster,...}              the newest sample's readings
// A reading that is absent is left out, never 0. The newest sample is shown
// however old it is (until pruned): alert on
// time() - cpshare_cluster_last_report_timestamp_seconds for staleness.
// Counters start at 0 when the daemon starts (Prometheus handles resets).
#pragma once

#include <string>

#include "service/endpoint_table.hpp"
#include "service/request_counters.hpp"
#include "store/store.hpp"
#include "util/error.hpp"

namespace cpshare {

class PlatformMetrics {
 public:
  explicit PlatformMetrics(Store& store) : store_(store) {}

  // What HttpServer counts into.
  RequestCounters& requests() { return requests_; }

  // Binds api::endpoint::PrometheusMetrics (admins).
  void bind(EndpointTable& t);
  // The exposition text (Content-Type kContentType). A stored sample that
  // does not read back is left out and logged by the caller's error path: INTERNAL.
  Result<std::string> exposition();

  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  Store& store_;
  RequestCounters requests_;
};

}  // namespace cpshare
