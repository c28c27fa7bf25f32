// The service report of a B-class lease (issue 11, Build point 6; R-LEASE-8;
// docs/design/monitoring.md "Evaluation"): made once by the daemon's scheduler
// after the lease ends, from the cluster's minute rollups and GPU events
// (evaluation::evaluate_lease), stored in lease_reports, and read by both
// sides. Rules: service/leases.hpp (report, make_reports).
#include <fmt/format.h>

#include "service/evaluation.hpp"
#include "service/leases.hpp"

namespace cpshare {

namespace {

// Rollups read per query while a report gathers its window (a 30-day lease has 43,200).
constexpr int kRollupPage = 10'000;
// GPU events a report reads at most (each is a GPU's loss or return: far fewer in practice).
constexpr int kMaxEvents = 100'000;

api::LeaseReportView not_ready(const Lease& l, const char* status, std::string reason) {
  return api::LeaseReportView{l.lease_id, status, std::move(reason), std::nullopt, std::nullopt};
}

}  // namespace

Result<api::LeaseReportView> LeaseService::report(const Caller& caller, const std::string& lease_id) {
  TRY_ASSIGN(Lease l, find(lease_id));
  if (l.user_id != caller.account.id && l.supplier_id != caller.account.id && !caller.is_admin())
    return fail(ErrorCode::NotFound, fmt::format("lease {} not found; cpshare leases lists yours", lease_id));
  if (l.cluster_class != 'B')
    return not_ready(l, "none", "the lease is A-class; the specification evaluates B-class service only (R-LEASE-8)");
  TRY_ASSIGN(auto stored, store_.reports().get(l.id));
  if (stored) {
    auto report = api::decode<api::ServiceReport>(nlohmann::json::parse(stored->report, nullptr, false));
    if (!report)
      return fail(ErrorCode::Internal, fmt::format("the stored report of lease {} does not read back: {}", l.lease_id,
                                                   report.error().message));
    return api::LeaseReportView{l.lease_id, "ready", std::nullopt, api::Time{stored->made_at}, std::move(*report)};
  }
  switch (l.state) {
    case LeaseState::Active: return not_ready(l, "pending", "the lease is active; its report is made when it ends");
    case LeaseState::Requested:
    case LeaseState::Approved:
    case LeaseState::Provisioning:
      return not_ready(
          l, "pending",
          fmt::format("the lease is {}, not active yet; its report is made when it ends", lease_state_name(l.state)));
    default: break;
  }
  if (!l.started_at)
    return not_ready(
        l, "none",
        fmt::format("the lease never became active ({}): there is no service to evaluate", lease_state_name(l.state)));
  if (!l.units_freed_at && l.ended_at && *l.ended_at > clock_.now() - kReportSettleSeconds)
    return not_ready(l, "pending",
                     fmt::format("the report is being made, once the cluster's agent confirms the units freed or {} "
                                 "minutes after the end",
                                 kReportSettleSeconds / 60));
  return not_ready(l, "pending", "the report is being made by the daemon's scheduler; ask again in a few seconds");
}

Result<bool> LeaseService::make_report(std::int64_t id) {
  TRY_ASSIGN(auto found, store_.leases().by_id(id));
  if (!found || !found->started_at || !found->ended_at) return false;  // gone or changed since it was due
  const Lease& l = *found;
  const std::int64_t from = *l.started_at, to = *l.ended_at;
  TRY_ASSIGN(auto bound, store_.metrics().unit_gpus(l.cluster_id));
  std::vector<evaluation::LeasedGpu> gpus;
  for (int u : l.units)
    for (const auto& b : bound)
      if (b.index == u && b.gpu_uuid) gpus.push_back({u, *b.gpu_uuid});
  std::vector<evaluation::MinuteRollup> rollups;
  for (std::int64_t cursor = from - ((from % 60) + 60) % 60;;) {
    TRY_ASSIGN(auto page, store_.metrics().rollups(l.cluster_id, cursor, to, kRollupPage));
    for (auto& r : page) rollups.push_back({r.minute, r.samples, nlohmann::json::parse(r.readings, nullptr, false)});
    if (static_cast<int>(page.size()) < kRollupPage) break;
    cursor = page.back().minute + 1;
  }
  TRY_ASSIGN(auto events, store_.reports().gpu_events(l.cluster_id, l.units, from, to, kMaxEvents));
  const api::ServiceReport report = evaluation::evaluate_lease(from, to, gpus, rollups, events);
  return store_.reports().put(l.id, {clock_.now(), api::encode(report).dump()});
}

void LeaseService::make_reports() {
  auto due = store_.reports().due(clock_.now() - kReportSettleSeconds, kReportsPerTick);
  if (!due) {
    log_.error("scheduler: read the lease reports due: {}", due.error().message);
    return;
  }
  for (std::int64_t id : *due) {
    auto made = make_report(id);
    if (!made) log_.error("scheduler: the service report of lease #{}: {}", id, made.error().message);
  }
}

}  // namespace cpshare
