#include "service/leases.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "api/catalog.hpp"
#include "domain/fields.hpp"
#include "catalog/cluster.hpp"
#include "ssh/provision.hpp"
#include "ssh/ssh.hpp"
#include "util/ip.hpp"
#include "util/text.hpp"

namespace cpshare {

namespace {

constexpr std::string_view kCodeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // crypto::kIdAlphabet, upper case

// "ls-" + 10 symbols (50 random bits), like the CPcId.
std::string new_lease_id() { return crypto::random_id("ls-", 10); }

// The authorization code: 16 symbols (80 random bits) in four groups, e.g.
// "7K2M-9X4Q-VD3H-RT8N". Upper case to read aloud; redeem accepts any case
// and ignores dashes and spaces.
std::string new_auth_code() {
  const std::string symbols = crypto::random_id("", 16, kCodeAlphabet);
  std::string code;
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    if (i > 0 && i % 4 == 0) code += '-';
    code += symbols[i];
  }
  return code;
}

std::string normal_code(std::string_view in) {
  std::string out;
  for (char c : in) {
    if (c == '-' || c == ' ') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::optional<std::int64_t> price_for(const catalog::Cluster& c, billing::Mode m) {
  switch (m) {
    case billing::Mode::Hourly: return c.prices.hourly;
    case billing::Mode::Daily: return c.prices.daily;
    case billing::Mode::Monthly: return c.prices.monthly;
    case billing::Mode::Yearly: return c.prices.yearly;
  }
  return std::nullopt;
}

// The billing arithmetic's mode and the wire's (api/enums.hpp) name the same four modes.
catalog::BillingMode wire_mode(billing::Mode m) {
  switch (m) {
    case billing::Mode::Hourly: return catalog::BillingMode::Hourly;
    case billing::Mode::Daily: return catalog::BillingMode::Daily;
    case billing::Mode::Monthly: return catalog::BillingMode::Monthly;
    case billing::Mode::Yearly: return catalog::BillingMode::Yearly;
  }
  return catalog::BillingMode::Hourly;
}

billing::Mode terms_mode(catalog::BillingMode m) {
  switch (m) {
    case catalog::BillingMode::Hourly: return billing::Mode::Hourly;
    case catalog::BillingMode::Daily: return billing::Mode::Daily;
    case catalog::BillingMode::Monthly: return billing::Mode::Monthly;
    case catalog::BillingMode::Yearly: return billing::Mode::Yearly;
  }
  return billing::Mode::Hourly;
}

std::optional<api::Time> wire_time(const std::optional<std::int64_t>& t) {
  return t ? std::optional<api::Time>(api::Time{*t}) : std::nullopt;
}

std::optional<std::string> text_or_null(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

// Month "YYYY-MM" (empty: the one `now` is in) → the month and its [start, end) in unix
// seconds, on the platform's calendar.
Result<std::pair<YearMonth, std::pair<std::int64_t, std::int64_t>>> month_range(const billing::Calendar& cal,
                                                                                const std::string& month,
                                                                                std::int64_t now) {
  std::optional<YearMonth> m = month.empty() ? cal.month_of(now) : parse_month(month);
  if (!m) return fail_fields({{"month", "must be YYYY-MM with a month from 01 to 12, e.g. 2026-11"}});
  return std::pair{*m, cal.month_range(*m)};
}

// The environment of a lease of `cluster` (R-LEASE-6): one of a B-class cluster's
// environments; left out, the only one it offers (null when it offers none); refused for
// A-class. VALIDATION_FAILED on "environment" naming the choices.
Result<std::optional<std::string>> chosen_environment(const catalog::Cluster& cluster,
                                                      const std::optional<std::string>& given) {
  if (cluster.cluster_class != 'B') {
    if (given)
      return fail_fields({{"environment",
                           "only B-class leases choose an environment; A-class leases get an SSH "
                           "account (leave --environment out)"}});
    return std::optional<std::string>{};
  }
  const auto& envs = cluster.environments;
  std::string choices;
  for (const auto& e : envs) choices += (choices.empty() ? "" : ", ") + e;
  if (!given) {
    if (envs.size() <= 1) return envs.empty() ? std::optional<std::string>{} : std::optional<std::string>(envs[0]);
    return fail_fields({{"environment", fmt::format("is required: cluster {} offers {}; choose one of them",
                                                    cluster.cpc_id, choices)}});
  }
  if (std::find(envs.begin(), envs.end(), *given) != envs.end()) return given;
  return fail_fields(
      {{"environment", envs.empty() ? fmt::format("cluster {} offers no environments; leave it out", cluster.cpc_id)
                                    : fmt::format("'{}' is not one of cluster {}'s environments: {}", *given,
                                                  cluster.cpc_id, choices)}});
}

// A B-class lease's progress through the agent, for its supplier: the step it waits on and
// that step's failed attempts (reset when the lease ends). An A-class lease's failed redeems
// (the platform creating the account over SSH), until one succeeds: step "provision".
api::LeaseAgentStatus agent_status(const Lease& l) {
  std::string step = l.state == LeaseState::Provisioning || (l.cluster_class == 'A' && l.agent_error) ? "provision"
                     : l.units_freed_at                                                               ? "done"
                     : l.ended_at                                                                     ? "deprovision"
                                                                                                      : "none";
  return api::LeaseAgentStatus{step, l.agent_attempts, l.agent_error, wire_time(l.agent_error_at),
                               wire_time(l.units_freed_at)};
}

}  // namespace

LeaseService::LeaseService(Store& store, const crypto::KeyRing& keys, ssh::SupplierHost& host, Mailer& mailer,
                           const Clock& clock, Logger& log, LeaseConfig config)
    : store_(store),
      keys_(keys),
      host_(host),
      mailer_(mailer),
      clock_(clock),
      log_(log),
      config_(config),
      redeem_throttle_(clock) {}

std::optional<std::int64_t> LeaseService::planned_end_from(const Lease& l, std::int64_t start) const {
  if (l.terms.mode == billing::Mode::Hourly && l.terms.periods == 0) return std::nullopt;
  return billing::period_end(l.terms.mode, config_.calendar, start, l.terms.periods);
}

Result<api::LeaseView> LeaseService::lease_view(const Lease& l, bool supplier_view) const {
  std::optional<std::int64_t> running;  // null when the amount cannot be computed (see end_in_tx)
  if (l.state == LeaseState::Active && l.started_at) {
    const std::int64_t until = billing::billed_until(l.terms, *l.started_at, l.planned_end, clock_.now());
    if (auto s = billing::settle(l.terms, config_.calendar, *l.started_at, until)) running = s->charged;
  } else if (l.state == LeaseState::Active) {
    running = 0;
  }
  auto cluster = api::lease_cluster_from_snapshot(l.cluster_snapshot);
  if (!cluster) return std::unexpected(std::move(cluster.error()).context(fmt::format("lease {}", l.lease_id)));
  return api::LeaseView{.lease_id = l.lease_id,
                        .state = l.state,
                        .cpc_id = l.cpc_id,
                        .cluster_class = std::string(1, l.cluster_class),
                        .user = l.user,
                        .supplier = l.supplier,
                        .units = l.units,
                        .billing = wire_mode(l.terms.mode),
                        .unit_price = l.terms.unit_price_fen,
                        .periods = l.terms.periods,
                        .estimate = l.estimate,
                        .running_cost = running,
                        .charged = l.charged,
                        .refunded = l.refunded,
                        .bill_failed = l.bill_failed,
                        .created_at = api::Time{l.created_at},
                        .decide_by = wire_time(l.decide_by),
                        .started_at = wire_time(l.started_at),
                        .planned_end = wire_time(l.planned_end),
                        .ended_at = wire_time(l.ended_at),
                        .end_reason = l.end_reason,
                        .note = text_or_null(l.note),
                        .cluster = std::move(*cluster),
                        .environment = l.environment,
                        .agent = supplier_view && (l.cluster_class == 'B' || l.agent_error)
                                     ? std::optional<api::LeaseAgentStatus>(agent_status(l))
                                     : std::nullopt};
}

// Approve, reject and terminate are the cluster's supplier's (or an admin's).
// The lease's own user is told so; anyone else learns nothing of the lease.
Result<> LeaseService::supplier_side(const Caller& caller, const Lease& l) {
  if (l.supplier_id == caller.account.id || caller.is_admin()) return {};
  if (l.user_id == caller.account.id)
    return fail(ErrorCode::Forbidden, fmt::format("only the supplier of {} decides on lease {}", l.cpc_id, l.lease_id));
  return fail(ErrorCode::NotFound,
              fmt::format("lease {} not found; cpshare leases --incoming lists yours", l.lease_id));
}

// How the platform reaches node k of the cluster: its admin user, the sealed
// provisioning key, and the node's pinned host key (ssh::run refuses a host
// without one).
Result<ssh::Target> LeaseService::admin_target(const catalog::Cluster& cluster, std::size_t k,
                                               const ClusterSecrets& secrets) {
  const catalog::Node& n = cluster.nodes.at(k);
  ssh::Target admin;
  admin.host = n.host;
  admin.port = n.port;
  admin.user = n.user;
  TRY_ASSIGN(admin.private_openssh, keys_.open_string(secrets.ssh_key_cipher));
  admin.pinned_fingerprint = n.host_key;
  admin.timeout_seconds = config_.ssh_timeout_seconds;
  return admin;
}

Result<Lease> LeaseService::find(const std::string& lease_id) {
  TRY_ASSIGN(auto l, store_.leases().by_lease_id(lease_id));
  if (!l) return fail(ErrorCode::NotFound, fmt::format("lease {} not found; cpshare leases lists yours", lease_id));
  return *l;
}

// An A-class lease takes whole nodes (§3.6, R-LEASE-3): the idle units of that
// many free nodes, picked in the caller's transaction. A B-class lease takes
// units; none are picked here (LeaseStore::create picks them).
Result<std::vector<int>> LeaseService::units_for(const catalog::Cluster& cluster, const api::LeaseRequest& req) {
  if (cluster.cluster_class == 'A') {
    if (!req.nodes) {
      return fail_fields(
          {{"units", fmt::format("{} is an A-class cluster: a lease takes whole nodes (bare metal, §3.6); ask for "
                                 "nodes instead (cpshare lease {} --nodes N; it has {} node{} of {} units in all)",
                                 cluster.cpc_id, cluster.cpc_id, cluster.nodes.size(),
                                 cluster.nodes.size() == 1 ? "" : "s", cluster.units)}});
    }
    if (*req.nodes > static_cast<std::int64_t>(cluster.nodes.size()))
      return fail(ErrorCode::UnitsUnavailable,
                  fmt::format("{} has {} node{} in all: ask for at most {}, or choose a larger cluster (cpshare "
                              "filter 'nodes>={}')",
                              cluster.cpc_id, cluster.nodes.size(), cluster.nodes.size() == 1 ? "" : "s",
                              cluster.nodes.size(), *req.nodes));
    return store_.leases().pick_nodes(cluster.id, static_cast<int>(*req.nodes));
  }
  if (req.nodes)
    return fail_fields({{"nodes", fmt::format("{} is a B-class cluster: it leases units (GPUs), not nodes; ask for "
                                              "units instead (cpshare lease {} --units N)",
                                              cluster.cpc_id, cluster.cpc_id)}});
  return std::vector<int>{};
}

Result<api::LeaseData> LeaseService::request(const Caller& caller, const api::LeaseRequest& req,
                                             const RequestContext& ctx) {
  if (caller.account.role != Role::User || caller.account.status != AccountStatus::Active)
    return fail(ErrorCode::Forbidden, "only active user accounts lease units");
  // The fields are as api::LeaseRequest::from_body validated them.
  const std::string& cpc_id = req.cpc_id;
  const billing::Mode mode = terms_mode(req.billing);
  const std::optional<std::string>& key = req.ssh_public_key;

  // The cluster is read in the transaction that takes its units: a delist or
  // a price change racing this request either comes before it (and is what
  // the lease sees) or after it, never in between.
  Lease made;
  TRY(store_.atomically([&]() -> Result<> {
    TRY_ASSIGN(auto cluster, store_.catalog().by_cpc_id(cpc_id));
    if (!cluster || cluster->status != catalog::ClusterStatus::Listed)
      return fail(ErrorCode::NotFound, fmt::format("cluster {} is not listed; cpshare list shows what is", cpc_id));
    // An offline B-class cluster's units are not offered (R-LEASE-6).
    if (cluster->health == ClusterHealth::Offline)
      return fail(ErrorCode::Conflict,
                  cluster->last_report_at
                      ? fmt::format("cluster {} is offline: its agent last reported at {}; try again when it reports",
                                    cpc_id, rfc3339(*cluster->last_report_at))
                      : fmt::format("cluster {} is offline: its agent has not reported yet; try again when it "
                                    "reports",
                                    cpc_id));
    const auto price = price_for(*cluster, mode);
    if (!price)
      return fail_fields({{"billing", fmt::format("cluster {} does not offer {} billing", cpc_id, enum_name(mode))}});
    if (key && cluster->cluster_class != 'A')
      return fail_fields({{"ssh_public_key", "only A-class leases get an SSH account"}});
    TRY_ASSIGN(std::optional<std::string> environment, chosen_environment(*cluster, req.environment));

    Lease l;
    l.lease_id = new_lease_id();
    l.user_id = caller.account.id;
    l.user = caller.account.username;
    l.cluster_id = cluster->id;
    l.cpc_id = cluster->cpc_id;
    l.supplier_id = cluster->owner_id;
    l.supplier = cluster->owner;
    l.cluster_class = cluster->cluster_class;
    l.cluster_snapshot = api::encode(api::cluster_view(*cluster)).dump();
    l.terms.mode = mode;
    l.terms.unit_price_fen = *price;
    TRY_ASSIGN(l.units, units_for(*cluster, req));
    // A-class: the units of the nodes picked; B-class: create picks req.units units.
    l.terms.units = l.units.empty() ? *req.units : static_cast<std::int64_t>(l.units.size());
    // Hourly: --periods plans hours (the estimate, and an end when given).
    l.terms.periods = req.periods.value_or(mode == billing::Mode::Hourly ? 0 : 1);  // hourly 0: no planned end
    TRY_ASSIGN(l.estimate, billing::estimate(l.terms));
    l.state = cluster->cluster_class == 'A' ? LeaseState::Requested : LeaseState::Provisioning;
    l.ssh_public_key = key.value_or("");
    l.environment = environment;
    l.created_at = clock_.now();
    if (l.state == LeaseState::Requested) l.decide_by = l.created_at + config_.decide_within;

    TRY_ASSIGN(made, store_.leases().create(l, l.units.empty() ? static_cast<int>(l.terms.units) : 0));
    TRY(write_audit(store_, clock_, AuditEventName::LeaseRequested, &caller.account, ctx,
                    {{"lease", made.lease_id}, {"cpc_id", cpc_id}}));
    return {};
  }));
  TRY_ASSIGN(api::LeaseView view, lease_view(made));  // as stored: LeaseStore::create adds the id and units
  return api::LeaseData{std::move(view)};
}

Result<api::LeaseList> LeaseService::list(const Caller& caller, const api::LeaseListQuery& query) {
  LeaseQuery q;
  if (query.incoming) {
    if (caller.account.role != Role::Supplier && !caller.is_admin())
      return fail(ErrorCode::Forbidden, "--incoming lists the leases of your clusters; only suppliers have them");
    q.supplier_id = caller.account.id;
  } else {
    q.user_id = caller.account.id;
  }
  if (query.state) q.states.push_back(*query.state);  // validated by api::LeaseListQuery::from_query
  q.limit = 500;
  TRY_ASSIGN(auto rows, store_.leases().query(q));
  api::LeaseList out;
  out.items.reserve(rows.size());
  for (const auto& l : rows) {
    TRY_ASSIGN(api::LeaseView view, lease_view(l, query.incoming));
    out.items.push_back(std::move(view));
  }
  return out;
}

Result<api::LeaseDetail> LeaseService::show(const Caller& caller, const std::string& lease_id,
                                            const api::LeaseShowQuery& query) {
  TRY_ASSIGN(Lease l, find(lease_id));
  const bool mine = l.user_id == caller.account.id;
  if (!mine && l.supplier_id != caller.account.id && !caller.is_admin())
    return fail(ErrorCode::NotFound, fmt::format("lease {} not found; cpshare leases lists yours", lease_id));
  api::LeaseDetail out;
  TRY_ASSIGN(out.lease, lease_view(l, l.supplier_id == caller.account.id || caller.is_admin()));
  if (query.access) {
    if (!mine) return fail(ErrorCode::Forbidden, "only the lease's user may see its access details");
    if (l.access_cipher.empty())
      return fail(ErrorCode::Conflict,
                  fmt::format("lease {} has no access yet ({}); {}", lease_id, lease_state_name(l.state),
                              l.cluster_class == 'B' ? "it appears once the cluster's agent has provisioned it"
                                                     : "redeem its code first"));
    TRY_ASSIGN(std::string text, keys_.open_string(l.access_cipher));
    if (l.cluster_class == 'B') {
      auto details = api::lease_platform_access_from_text(text);
      if (!details) return std::unexpected(std::move(details.error()).context(fmt::format("lease {}", lease_id)));
      out.platform_access = std::move(*details);
    } else {
      auto details = api::lease_access_from_text(text);
      if (!details) return std::unexpected(std::move(details.error()).context(fmt::format("lease {}", lease_id)));
      out.access = std::move(*details);
    }
  }
  return out;
}

Result<api::LeaseApproval> LeaseService::approve(const Caller& caller, const std::string& lease_id,
                                                 const RequestContext& ctx) {
  TRY_ASSIGN(Lease l, find(lease_id));
  TRY(supplier_side(caller, l));
  if (l.state != LeaseState::Requested)
    return fail(ErrorCode::Conflict,
                fmt::format("lease {} is {}; only requested leases are approved", lease_id, lease_state_name(l.state)));
  const std::string code = new_auth_code();
  const LeaseState from = l.state;
  l.state = LeaseState::Approved;
  l.decide_by = clock_.now() + config_.decide_within;
  TRY(store_.atomically([&]() -> Result<> {
    TRY(store_.leases().update(l, from));
    TRY(store_.leases().put_auth_code(l.id, keys_.token_hash(normal_code(code)), *l.decide_by));
    TRY(write_audit(store_, clock_, AuditEventName::LeaseApproved, &caller.account, ctx, {{"lease", l.lease_id}}));
    return {};
  }));
  TRY_ASSIGN(api::LeaseView view, lease_view(l));
  return api::LeaseApproval{std::move(view), code, api::Time{*l.decide_by}};
}

Result<api::LeaseData> LeaseService::reject(const Caller& caller, const std::string& lease_id,
                                            const api::LeaseReasonRequest& req, const RequestContext& ctx) {
  TRY_ASSIGN(Lease l, find(lease_id));
  TRY(supplier_side(caller, l));
  if (l.state != LeaseState::Requested && l.state != LeaseState::Approved)
    return fail(ErrorCode::Conflict, fmt::format("lease {} is {}; only requested or approved leases are rejected",
                                                 lease_id, lease_state_name(l.state)));
  TRY_ASSIGN(l, end(l, EndReason::Rejected, req.reason, &caller.account, ctx));
  TRY_ASSIGN(api::LeaseView view, lease_view(l));
  return api::LeaseData{std::move(view)};
}

Result<api::LeaseData> LeaseService::check_code(const Caller& caller, const api::RedeemRequest& req,
                                                const RequestContext& ctx) {
  TRY_ASSIGN(Lease l, redeemable(caller, req, ctx));
  TRY_ASSIGN(api::LeaseView view, lease_view(l));
  return api::LeaseData{std::move(view)};
}

Result<Lease> LeaseService::redeemable(const Caller& caller, const api::RedeemRequest& req, const RequestContext& ctx) {
  const std::string key = fmt::format("redeem:{}", caller.account.id);
  const ThrottlePolicy policy;
  if (std::int64_t wait = redeem_throttle_.wait(key, policy); wait > 0) {
    Error e{ErrorCode::RateLimited, fmt::format("too many wrong codes; try again in {} s", wait), {}, 0};
    e.retry_after = static_cast<int>(wait);
    return std::unexpected(e);
  }
  // One answer for every code that is not the caller's live one: it tells
  // nothing about other leases.
  auto wrong = [&]() -> Result<Lease> {
    redeem_throttle_.failure(key, policy);
    // The caller hears INVALID_CODE either way; an audit event that could not be written is logged.
    if (auto audited =
            write_audit(store_, clock_, AuditEventName::LeaseRedeemFailed, &caller.account, ctx, json::object());
        !audited)
      log_.error("redeem: audit event lease_redeem_failed not written: {}", audited.error().message);
    return fail(ErrorCode::InvalidCode, "this authorization code is not valid; check it with the supplier");
  };
  TRY_ASSIGN(auto ac, store_.leases().auth_code(keys_.token_hash(normal_code(req.code))));
  if (!ac || ac->used_at || ac->expires_at <= clock_.now()) return wrong();
  TRY_ASSIGN(auto found, store_.leases().by_id(ac->lease_id));
  if (!found || found->user_id != caller.account.id || found->state != LeaseState::Approved) return wrong();
  redeem_throttle_.success(key);
  return *found;
}

namespace {
// The lease's account: its name, a fresh password, the user's key and its expiry.
ssh::LeaseAccount account_for(const Lease& l, std::optional<std::int64_t> planned_end, std::int64_t now) {
  ssh::LeaseAccount account;
  account.username = ssh::lease_username(l.lease_id);
  account.password = ssh::random_password();
  account.public_key = l.ssh_public_key;
  // Pay-as-you-go has no planned end: the account lives as long as the lease
  // may (its horizon, where the scheduler ends it), and is removed at release.
  account.expires_at = planned_end.value_or(now + billing::kOpenHourlyHorizonHours * 3600);
  return account;
}

// Lets go of a redeem's hold on its lease however the redeem ends.
class RedeemHold {
 public:
  RedeemHold(Store& store, Logger& log, const Lease& l) : store_(store), log_(log), lease_(l) {}
  RedeemHold(const RedeemHold&) = delete;
  RedeemHold& operator=(const RedeemHold&) = delete;
  ~RedeemHold() {
    if (auto ended = store_.leases().end_redeem(lease_.id); !ended)
      log_.warn("redeem {}: could not let go of the lease (another redeem waits until it times out): {}",
                lease_.lease_id, ended.error().message);
  }

 private:
  Store& store_;
  Logger& log_;
  const Lease& lease_;
};
}  // namespace

Result<api::Redemption> LeaseService::redeem(const Caller& caller, const api::RedeemRequest& req,
                                             const RequestContext& ctx) {
  TRY_ASSIGN(Lease l, redeemable(caller, req, ctx));

  // Reach every leased node as the cluster's admin, with its pinned host key.
  TRY_ASSIGN(auto cluster, store_.catalog().by_cpc_id(l.cpc_id));
  if (!cluster) return fail(ErrorCode::NotFound, "the lease's cluster no longer exists");
  TRY_ASSIGN(ClusterSecrets secrets, store_.catalog().secrets(cluster->id));
  TRY_ASSIGN(const std::vector<LeasedNode> nodes, leased_nodes(*cluster, l.units));
  for (const LeasedNode& ln : nodes)
    if (cluster->nodes[ln.node].host_key.empty())
      return fail(ErrorCode::Unavailable, fmt::format("cluster {} {} has not been verified by its supplier (cpshare "
                                                      "cluster verify); ask them, then redeem again",
                                                      l.cpc_id, node_name(*cluster, ln.node)));

  const std::int64_t now = clock_.now();
  std::optional<std::int64_t> planned_end;
  if (l.terms.mode != billing::Mode::Hourly || l.terms.periods > 0)
    planned_end = billing::period_end(l.terms.mode, config_.calendar, now, l.terms.periods);
  const ssh::LeaseAccount account = account_for(l, planned_end, now);

  // One redeem of a lease at a time (a double click, a client's retry): the
  // first holds it while it runs, with a removal of the account queued for
  // when it would be over at the latest (every node's connect and command
  // timeouts, twice for the rollback), in case the daemon dies meanwhile.
  const std::int64_t until = now + 60 +
                             2 * static_cast<std::int64_t>(nodes.size()) *
                                 (config_.ssh_timeout_seconds + ssh::Target{}.command_timeout_seconds);
  TRY_ASSIGN(const bool held, store_.leases().begin_redeem(l.id, account.username, now, until));
  if (!held)
    return fail(ErrorCode::Conflict, fmt::format("a redeem of lease {} is in progress already; see how it went with "
                                                 "cpshare leases show {} --access",
                                                 l.lease_id, l.lease_id));
  const RedeemHold hold(store_, log_, l);
  TRY(create_on_nodes(l, *cluster, secrets, nodes, account));

  api::LeaseAccess access{
      .method = "ssh",
      .host = cluster->nodes[nodes.front().node].host,
      .port = cluster->nodes[nodes.front().node].port,
      .username = account.username,
      .password = account.password,
      .ssh_key = l.ssh_public_key.empty() ? std::nullopt : std::optional<std::string>("your public key is installed"),
      .gpu_indices = l.units,
      .cuda_visible_devices = text::comma_list(nodes.front().local),
      .usage = cluster->usage,
      .nodes = std::vector<api::LeaseNodeAccess>{}};
  for (const LeasedNode& ln : nodes)
    access.nodes->push_back({static_cast<std::int64_t>(ln.node), cluster->nodes[ln.node].host,
                             cluster->nodes[ln.node].port, ln.units, text::comma_list(ln.local)});
  const LeaseState from = l.state;
  l.state = LeaseState::Active;
  l.started_at = now;
  l.planned_end = planned_end;
  l.decide_by.reset();
  l.access_cipher = keys_.seal(api::encode(access).dump());
  l.agent_error.reset();  // an earlier failed redeem's, shown to the supplier until one succeeds
  l.agent_error_at.reset();
  auto committed = store_.atomically([&]() -> Result<> {
    TRY_ASSIGN(bool first, store_.leases().use_auth_code(l.id, now));
    if (!first) return fail(ErrorCode::InvalidCode, "this authorization code has just been used");
    TRY(store_.leases().update(l, from));
    TRY(store_.leases().set_units(l, UnitStatus::Busy));
    // A removal an earlier failed redeem queued would take this account away.
    TRY(store_.leases().cancel_revocation(l.id, now, "a redeem of the lease made the account"));
    if (l.terms.mode != billing::Mode::Hourly)
      TRY(store_.leases().append_ledger({0, now, l.id, {}, l.user_id, LedgerKind::Charge, -l.estimate}));
    TRY(write_audit(store_, clock_, AuditEventName::LeaseRedeemed, &caller.account, ctx,
                    {{"lease", l.lease_id}, {"account", account.username}}));
    return {};
  });
  if (!committed) {
    // The account exists but the lease did not start: take it away again.
    TRY(store_.leases().put_revocation({l.id, account.username, 0, now, committed.error().message, std::nullopt}));
    return std::unexpected(committed.error());
  }
  TRY_ASSIGN(api::LeaseView view, lease_view(l));
  return api::Redemption{std::move(view), std::move(access)};
}

// "gpu01:22" for a cluster of one node, "node 1 (gpu02:22)" for more.
std::string LeaseService::node_name(const catalog::Cluster& c, std::size_t k) {
  const catalog::Node& n = c.nodes.at(k);
  const std::string where = ip::endpoint_text(n.host, n.port);
  return c.nodes.size() == 1 ? where : fmt::format("node {} ({})", k, where);
}

// The nodes a lease's units are on, in node order, with the units on each
// (cluster-wide, and as the node's CUDA numbers them). The nodes cannot change
// while the lease holds units or its account removal is pending
// (CatalogStore::update), so the units map onto the nodes they were leased on.
Result<std::vector<LeaseService::LeasedNode>> LeaseService::leased_nodes(const catalog::Cluster& c,
                                                                         const std::vector<int>& units) {
  std::vector<LeasedNode> out;
  for (int u : units) {
    const auto k = catalog::node_of(c, u);
    if (!k) return fail(ErrorCode::Internal, fmt::format("unit {} of {} is on no node", u, c.cpc_id));
    if (out.empty() || out.back().node != *k) out.push_back({*k, {}, {}});
    out.back().units.push_back(u);
    out.back().local.push_back(static_cast<int>(u - catalog::first_unit(c, *k)));
  }
  if (out.empty()) return fail(ErrorCode::Internal, fmt::format("the lease holds no unit of {}", c.cpc_id));
  return out;
}

// The account on every leased node, all or nothing: when a node fails, the
// accounts made on the others are removed again (a removal that fails is left
// to the revocation retries) and the error names the node. The failure, with
// what the node printed, is kept on the lease for its supplier (the lease's
// "agent" view: leases show); the leaser is told the step, not the node's words.
Result<> LeaseService::create_on_nodes(const Lease& l, const catalog::Cluster& c, const ClusterSecrets& secrets,
                                       const std::vector<LeasedNode>& nodes, ssh::LeaseAccount account) {
  std::vector<std::size_t> made;
  for (const LeasedNode& ln : nodes) {
    TRY_ASSIGN(ssh::Target admin, admin_target(c, ln.node, secrets));
    account.gpu_indices = ln.local;
    std::string node_output;
    auto created = host_.create_lease_account(admin, account, &node_output);
    if (created) {
      made.push_back(ln.node);
      continue;
    }
    Error e = created.error().context(fmt::format("create the account on {}", node_name(c, ln.node)));
    const std::string for_supplier =
        node_output.empty() ? e.message : fmt::format("{}; the node printed: {}", e.message, node_output);
    if (auto kept = store_.leases().agent_failed(l.id, for_supplier, clock_.now()); !kept)
      log_.error("redeem {}: {} (not recorded for the supplier: {})", l.lease_id, for_supplier, kept.error().message);
    e.message += fmt::format("; its supplier sees why in cpshare leases show {}", l.lease_id);
    // The removal queued in case the daemon died mid-redeem is void when nothing is left.
    auto nothing_left = [&]() -> Result<> {
      return store_.leases().cancel_revocation(l.id, clock_.now(), "the redeem failed and left no account");
    };
    if (made.empty()) {
      TRY(nothing_left());
      return std::unexpected(e);
    }
    bool left = false;
    for (std::size_t k : made) {
      auto target = admin_target(c, k, secrets);
      if (!target || !host_.remove_lease_account(*target, account.username)) left = true;
    }
    if (left) {
      TRY(store_.leases().put_revocation({l.id, account.username, 0, clock_.now(), e.message, std::nullopt}));
      e.message += "; the account made on the other nodes is removed as soon as they can be reached";
    } else {
      TRY(nothing_left());
      e.message += "; the account made on the other nodes was removed again";
    }
    return std::unexpected(e);
  }
  return {};
}

Result<Lease> LeaseService::end(Lease l, EndReason reason, const std::string& note, const Account* by,
                                const RequestContext& ctx) {
  std::vector<Revocation> queued;
  TRY(store_.atomically([&]() -> Result<> {
    TRY_ASSIGN(l, end_in_tx(std::move(l), reason, note, by, ctx, queued));
    return {};
  }));
  start_revocations(std::move(queued));
  return l;
}

Result<Lease> LeaseService::end_in_tx(Lease l, EndReason reason, const std::string& note, const Account* by,
                                      const RequestContext& ctx, std::vector<Revocation>& queued) {
  const std::int64_t now = clock_.now();
  const LeaseState from = l.state;
  const bool was_active = from == LeaseState::Active;
  const std::string account = ssh::lease_username(l.lease_id);
  // A bill that cannot be computed (terms outside billing's bounds, as an old
  // row may hold, or an amount past int64) does not keep the lease alive: it
  // ends, its units and account go, and the bill is flagged for the admin.
  std::optional<Error> bill_error;
  if (was_active && l.started_at) {
    const std::int64_t until = billing::billed_until(l.terms, *l.started_at, l.planned_end, now);
    auto s = billing::settle(l.terms, config_.calendar, *l.started_at, until);
    if (s) {
      l.charged = s->charged;
      l.refunded = s->refunded;
    } else {
      bill_error = s.error();
      l.bill_failed = true;
      l.charged.reset();
      l.refunded.reset();
    }
  } else {
    l.charged = 0;
    l.refunded = 0;
  }
  l.state = state_after(reason);
  l.ended_at = now;
  l.end_reason = reason;
  l.note = note;
  l.decide_by.reset();
  const bool revoke_account = was_active && l.cluster_class == 'A';
  // B-class (R-LEASE-6): the units stay held, busy, until the cluster's agent reports that
  // the provision hook's deprovision step ran (agent_released); the lease is its work item
  // until then. Its attempts count that step from here.
  const bool agent_frees = l.cluster_class == 'B';
  if (agent_frees) {
    l.agent_attempts = 0;
    l.agent_error.reset();
    l.agent_error_at.reset();
  }
  TRY(store_.atomically([&]() -> Result<> {
    TRY(store_.leases().update(l, from));  // first: a second ender of the same lease stops here
    if (agent_frees)
      TRY(store_.leases().set_units(l, UnitStatus::Busy));
    else
      TRY(store_.leases().release_units(l));
    if (was_active && !bill_error) {
      if (l.terms.mode == billing::Mode::Hourly)
        TRY(store_.leases().append_ledger({0, now, l.id, {}, l.user_id, LedgerKind::Charge, -*l.charged}));
      else if (*l.refunded > 0)
        TRY(store_.leases().append_ledger({0, now, l.id, {}, l.user_id, LedgerKind::Refund, *l.refunded}));
      TRY(store_.leases().append_ledger({0, now, l.id, {}, l.supplier_id, LedgerKind::Earning, *l.charged}));
    }
    if (revoke_account) TRY(store_.leases().put_revocation({l.id, account, 0, now, "", std::nullopt}));
    TRY(write_audit(store_, clock_, AuditEventName::LeaseEnded, by, ctx,
                    {{"lease", l.lease_id}, {"reason", enum_name(reason)}}));
    if (bill_error)
      TRY(write_audit(store_, clock_, AuditEventName::LeaseBillFailed, by, ctx,
                      {{"lease", l.lease_id},
                       {"reason", enum_name(reason)},
                       {"error", bill_error->message},
                       {"billing", enum_name(l.terms.mode)},
                       {"unit_price", l.terms.unit_price_fen},
                       {"units", l.terms.units},
                       {"periods", l.terms.periods},
                       {"started_at", rfc3339(*l.started_at)},
                       {"ended_at", rfc3339(now)}}));
    return {};
  }));
  if (revoke_account) queued.push_back({l.id, account, 0, now, "", std::nullopt});
  return l;
}

void LeaseService::start_revocations(std::vector<Revocation> queued) {
  for (auto& r : queued)
    if (auto done = revoke(std::move(r)); !done) log_.warn("lease end: {}", done.error().message);
}

Result<> LeaseService::revoke(Revocation r) {
  const std::int64_t now = clock_.now();
  std::optional<Lease> lease;
  auto attempt = [&]() -> Result<> {
    TRY_ASSIGN(lease, store_.leases().by_id(r.lease_id));
    if (!lease) return fail(ErrorCode::NotFound, "lease gone");
    TRY_ASSIGN(auto cluster, store_.catalog().by_cpc_id(lease->cpc_id));
    if (!cluster) return fail(ErrorCode::NotFound, "cluster gone");
    TRY_ASSIGN(ClusterSecrets secrets, store_.catalog().secrets(cluster->id));
    TRY_ASSIGN(const std::vector<LeasedNode> nodes, leased_nodes(*cluster, lease->units));
    // Every node, even after one fails (removal is idempotent: a retry does them all again).
    std::optional<Error> first;
    for (const LeasedNode& ln : nodes) {
      auto removed = [&]() -> Result<> {
        TRY_ASSIGN(ssh::Target admin, admin_target(*cluster, ln.node, secrets));
        auto gone = host_.remove_lease_account(admin, r.username);
        if (gone || gone.error().code != ErrorCode::Conflict) return gone;
        // A changed host key (not an account cpshare did not make) is not final:
        // the removal waits, the node blocked, until its supplier re-pins it.
        if (auto probe = host_.verify(admin); probe || probe.error().code != ErrorCode::Conflict) return gone;
        return fail(ErrorCode::Unavailable,
                    fmt::format("{}; once the new key is confirmed, run cpshare cluster verify {} --repin and the "
                                "removal completes",
                                gone.error().message, cluster->cpc_id));
      }();
      if (!removed && !first) first = removed.error().context(node_name(*cluster, ln.node));
    }
    if (first) return std::unexpected(*first);
    return {};
  };
  auto done = attempt();
  ++r.attempts;
  // Conflict: the host has an account of that name that cpshare did not make:
  // retrying cannot help; the supplier is told why. (A changed host key waits
  // for the supplier's re-pin, retried as unreachable.)
  const bool final_failure = !done && done.error().code == ErrorCode::Conflict;
  if (final_failure) {
    r.done_at = now;
    r.last_error = done.error().message;
  } else if (done) {
    r.done_at = now;
    r.last_error.clear();
  } else {
    r.last_error = done.error().message;
    // revoke_retry (30 s), then twice as long each time, up to revoke_backoff_max.
    const std::int64_t delay =
        std::min<std::int64_t>(config_.revoke_backoff_max, config_.revoke_retry << std::min(r.attempts - 1, 20));
    r.next_at = now + delay;
  }
  auto stored = store_.leases().put_revocation(r);
  // The supplier hears once when the removal is first put off, and when it is given up.
  Result<> told;
  if (lease && (final_failure || (!done && r.attempts == 1))) told = tell_supplier(*lease, r, final_failure);
  std::string problems;
  if (!done)
    problems = fmt::format("{} ({})", done.error().message,
                           final_failure ? "given up; the supplier was told"
                                         : fmt::format("attempt {}, next at {}", r.attempts, rfc3339(r.next_at)));
  if (!stored)
    problems += fmt::format("{}the attempt was not recorded: {}", problems.empty() ? "" : "; ", stored.error().message);
  if (!told) problems += fmt::format("{}{}", problems.empty() ? "" : "; ", told.error().message);
  if (problems.empty()) return {};
  return fail(!done     ? done.error().code
              : !stored ? stored.error().code
                        : told.error().code,
              fmt::format("remove account {} of lease #{}: {}", r.username, r.lease_id, problems));
}

Result<> LeaseService::tell_supplier(const Lease& l, const Revocation& r, bool final) {
  auto supplier = store_.accounts().by_id(l.supplier_id);
  const Account* who = supplier && *supplier ? &**supplier : nullptr;
  std::vector<std::string> problems;
  if (!supplier) problems.push_back("read the supplier: " + supplier.error().message);
  json detail{{"lease", l.lease_id}, {"cpc_id", l.cpc_id}, {"account", r.username}, {"error", r.last_error}};
  if (final)
    detail["final"] = true;
  else
    detail["next_attempt_at"] = rfc3339(r.next_at);
  // The audit event records whether the mail went (the event list is fixed).
  bool mailed = false;
  if (who && who->email) {
    auto sent = mail_supplier(*who, l, r, final);
    mailed = sent.has_value();
    if (!sent) problems.push_back("mail the supplier: " + sent.error().message);
  }
  detail["mailed"] = mailed;
  if (auto logged = write_audit(store_, clock_, AuditEventName::LeaseRevocationPending, who, RequestContext{}, detail);
      !logged)
    problems.push_back("record lease_revocation_pending: " + logged.error().message);
  if (problems.empty()) return {};
  std::string all = "the supplier was not told: ";
  for (std::size_t i = 0; i < problems.size(); ++i) all += (i ? "; " : "") + problems[i];
  return fail(ErrorCode::Unavailable, all);
}

Result<> LeaseService::mail_supplier(const Account& who, const Lease& l, const Revocation& r, bool final) {
  std::string body = fmt::format(
      "Lease {} on your cluster {} has ended, but its account {} could not be removed from your host:\n"
      "  {}\n\n",
      l.lease_id, l.cpc_id, r.username, r.last_error);
  if (final)
    body += fmt::format(
        "cpshare will not try again. Please lock and remove the account yourself\n"
        "(for example: usermod -L -e 1 {0}; pkill -KILL -u {0}; userdel -r {0}).\n",
        r.username);
  else
    body += fmt::format(
        "The account may still be used until it is removed. cpshare tries again at {}\n"
        "and keeps trying, less often, until your host answers; check that it is reachable\n"
        "and still presents the host key you pinned (cpshare cluster verify {}; after a\n"
        "re-install, once you have confirmed the new key, add --repin).\n",
        rfc3339(r.next_at), l.cpc_id);
  body += fmt::format("\n租约 {} 已结束，但其账户 {} 未能从您的主机上删除（{}）。{}\n", l.lease_id, r.username,
                      r.last_error,
                      final ? "平台不再重试，请手动锁定并删除该账户。" : "平台将自动重试，请检查主机是否可达。");
  return mailer_.send(Mail{*who.email, "cpshare: a lease account is still on your host / 租约账户尚未删除", body});
}

Result<api::LeaseData> LeaseService::release(const Caller& caller, const std::string& lease_id,
                                             const RequestContext& ctx) {
  TRY_ASSIGN(Lease l, find(lease_id));
  if (l.user_id != caller.account.id)
    return fail(ErrorCode::NotFound, fmt::format("lease {} not found; cpshare leases lists yours", lease_id));
  if (!holds_units(l.state))
    return fail(ErrorCode::Conflict,
                fmt::format("lease {} has already ended ({})", lease_id, lease_state_name(l.state)));
  TRY_ASSIGN(l, end(l, EndReason::Released, "", &caller.account, ctx));
  TRY_ASSIGN(api::LeaseView view, lease_view(l));
  return api::LeaseData{std::move(view)};
}

Result<api::LeaseData> LeaseService::terminate(const Caller& caller, const std::string& lease_id,
                                               const api::LeaseReasonRequest& req, const RequestContext& ctx) {
  TRY_ASSIGN(Lease l, find(lease_id));
  TRY(supplier_side(caller, l));
  if (!holds_units(l.state))
    return fail(ErrorCode::Conflict,
                fmt::format("lease {} has already ended ({})", lease_id, lease_state_name(l.state)));
  TRY_ASSIGN(l, end(l, EndReason::Terminated, req.reason, &caller.account, ctx));
  TRY_ASSIGN(api::LeaseView view, lease_view(l));
  return api::LeaseData{std::move(view)};
}

Result<api::Ledger> LeaseService::ledger(const Caller& caller, const api::MonthQuery& query, bool earnings) {
  if (earnings && caller.account.role != Role::Supplier)
    return fail(ErrorCode::Forbidden, "earnings are a supplier's; users see their bills with cpshare bills");
  TRY_ASSIGN(auto range, month_range(config_.calendar, query.month.value_or(""), clock_.now()));
  TRY_ASSIGN(auto rows, store_.leases().ledger(caller.account.id, range.second.first, range.second.second));
  api::Ledger out{month_text(range.first), std::string(config_.calendar.zone_name()), {}, std::nullopt};
  out.items.reserve(rows.size());
  // Each amount fits int64 (billing::kMaxAmount); their sum may not, so it is
  // added up in 128 bits, and a month whose total no int64 holds says so (null).
  __extension__ __int128 sum = 0;
  for (const auto& e : rows) {
    sum += e.amount;
    out.items.push_back({api::Time{e.at}, e.lease, e.kind, e.amount});
  }
  if (sum >= INT64_MIN && sum <= INT64_MAX) out.total = static_cast<std::int64_t>(sum);
  return out;
}

Result<std::vector<Revocation>> LeaseService::end_all(const Account& account, const RequestContext& ctx) {
  std::vector<Revocation> queued;
  TRY(store_.atomically([&]() -> Result<> {  // joins the caller's transaction, if any
    for (bool as_supplier : {false, true}) {
      LeaseQuery q;
      (as_supplier ? q.supplier_id : q.user_id) = account.id;
      q.states = {LeaseState::Requested, LeaseState::Approved, LeaseState::Provisioning, LeaseState::Active};
      q.limit = 100000;
      TRY_ASSIGN(auto rows, store_.leases().query(q));
      for (const auto& l : rows)
        TRY_CTX(end_in_tx(l, EndReason::Deregistered, "", &account, ctx, queued),
                fmt::format("end lease {}", l.lease_id));
    }
    return {};
  }));
  return queued;
}

Result<api::Deregistered> LeaseService::deregister(ProfileService& profile, const Caller& caller,
                                                   const api::Deregistration& req, const RequestContext& ctx) {
  std::vector<Revocation> queued;
  TRY_ASSIGN(api::Deregistered out, profile.deregister(caller, req, ctx, [&](const Account& closed) -> Result<> {
    TRY_ASSIGN(queued, end_all(closed, ctx));
    return {};
  }));
  start_revocations(std::move(queued));
  return out;
}

void LeaseService::tick() {
  const std::int64_t now = clock_.now();
  const RequestContext scheduler{"scheduler", ""};
  LeaseQuery q;
  q.due_before = now;
  q.open_hourly_started_before = now - billing::kOpenHourlyHorizonHours * 3600;  // its guaranteed life is over
  q.limit = 200;
  auto due = store_.leases().query(q);
  if (!due) log_.error("scheduler: read the leases due: {}", due.error().message);
  std::vector<Revocation> queued;
  for (const auto& l : due ? *due : std::vector<Lease>{}) {
    const bool undecided = l.state == LeaseState::Requested || l.state == LeaseState::Approved;
    const EndReason reason = undecided ? EndReason::Lapsed : EndReason::Expired;
    std::vector<Revocation> mine;  // only once the end is committed
    bool bill_failed = false;
    auto ended = store_.atomically([&]() -> Result<> {
      TRY_ASSIGN(Lease out, end_in_tx(l, reason, "", nullptr, scheduler, mine));
      bill_failed = out.bill_failed;
      return {};
    });
    if (!ended) {
      log_.error("scheduler: end lease {} ({}): {}", l.lease_id, enum_name(reason), ended.error().message);
      continue;
    }
    if (bill_failed)
      log_.warn("scheduler: lease {} {}, but its bill could not be computed; flagged for the admin (lease_bill_failed)",
                l.lease_id, enum_name(reason));
    queued.insert(queued.end(), mine.begin(), mine.end());
  }
  for (auto& r : queued)
    if (auto done = revoke(std::move(r)); !done) log_.warn("scheduler: {}", done.error().message);
  auto pending = store_.leases().revocations_due(now);
  if (!pending) log_.error("scheduler: read the account removals due: {}", pending.error().message);
  for (const auto& r : pending ? *pending : std::vector<Revocation>{})
    if (auto done = revoke(r); !done) log_.warn("scheduler: {}", done.error().message);
}

// The endpoints of leases and billing (api/leases.hpp): request, list and show;
// the supplier's decisions and the ends of a lease; redeeming a code; the ledger.
void LeaseService::bind(EndpointTable& t) {
  using namespace api::endpoint;
  using api::PathParams;
  t.bind<RequestLease>([this](const Caller& c, const api::LeaseRequest& r, const RequestContext& ctx,
                              const PathParams&) { return request(c, r, ctx); });
  t.bind<ListLeases>([this](const Caller& c, const api::LeaseListQuery& q, const RequestContext&, const PathParams&) {
    return list(c, q);
  });
  t.bind<ShowLease>([this](const Caller& c, const api::LeaseShowQuery& q, const RequestContext&, const PathParams& p) {
    return show(c, p["lease_id"], q);
  });
  t.bind<LeaseReport>([this](const Caller& c, const api::NoRequest&, const RequestContext&, const PathParams& p) {
    return report(c, p["lease_id"]);
  });
  t.bind<ApproveLease>([this](const Caller& c, const api::AnyBody&, const RequestContext& ctx, const PathParams& p) {
    return approve(c, p["lease_id"], ctx);
  });
  t.bind<RejectLease>([this](const Caller& c, const api::LeaseReasonRequest& r, const RequestContext& ctx,
                             const PathParams& p) { return reject(c, p["lease_id"], r, ctx); });
  t.bind<ReleaseLease>([this](const Caller& c, const api::AnyBody&, const RequestContext& ctx, const PathParams& p) {
    return release(c, p["lease_id"], ctx);
  });
  t.bind<TerminateLease>([this](const Caller& c, const api::LeaseReasonRequest& r, const RequestContext& ctx,
                                const PathParams& p) { return terminate(c, p["lease_id"], r, ctx); });
  t.bind<Redeem>([this](const Caller& c, const api::RedeemRequest& r, const RequestContext& ctx, const PathParams&) {
    return redeem(c, r, ctx);
  });
  t.bind<CheckCode>([this](const Caller& c, const api::RedeemRequest& r, const RequestContext& ctx, const PathParams&) {
    return check_code(c, r, ctx);
  });
  t.bind<Bills>([this](const Caller& c, const api::MonthQuery& q, const RequestContext&, const PathParams&) {
    return ledger(c, q, false);
  });
  t.bind<Earnings>([this](const Caller& c, const api::MonthQuery& q, const RequestContext&, const PathParams&) {
    return ledger(c, q, true);
  });
}

}  // namespace cpshare
