#include "service/platform_metrics.hpp"

#include <map>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/meta.hpp"
#include "api/metrics.hpp"
#include "catalog/cluster.hpp"
#include "domain/lease.hpp"
#include "service/prometheus.hpp"

namespace cpshare {

namespace {

using prometheus::Exposition;
using prometheus::Type;

void add_requests(Exposition& out, const RequestCounters& requests) {
  out.family("cpshare_http_requests_total", Type::Counter,
             "HTTP requests answered, by method, route template and status code");
  for (const auto& r : requests.snapshot())
    out.sample("cpshare_http_requests_total",
               {{"method", r.method}, {"route", r.route}, {"code", std::to_string(r.status)}},
               static_cast<double>(r.count));
  out.family("cpshare_agent_reports_total", Type::Counter, "Metrics batches accepted from B-class clusters' agents");
  out.sample("cpshare_agent_reports_total", {},
             static_cast<double>(requests.succeeded(api::method_name(api::endpoint::PostMetrics::method),
                                                    api::endpoint::PostMetrics::path)));
}

Result<> add_leases(Exposition& out, PlatformStore& store) {
  TRY_ASSIGN(auto rows, store.leases_by_state());
  std::map<std::string, std::int64_t, std::less<>> by_state;
  for (const auto& r : rows) by_state[r.state] = r.count;
  out.family("cpshare_leases", Type::Gauge, "Leases by state");
  for (LeaseState s : enum_values<LeaseState>()) {
    auto it = by_state.find(enum_name(s));
    out.sample("cpshare_leases", {{"state", std::string(enum_name(s))}},
               static_cast<double>(it == by_state.end() ? 0 : it->second));
  }
  return {};
}

Result<> add_units(Exposition& out, PlatformStore& store) {
  TRY_ASSIGN(auto rows, store.units_by_status());
  std::map<std::pair<char, std::string>, std::int64_t, std::less<>> by;
  for (const auto& r : rows) by[{r.cluster_class, r.status}] = r.count;
  out.family("cpshare_units", Type::Gauge, "Units of listed clusters by cluster class and status");
  for (char cls : {'A', 'B'})
    for (UnitStatus s : enum_values<UnitStatus>()) {
      auto it = by.find(std::pair<char, std::string>(cls, enum_name(s)));
      out.sample("cpshare_units", {{"class", std::string(1, cls)}, {"status", std::string(enum_name(s))}},
                 static_cast<double>(it == by.end() ? 0 : it->second));
    }
  return {};
}

Result<> add_clusters(Exposition& out, PlatformStore& store) {
  TRY_ASSIGN(auto latest, store.latest_samples());
  out.family("cpshare_cluster_last_report_timestamp_seconds", Type::Gauge,
             "When the cluster's agent last reported (Unix seconds)");
  prometheus::declare_host_families(out);
  for (const auto& l : latest) {
    out.sample("cpshare_cluster_last_report_timestamp_seconds", {{"cluster", l.cpc_id}}, static_cast<double>(l.at));
    auto s = api::decode<api::HostSample>(nlohmann::json::parse(l.sample, nullptr, false));
    if (!s)
      return fail(ErrorCode::Internal, fmt::format("the newest sample of cluster {} (at {}) does not read back: {}",
                                                   l.cpc_id, l.at, s.error().message));
    prometheus::add_host_sample(out, l.cpc_id, *s);
  }
  return {};
}

}  // namespace

Result<std::string> PlatformMetrics::exposition() {
  Exposition out;
  out.family("cpshare_build_info", Type::Gauge, "The daemon's version (always 1)");
  out.sample("cpshare_build_info", {{"version", CPSHARE_VERSION}}, 1);
  add_requests(out, requests_);
  TRY_CTX(add_leases(out, store_.platform()), "leases by state");
  TRY_CTX(add_units(out, store_.platform()), "units by status");
  TRY_CTX(add_clusters(out, store_.platform()), "clusters' newest readings");
  return out.text();
}

void PlatformMetrics::bind(EndpointTable& t) {
  t.bind<api::endpoint::PrometheusMetrics>([this](const Caller&, const api::NoRequest&, const RequestContext&,
                                                  const api::PathParams&) -> Result<api::RawBody> {
    TRY_ASSIGN(std::string text, exposition());
    return api::RawBody{std::move(text), kContentType, ""};
  });
}

}  // namespace cpshare
