#include "service/catalog.hpp"

#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "catalog/filter.hpp"
#include "domain/normalize.hpp"
#include "ssh/ssh.hpp"
#include "util/text.hpp"

namespace cpshare {

using api::Viewer;
using catalog::Cluster;

namespace {

bool is_owner(const Caller& caller, const Cluster& c) { return c.owner_id == caller.account.id; }

Viewer viewer_for(const Caller& caller, const Cluster& c) {
  return is_owner(caller, c) || caller.is_admin() ? Viewer::Owner : Viewer::Public;
}

std::vector<api::UnitView> unit_views(const Cluster& c, const std::vector<UnitRow>& rows) {
  std::vector<api::UnitView> items;
  items.reserve(rows.size());
  for (const auto& u : rows)
    items.push_back({u.index, u.status, u.lost_since ? std::optional(api::Time{*u.lost_since}) : std::nullopt,
                     c.cluster_class == 'A' ? std::optional<std::int64_t>(u.node) : std::nullopt});
  return items;
}

// An A-class node the platform would never connect to (a literal address
// outside cpshared --supplier-networks: loopback, link-local, ...) is refused
// when it is published or changed, as the field it came in (issue 12:
// access.ssh_host for a cluster of one node, access.nodes[K].host for more);
// a name is checked each time the platform connects. `before`: the nodes as
// they were (only new hosts are checked); `listed`: the request gave
// access.nodes (so a single node is named so too).
Result<> check_node_hosts(ssh::SupplierHost& host, const Cluster& c, const std::vector<catalog::Node>& before = {},
                          bool listed = false) {
  if (c.cluster_class != 'A') return {};
  std::vector<FieldError> refused;
  for (std::size_t k = 0; k < c.nodes.size(); ++k) {
    const std::string& h = c.nodes[k].host;
    if (std::ranges::any_of(before, [&](const catalog::Node& n) { return n.host == h; })) continue;
    auto allowed = host.check_address(h);
    if (!allowed && allowed.error().code != ErrorCode::Forbidden) return allowed;
    if (!allowed)
      refused.push_back(
          {c.nodes.size() == 1 && !listed ? std::string("access.ssh_host") : fmt::format("access.nodes[{}].host", k),
           allowed.error().message});
  }
  if (!refused.empty()) return fail_fields(std::move(refused));
  return {};
}

}  // namespace

CatalogService::CatalogService(Store& store, const crypto::KeyRing& keys, ssh::SupplierHost& host, const Clock& clock)
    : store_(store), keys_(keys), host_(host), clock_(clock) {}

Result<std::optional<api::ProvisioningView>> CatalogService::provisioning_view(const Caller& caller, const Cluster& c) {
  if (c.cluster_class != 'A' || (!is_owner(caller, c) && !caller.is_admin()))
    return std::optional<api::ProvisioningView>{};
  TRY_ASSIGN(ClusterSecrets s, store_.catalog().secrets(c.id));
  api::ProvisioningView v{s.ssh_public_key, 0};
  for (const catalog::Node& n : c.nodes)
    if (n.host_key.empty()) ++v.nodes_unverified;
  return std::optional<api::ProvisioningView>{std::move(v)};
}

Result<Cluster> CatalogService::visible(const Caller& caller, const std::string& cpc_id) {
  if (!catalog::is_cpc_id(cpc_id))
    return fail(ErrorCode::NotFound, fmt::format("'{}' is not a CPcId (they look like cp-7k2m9x4qvd)", cpc_id));
  TRY_ASSIGN(auto c, store_.catalog().by_cpc_id(cpc_id));
  if (!c || (c->status == catalog::ClusterStatus::Delisted && !is_owner(caller, *c) && !caller.is_admin()))
    return fail(ErrorCode::NotFound, fmt::format("no cluster {}", cpc_id));
  return std::move(*c);
}

Result<Cluster> CatalogService::owned(const Caller& caller, const std::string& cpc_id) {
  TRY_ASSIGN(Cluster c, visible(caller, cpc_id));
  if (!is_owner(caller, c) && !caller.is_admin())
    return fail(
        ErrorCode::Forbidden,
        caller.account.role == Role::Supplier
            ? fmt::format("cluster {} belongs to another supplier: only its supplier or an admin may manage it", cpc_id)
            : fmt::format("only cluster {}'s supplier or an admin may manage it", cpc_id));
  return c;
}

Result<api::PublishedCluster> CatalogService::publish(const Caller& caller, const api::PublishClusterRequest& req,
                                                      const RequestContext& ctx) {
  const Account& a = caller.account;
  if (a.role != Role::Supplier)
    return fail(ErrorCode::Forbidden, "only suppliers publish clusters; register with cpshare register --supplier");
  if (a.status != AccountStatus::Active)
    return fail(ErrorCode::Forbidden, fmt::format("your supplier account is {}; an administrator must approve it "
                                                  "before you can publish",
                                                  status_name(a.status)));
  TRY_ASSIGN(Cluster c, req.to_cluster());
  TRY(check_node_hosts(host_, c, {}, req.access.nodes.has_value()));
  c.cpc_id = catalog::new_cpc_id();
  c.owner_id = a.id;
  c.owner = a.username;
  c.created_at = c.updated_at = clock_.now();
  c.units_free = c.units;
  // A-class: a provisioning key the supplier installs for the admin user; the
  // private half never leaves the daemon and is sealed at rest. B-class: a
  // token for the cluster's monitoring agent, shown once and stored hashed.
  ClusterSecrets secrets;
  std::string agent_token;
  if (c.cluster_class == 'A') {
    // generate_ed25519 prefixes "cpshare-": the comment reads "cpshare-cp-…".
    TRY_ASSIGN(ssh::KeyPair kp, ssh::generate_ed25519(c.cpc_id));
    secrets.ssh_key_cipher = keys_.seal(kp.private_openssh);
    secrets.ssh_public_key = kp.public_line;
  } else {
    agent_token = std::string(catalog::kAgentTokenPrefix) + crypto::random_token(32);
    secrets.agent_token_hash = keys_.token_hash(agent_token);
  }
  TRY(store_.atomically([&]() -> Result<> {
    TRY_ASSIGN(c.id, store_.catalog().insert(c));
    TRY(store_.catalog().set_secrets(c.id, secrets));
    return write_audit(store_, clock_, AuditEventName::ClusterPublished, &caller.account, ctx, {{"cpc_id", c.cpc_id}});
  }));
  api::PublishedCluster out{api::cluster_view(c, Viewer::Owner), std::nullopt, std::nullopt};
  if (!secrets.ssh_public_key.empty()) out.provisioning_public_key = secrets.ssh_public_key;
  if (!agent_token.empty()) out.agent_token = agent_token;
  return out;
}

Result<api::ClusterPage> CatalogService::list(const Caller& caller, const api::ListClustersQuery& req) {
  const std::int64_t limit = req.limit_or_default(), offset = req.offset_or_default();
  if (limit < 1 || limit > api::ListClustersQuery::kMaxLimit) return fail_fields({{"limit", "must be from 1 to 500"}});
  if (offset < 0 || offset > std::numeric_limits<int>::max()) return fail_fields({{"offset", "must be 0 or more"}});
  ClusterQuery q;
  // Operators and values typed with a Chinese input method ("ｕｎｉｔｓ＿ｆｒｅｅ＞＝４") are the
  // ASCII they mean (issue 8, NFKC); Chinese place names are unchanged by it.
  TRY_ASSIGN(q.filter, catalog::compile_filter(normalize::field(req.filter.value_or(""))));
  if (req.sort && !req.sort->empty()) {
    TRY_ASSIGN(q.sort, catalog::parse_sort(*req.sort));
  }
  if (req.mine.value_or(false)) {
    q.owner_id = caller.account.id;
    q.available_only = false;
  }
  // R-API-IUS: the caller's region first, unless they ask for any.
  const std::string region = req.region.value_or("");
  if (region.empty()) {
    if (caller.account.region) q.region_first = *caller.account.region;
  } else if (region != "any") {
    q.region_first = region;
  }
  q.limit = static_cast<int>(limit);
  q.offset = static_cast<int>(offset);
  TRY_ASSIGN(auto rows, store_.catalog().query(q));
  api::ClusterPage page{{}, limit, offset};
  page.items.reserve(rows.size());
  for (const auto& c : rows) page.items.push_back(api::cluster_view(c, viewer_for(caller, c)));
  return page;
}

Result<api::ClusterDetail> CatalogService::show(const Caller& caller, const std::string& cpc_id) {
  TRY_ASSIGN(Cluster c, visible(caller, cpc_id));
  TRY_ASSIGN(auto rows, store_.catalog().units(c.id));
  TRY_ASSIGN(auto provisioning, provisioning_view(caller, c));
  return api::ClusterDetail{api::cluster_view(c, viewer_for(caller, c)), unit_views(c, rows), std::move(provisioning)};
}

// The modify pattern of AccountCore: the cluster is read, changed and
// written back in one transaction (the writer is held from the read to the
// write), so two changes that race both land; neither writes back a stale copy
// of the columns the other changed.
Result<Cluster> CatalogService::modify(const Caller& caller, const std::string& cpc_id,
                                       const std::function<Result<>(Cluster&)>& change,
                                       const std::function<Result<>(const Cluster&)>& after) {
  Cluster out;
  TRY(store_.atomically([&]() -> Result<> {
    TRY_ASSIGN(Cluster c, owned(caller, cpc_id));  // inside the transaction: reads on the writer
    TRY(change(c));
    c.updated_at = clock_.now();
    TRY(store_.catalog().update(c));
    TRY(after(c));
    TRY_ASSIGN(auto stored, store_.catalog().by_cpc_id(cpc_id));  // as written (units_free recounted)
    out = std::move(stored).value_or(std::move(c));
    return {};
  }));
  return out;
}

Result<api::ClusterChanged> CatalogService::update(const Caller& caller, const std::string& cpc_id,
                                                   const api::PatchClusterRequest& req, const RequestContext& ctx) {
  const json fields = req.field_names();
  TRY_ASSIGN(Cluster stored, modify(
                                 caller, cpc_id,
                                 [&](Cluster& c) -> Result<> {
                                   const std::vector<catalog::Node> before = c.nodes;
                                   TRY_ASSIGN(c, req.apply_to(c));
                                   return check_node_hosts(host_, c, before);
                                 },
                                 [&](const Cluster&) {
                                   return write_audit(store_, clock_, AuditEventName::ClusterUpdated, &caller.account,
                                                      ctx, {{"cpc_id", cpc_id}, {"fields", fields}});
                                 }));
  return api::ClusterChanged{api::cluster_view(stored, Viewer::Owner)};
}

Result<api::ClusterChanged> CatalogService::set_listed(const Caller& caller, const std::string& cpc_id, bool listed,
                                                       const RequestContext& ctx) {
  TRY_ASSIGN(Cluster stored,
             modify(
                 caller, cpc_id,
                 [&](Cluster& c) -> Result<> {
                   c.status = listed ? catalog::ClusterStatus::Listed : catalog::ClusterStatus::Delisted;
                   return {};
                 },
                 [&](const Cluster&) {
                   return write_audit(store_, clock_,
                                      listed ? AuditEventName::ClusterRelisted : AuditEventName::ClusterDelisted,
                                      &caller.account, ctx, {{"cpc_id", cpc_id}});
                 }));
  return api::ClusterChanged{api::cluster_view(stored, Viewer::Owner)};
}

Result<api::UnitList> CatalogService::units(const Caller& caller, const std::string& cpc_id) {
  TRY_ASSIGN(Cluster c, visible(caller, cpc_id));
  TRY_ASSIGN(auto rows, store_.catalog().units(c.id));
  return api::UnitList{unit_views(c, rows)};
}

Result<api::VerifyResult> CatalogService::verify(const Caller& caller, const std::string& cpc_id,
                                                 const api::VerifyRequest& req, const RequestContext& ctx) {
  const bool repin = req.repin.value_or(false);
  TRY_ASSIGN(Cluster c, owned(caller, cpc_id));
  if (c.cluster_class != 'A')
    return fail(ErrorCode::Conflict, fmt::format("{} is a B-class cluster: it is reached through its platform, "
                                                 "not over SSH",
                                                 cpc_id));
  TRY_ASSIGN(ClusterSecrets s, store_.catalog().secrets(c.id));
  TRY_ASSIGN(std::string key, keys_.open_string(s.ssh_key_cipher));
  // Every node is probed first; the keys are pinned together, or none is: a
  // node pinned on first contact is one whose fingerprint the supplier saw.
  api::VerifyResult out{{}, api::Time{clock_.now()}};
  for (std::size_t k = 0; k < c.nodes.size(); ++k) {
    auto v = verify_node(caller, c, k, key, repin, out.nodes, ctx);
    if (!v) {
      Error e = v.error();
      if (k > 0) e.message += "; no node was pinned";
      return std::unexpected(e);
    }
    out.nodes.push_back(std::move(*v));
  }
  auto pinned = store_.atomically([&]() -> Result<> {
    for (std::size_t k = 0; k < c.nodes.size(); ++k) TRY(pin(caller, c, k, out.nodes[k].fingerprint, ctx));
    return {};
  });
  if (!pinned) {
    Error e = std::move(pinned.error()).context(fmt::format("verify {}", c.cpc_id));
    if (c.nodes.size() > 1) e.message += "; no node was pinned";
    return std::unexpected(e);
  }
  return out;
}

// Pins node k's key as verified (audited), when it changed; re-pinning lets
// removals a changed key held up go ahead.
Result<> CatalogService::pin(const Caller& caller, const Cluster& c, std::size_t k, const std::string& fingerprint,
                             const RequestContext& ctx) {
  const catalog::Node& n = c.nodes[k];
  const std::string& previous = n.host_key;
  if (fingerprint == previous) return {};
  TRY(store_.catalog().pin_node(c.id, k, n, fingerprint));
  if (!previous.empty()) TRY(store_.leases().hasten_revocations(c.id, clock_.now()));
  return write_audit(store_, clock_, previous.empty() ? AuditEventName::HostKeyPinned : AuditEventName::HostKeyRepinned,
                     &caller.account, ctx,
                     {{"cpc_id", c.cpc_id}, {"node", k}, {"fingerprint", fingerprint}, {"previous", previous}});
}

// One node: probe it against its pin (none with repin), pin what it showed.
Result<api::NodeVerified> CatalogService::verify_node(const Caller& caller, const Cluster& c, std::size_t k,
                                                      const std::string& key, bool repin,
                                                      const std::vector<api::NodeVerified>& earlier,
                                                      const RequestContext& ctx) {
  const catalog::Node& n = c.nodes[k];
  // The error names the host and port itself ("ssh to gpu02:22: ..."); with several nodes, which one.
  const std::string where = c.nodes.size() == 1 ? "" : fmt::format(" node {}", k);
  ssh::Target target{n.host, n.port, n.user, key, repin ? "" : n.host_key, 10, 60, {}, nullptr};
  auto probe = host_.verify(target);
  if (!probe) {
    Error e = probe.error();
    if (e.code == ErrorCode::Conflict) {
      e.message += fmt::format("; to accept the new key: cpshare cluster verify {} --repin", c.cpc_id);
      if (auto logged = write_audit(store_, clock_, AuditEventName::HostKeyChanged, &caller.account, ctx,
                                    {{"cpc_id", c.cpc_id}, {"node", k}, {"pinned", n.host_key}});
          !logged)
        e.message += fmt::format(" (the change could not be recorded in the audit log: {})", logged.error().message);
    }
    return std::unexpected(e.context(fmt::format("verify {}{}", c.cpc_id, where)));
  }
  // One machine listed twice (two names or addresses of it) would be leased twice.
  for (std::size_t j = 0; j < earlier.size(); ++j)
    if (earlier[j].fingerprint == probe->fingerprint)
      return fail(ErrorCode::Conflict,
                  fmt::format("verify {}: nodes {} and {} present the same host key {}: they are one machine; list it "
                              "once (cpshare update {} --file)",
                              c.cpc_id, j, k, probe->fingerprint, c.cpc_id));
  return api::NodeVerified{static_cast<std::int64_t>(k), n.host,          n.port,
                           probe->fingerprint,           probe->key_type, probe->fingerprint != n.host_key};
}

Result<api::UnitChanged> CatalogService::set_unit(const Caller& caller, const std::string& cpc_id,
                                                  const std::string& index, const api::SetUnitRequest& req,
                                                  const RequestContext& ctx) {
  const UnitStatus status = req.status;
  const int idx = text::parse_int<int>(index).value_or(-1);
  std::optional<api::Time> lost_since;
  std::optional<std::int64_t> node;
  // The cluster and its unit count are read in the transaction that sets the
  // unit, so an update racing this one cannot change them in between.
  TRY(store_.atomically([&]() -> Result<> {
    TRY_ASSIGN(Cluster c, owned(caller, cpc_id));
    if (idx < 0 || idx >= c.units)
      return fail(ErrorCode::NotFound,
                  fmt::format("cluster {} has units 0..{}; there is no unit {}", cpc_id, c.units - 1, index));
    TRY(store_.catalog().set_unit_status(c.id, idx, status, clock_.now()));
    TRY_ASSIGN(auto rows, store_.catalog().units(c.id));  // as written: a lost GPU stays flagged
    for (const auto& u : rows) {
      if (u.index == idx && u.lost_since) lost_since = api::Time{*u.lost_since};
      if (u.index == idx && c.cluster_class == 'A') node = u.node;
    }
    return write_audit(store_, clock_, AuditEventName::UnitStatusChanged, &caller.account, ctx,
                       {{"cpc_id", cpc_id}, {"unit", idx}, {"status", enum_name(status)}});
  }));
  return api::UnitChanged{{idx, status, lost_since, node}};
}

// The catalogue's endpoints (api/catalog.hpp): publish, list and filter, show,
// update; delist and relist, units, verify.
void CatalogService::bind(EndpointTable& t) {
  using namespace api::endpoint;
  using api::PathParams;
  t.bind<PublishCluster>([this](const Caller& c, const api::PublishClusterRequest& req, const RequestContext& ctx,
                                const PathParams&) { return publish(c, req, ctx); });
  t.bind<ListClusters>([this](const Caller& c, const api::ListClustersQuery& q, const RequestContext&,
                              const PathParams&) { return list(c, q); });
  t.bind<ShowCluster>([this](const Caller& c, const api::NoRequest&, const RequestContext&, const PathParams& p) {
    return show(c, p["cpc_id"]);
  });
  t.bind<UpdateCluster>([this](const Caller& c, const api::PatchClusterRequest& req, const RequestContext& ctx,
                               const PathParams& p) { return update(c, p["cpc_id"], req, ctx); });
  t.bind<DelistCluster>([this](const Caller& c, const api::AnyBody&, const RequestContext& ctx, const PathParams& p) {
    return set_listed(c, p["cpc_id"], false, ctx);
  });
  t.bind<RelistCluster>([this](const Caller& c, const api::AnyBody&, const RequestContext& ctx, const PathParams& p) {
    return set_listed(c, p["cpc_id"], true, ctx);
  });
  t.bind<ClusterUnits>([this](const Caller& c, const api::NoRequest&, const RequestContext&, const PathParams& p) {
    return units(c, p["cpc_id"]);
  });
  t.bind<SetUnit>([this](const Caller& c, const api::SetUnitRequest& req, const RequestContext& ctx,
                         const PathParams& p) { return set_unit(c, p["cpc_id"], p["index"], req, ctx); });
  t.bind<VerifyCluster>([this](const Caller& c, const api::VerifyRequest& req, const RequestContext& ctx,
                               const PathParams& p) { return verify(c, p["cpc_id"], req, ctx); });
}

}  // namespace cpshare
