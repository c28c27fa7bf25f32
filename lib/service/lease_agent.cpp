// The B-class lease lifecycle through the cluster's agent (issue 11, Build point 2;
// R-LEASE-6; docs/design/leases.md "B-class"): the agent's work list, its access and
// released reports. Rules: service/leases.hpp (agent_work, agent_access, agent_released).
#include <fmt/format.h>

#include "service/audit.hpp"
#include "service/leases.hpp"
#include "service/metrics.hpp"

namespace cpshare {

namespace {

std::optional<api::Time> agent_time(const std::optional<std::int64_t>& t) {
  return t ? std::optional<api::Time>(api::Time{*t}) : std::nullopt;
}

api::AgentReportAccepted report_accepted(const Lease& l, bool units_freed) {
  return api::AgentReportAccepted{l.lease_id, l.state, units_freed, l.agent_attempts};
}

}  // namespace

Result<catalog::Cluster> LeaseService::agent_cluster(const std::string& token, const std::string& cpc_id) {
  TRY_ASSIGN(const std::int64_t id, agent_token_cluster(store_, keys_, token));
  TRY_ASSIGN(auto cluster, store_.catalog().by_cpc_id(cpc_id));
  if (!cluster || cluster->id != id)
    return fail(ErrorCode::Forbidden, fmt::format("this agent token is not cluster {}'s; use the token `cpshare "
                                                  "publish` gave for that cluster",
                                                  cpc_id));
  return std::move(*cluster);
}

Result<Lease> LeaseService::agent_lease(const catalog::Cluster& cluster, const std::string& lease_id) {
  TRY_ASSIGN(auto l, store_.leases().by_lease_id(lease_id));
  if (!l || l->cluster_id != cluster.id)
    return fail(ErrorCode::NotFound, fmt::format("lease {} is not one of cluster {}'s", lease_id, cluster.cpc_id));
  return std::move(*l);
}

Result<api::AgentWork> LeaseService::agent_work(const std::string& token, const std::string& cpc_id) {
  TRY_ASSIGN(const catalog::Cluster cluster, agent_cluster(token, cpc_id));
  TRY_ASSIGN(auto leases, store_.leases().agent_work(cluster.id, api::AgentWork::kMaxWork));
  TRY_ASSIGN(auto gpus, store_.metrics().unit_gpus(cluster.id));
  const std::int64_t now = clock_.now();
  api::AgentWork out{cluster.cpc_id, {}};
  for (const Lease& l : leases) {
    api::AgentWorkItem item;
    const bool provision = l.state == LeaseState::Provisioning;
    item.action = provision ? "provision" : "deprovision";
    item.lease_id = l.lease_id;
    item.user = l.user;
    for (int u : l.units) {
      std::optional<std::string> uuid;
      for (const auto& g : gpus)
        if (g.index == u) uuid = g.gpu_uuid;
      item.units.push_back({u, uuid});
    }
    item.environment = l.environment;
    item.planned_end = agent_time(provision ? planned_end_from(l, now) : l.planned_end);
    item.attempts = l.agent_attempts;
    item.last_error = l.agent_error;
    out.items.push_back(std::move(item));
  }
  return out;
}

Result<api::AgentReportAccepted> LeaseService::agent_access(const std::string& token, const std::string& cpc_id,
                                                            const std::string& lease_id,
                                                            const api::AccessReport& report,
                                                            const RequestContext& ctx) {
  TRY_ASSIGN(const catalog::Cluster cluster, agent_cluster(token, cpc_id));
  TRY_ASSIGN(Lease l, agent_lease(cluster, lease_id));
  if (l.state != LeaseState::Provisioning)
    return fail(ErrorCode::Conflict,
                fmt::format("lease {} is {}, not provisioning: {}", lease_id, lease_state_name(l.state),
                            l.state == LeaseState::Active ? "its access was already reported (a report counts once)"
                                                          : "it ended before its access was reported; deprovision it"));
  const std::int64_t now = clock_.now();
  if (report.error) {
    TRY(store_.leases().agent_failed(l.id, *report.error, now));
    log_.warn("lease {} of {}: the provision hook failed (attempt {}): {}", l.lease_id, cpc_id, l.agent_attempts + 1,
              *report.error);
    ++l.agent_attempts;
    return report_accepted(l, false);
  }
  const api::LeasePlatformAccess access{.method = "platform",
                                        .url = *report.url,
                                        .username = *report.username,
                                        .password = report.password,
                                        .token = report.token,
                                        .notes = report.notes,
                                        .environment = l.environment,
                                        .gpu_indices = l.units};
  const LeaseState from = l.state;
  l.state = LeaseState::Active;
  l.started_at = now;  // billing runs from the moment the access is handed over
  l.planned_end = planned_end_from(l, now);
  l.access_cipher = keys_.seal(api::encode(access).dump());
  l.agent_error.reset();
  l.agent_error_at.reset();
  TRY(store_.atomically([&]() -> Result<> {
    TRY(store_.leases().update(l, from));  // a racing second report stops here (CONFLICT)
    TRY(store_.leases().set_units(l, UnitStatus::Busy));
    if (l.terms.mode != billing::Mode::Hourly)
      TRY(store_.leases().append_ledger({0, now, l.id, {}, l.user_id, LedgerKind::Charge, -l.estimate}));
    return write_audit(store_, clock_, AuditEventName::LeaseActivated, nullptr, ctx,
                       {{"lease", l.lease_id}, {"cpc_id", cpc_id}, {"attempts", l.agent_attempts}});
  }));
  return report_accepted(l, false);
}

Result<api::AgentReportAccepted> LeaseService::agent_released(const std::string& token, const std::string& cpc_id,
                                                              const std::string& lease_id,
                                                              const api::ReleasedReport& report,
                                                              const RequestContext& ctx) {
  TRY_ASSIGN(const catalog::Cluster cluster, agent_cluster(token, cpc_id));
  TRY_ASSIGN(Lease l, agent_lease(cluster, lease_id));
  if (!l.ended_at)
    return fail(ErrorCode::Conflict, fmt::format("lease {} is {}: it has not ended, so there is nothing to deprovision",
                                                 lease_id, lease_state_name(l.state)));
  if (l.units_freed_at)
    return fail(ErrorCode::Conflict, fmt::format("lease {}'s units were already confirmed freed at {} (a report "
                                                 "counts once)",
                                                 lease_id, rfc3339(*l.units_freed_at)));
  const std::int64_t now = clock_.now();
  if (report.error) {
    TRY(store_.leases().agent_failed(l.id, *report.error, now));
    log_.warn("lease {} of {}: the deprovision hook failed (attempt {}); its units stay busy: {}", l.lease_id, cpc_id,
              l.agent_attempts + 1, *report.error);
    ++l.agent_attempts;
    return report_accepted(l, false);
  }
  bool freed = false;
  TRY(store_.atomically([&]() -> Result<> {
    TRY_ASSIGN(freed, store_.leases().free_units(l, now));
    if (!freed)
      return fail(ErrorCode::Conflict, fmt::format("lease {}'s units were already confirmed freed", lease_id));
    return write_audit(store_, clock_, AuditEventName::LeaseUnitsFreed, nullptr, ctx,
                       {{"lease", l.lease_id}, {"cpc_id", cpc_id}, {"units", l.units}});
  }));
  return report_accepted(l, true);
}

// The endpoints of api/agent_work.hpp: each takes the agent token from the request (no Caller).
void LeaseService::bind_agent(EndpointTable& t) {
  using namespace api::endpoint;
  using api::PathParams;
  t.bind<AgentWorkList>([this](const api::NoRequest&, const RequestContext& ctx, const PathParams& p) {
    return agent_work(ctx.agent_token, p["cpc_id"]);
  });
  t.bind<AgentReportAccess>([this](const api::AccessReport& r, const RequestContext& ctx, const PathParams& p) {
    return agent_access(ctx.agent_token, p["cpc_id"], p["lease_id"], r, ctx);
  });
  t.bind<AgentReportReleased>([this](const api::ReleasedReport& r, const RequestContext& ctx, const PathParams& p) {
    return agent_released(ctx.agent_token, p["cpc_id"], p["lease_id"], r, ctx);
  });
}

}  // namespace cpshare
