#include "service/catalog.hpp"

#include <fmt/format.h>

#include "api/fields.hpp"
#include "catalog/filter.hpp"
#include "domain/normalize.hpp"
#include "ssh/ssh.hpp"

namespace cpshare {

using catalog::Cluster;
using catalog::Viewer;

namespace {

bool is_owner(const Caller& caller, const Cluster& c) { return c.owner_id == caller.account.id; }

Viewer viewer_for(const Caller& caller, const Cluster& c) {
  return is_owner(caller, c) || caller.is_admin() ? Viewer::Owner : Viewer::Public;
}

json unit_rows_json(const std::vector<UnitRow>& rows) {
  json items = json::array();
  for (const auto& u : rows) items.push_back({{"index", u.index}, {"status", u.status}});
  return items;
}

}  // namespace

CatalogService::CatalogService(Store& store, const crypto::KeyRing& keys, ssh::SupplierHost& host, const Clock& clock)
    : store_(store), keys_(keys), host_(host), clock_(clock) {}

Result<json> CatalogService::provisioning_json(const Caller& caller, const Cluster& c) {
  if (c.cluster_class != 'A' || (!is_owner(caller, c) && !caller.is_admin())) return json(nullptr);
  TRY_ASSIGN(ClusterSecrets s, store_.cluster_secrets(c.id));
  return json{{"public_key", s.ssh_public_key},
              {"host_key_fingerprint", s.ssh_host_key.empty() ? json(nullptr) : json(s.ssh_host_key)}};
}

Result<> CatalogService::audit(const std::string& event, const Caller& caller, const RequestContext& ctx, json detail) {
  AuditEvent e;
  e.at = clock_.now();
  e.event = event;
  e.account_id = caller.account.id;
  e.username = caller.account.username;
  e.ip = ctx.ip;
  e.detail_json = detail.dump();
  TRY(store_.append_audit(e));
  return {};
}

Result<Cluster> CatalogService::visible(const Caller& caller, const std::string& cpc_id) {
  if (!catalog::is_cpc_id(cpc_id))
    return fail(ErrorCode::NotFound, fmt::format("'{}' is not a CPcId (they look like cp-7k2m9x4qvd)", cpc_id));
  TRY_ASSIGN(auto c, store_.cluster_by_cpc_id(cpc_id));
  if (!c || (c->status == catalog::ClusterStatus::Delisted && !is_owner(caller, *c) && !caller.is_admin()))
    return fail(ErrorCode::NotFound, fmt::format("no cluster {}", cpc_id));
  return std::move(*c);
}

Result<Cluster> CatalogService::owned(const Caller& caller, const std::string& cpc_id) {
  TRY_ASSIGN(Cluster c, visible(caller, cpc_id));
  if (!is_owner(caller, c) && !caller.is_admin())
    return fail(ErrorCode::Forbidden, fmt::format("cluster {} belongs to another supplier", cpc_id));
  return c;
}

Result<json> CatalogService::publish(const Caller& caller, const json& body, const RequestContext& ctx) {
  const Account& a = caller.account;
  if (a.role != Role::Supplier)
    return fail(ErrorCode::Forbidden, "only suppliers publish clusters; register with cpshare register --supplier");
  if (a.status != AccountStatus::Active)
    return fail(ErrorCode::Forbidden, fmt::format("your supplier account is {}; an administrator must approve it "
                                                  "before you can publish",
                                                  status_name(a.status)));
  TRY_ASSIGN(Cluster c, catalog::cluster_from_publish(body));
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
    agent_token = "cpa_" + crypto::random_token(32);
    secrets.agent_token_hash = keys_.token_hash(agent_token);
  }
  TRY(store_.atomically([&]() -> Result<> {
    TRY_ASSIGN(c.id, store_.insert_cluster(c));
    TRY(store_.set_cluster_secrets(c.id, secrets));
    return audit("cluster_published", caller, ctx, {{"cpc_id", c.cpc_id}});
  }));
  return json{
      {"cluster", catalog::cluster_json(c, Viewer::Owner)},
      {"provisioning_public_key", secrets.ssh_public_key.empty() ? json(nullptr) : json(secrets.ssh_public_key)},
      {"agent_token", agent_token.empty() ? json(nullptr) : json(agent_token)}};
}

Result<json> CatalogService::list(const Caller& caller, const ListRequest& req) {
  if (req.limit < 1 || req.limit > 500) return fail_fields({{"limit", "must be from 1 to 500"}});
  if (req.offset < 0) return fail_fields({{"offset", "must be 0 or more"}});
  ClusterQuery q;
  // Operators and values typed with a Chinese input method ("ｕｎｉｔｓ＿ｆｒｅｅ＞＝４") are the
  // ASCII they mean (issue 8, NFKC); Chinese place names are unchanged by it.
  TRY_ASSIGN(q.filter, catalog::compile_filter(normalize::field(req.filter)));
  if (!req.sort.empty()) {
    TRY_ASSIGN(q.sort, catalog::parse_sort(req.sort));
  }
  if (req.mine) {
    q.owner_id = caller.account.id;
    q.available_only = false;
  }
  // R-API-IUS: the caller's region first, unless they ask for any.
  if (req.region.empty()) {
    if (caller.account.region) q.region_first = *caller.account.region;
  } else if (req.region != "any") {
    q.region_first = req.region;
  }
  q.limit = req.limit;
  q.offset = req.offset;
  TRY_ASSIGN(auto rows, store_.clusters(q));
  json items = json::array();
  for (const auto& c : rows) items.push_back(catalog::cluster_json(c, viewer_for(caller, c)));
  return json{{"items", items}, {"limit", req.limit}, {"offset", req.offset}};
}

Result<json> CatalogService::show(const Caller& caller, const std::string& cpc_id) {
  TRY_ASSIGN(Cluster c, visible(caller, cpc_id));
  TRY_ASSIGN(auto rows, store_.cluster_units(c.id));
  TRY_ASSIGN(json provisioning, provisioning_json(caller, c));
  return json{{"cluster", catalog::cluster_json(c, viewer_for(caller, c))},
              {"units", unit_rows_json(rows)},
              {"provisioning", provisioning}};
}

// The modify pattern of AccountService: the cluster is read, changed and
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
    TRY(store_.update_cluster(c));
    TRY(after(c));
    TRY_ASSIGN(auto stored, store_.cluster_by_cpc_id(cpc_id));  // as written (units_free recounted)
    out = std::move(stored).value_or(std::move(c));
    return {};
  }));
  return out;
}

Result<json> CatalogService::update(const Caller& caller, const std::string& cpc_id, const json& body,
                                    const RequestContext& ctx) {
  json fields = json::array();
  if (body.is_object())
    for (const auto& [k, _] : body.items()) fields.push_back(k);
  TRY_ASSIGN(Cluster stored,
             modify(
                 caller, cpc_id,
                 [&](Cluster& c) -> Result<> {
                   TRY_ASSIGN(c, catalog::apply_update(c, body));
                   return {};
                 },
                 [&](const Cluster&) {
                   return audit("cluster_updated", caller, ctx, {{"cpc_id", cpc_id}, {"fields", fields}});
                 }));
  return json{{"cluster", catalog::cluster_json(stored, Viewer::Owner)}};
}

Result<json> CatalogService::set_listed(const Caller& caller, const std::string& cpc_id, bool listed,
                                        const RequestContext& ctx) {
  TRY_ASSIGN(Cluster stored,
             modify(
                 caller, cpc_id,
                 [&](Cluster& c) -> Result<> {
                   c.status = listed ? catalog::ClusterStatus::Listed : catalog::ClusterStatus::Delisted;
                   return {};
                 },
                 [&](const Cluster&) {
                   return audit(listed ? "cluster_relisted" : "cluster_delisted", caller, ctx, {{"cpc_id", cpc_id}});
                 }));
  return json{{"cluster", catalog::cluster_json(stored, Viewer::Owner)}};
}

Result<json> CatalogService::units(const Caller& caller, const std::string& cpc_id) {
  TRY_ASSIGN(Cluster c, visible(caller, cpc_id));
  TRY_ASSIGN(auto rows, store_.cluster_units(c.id));
  return json{{"items", unit_rows_json(rows)}};
}

Result<json> CatalogService::verify(const Caller& caller, const std::string& cpc_id, const json& body,
                                    const RequestContext& ctx) {
  api::Fields f(body, {"repin"});
  bool repin = f.boolean("repin", false).value_or(false);
  if (!f.ok()) return std::unexpected(f.failure());
  TRY_ASSIGN(Cluster c, owned(caller, cpc_id));
  if (c.cluster_class != 'A')
    return fail(ErrorCode::Conflict, fmt::format("{} is a B-class cluster: it is reached through its platform, "
                                                 "not over SSH",
                                                 cpc_id));
  TRY_ASSIGN(ClusterSecrets s, store_.cluster_secrets(c.id));
  TRY_ASSIGN(std::string key, keys_.open_string(s.ssh_key_cipher));
  ssh::Target target{c.ssh_host, c.ssh_port, c.ssh_user, key, repin ? "" : s.ssh_host_key, 10, 60};
  auto probe = host_.verify(target);
  if (!probe) {
    Error e = probe.error();
    if (e.code == ErrorCode::Conflict) {
      (void)audit("host_key_changed", caller, ctx, {{"cpc_id", cpc_id}, {"pinned", s.ssh_host_key}});
      e.message += fmt::format("; to accept the new key: cpshare cluster verify {} --repin", cpc_id);
    }
    return std::unexpected(e.context(fmt::format("verify {}", cpc_id)));
  }
  std::string previous = s.ssh_host_key;
  if (probe->fingerprint != previous) {
    s.ssh_host_key = probe->fingerprint;
    TRY(store_.atomically([&]() -> Result<> {
      TRY(store_.set_cluster_secrets(c.id, s));
      return audit(previous.empty() ? "host_key_pinned" : "host_key_repinned", caller, ctx,
                   {{"cpc_id", cpc_id}, {"fingerprint", probe->fingerprint}, {"previous", previous}});
    }));
  }
  return json{{"fingerprint", probe->fingerprint},
              {"key_type", probe->key_type},
              {"pinned_now", probe->fingerprint != previous},
              {"verified_at", rfc3339(clock_.now())}};
}

Result<json> CatalogService::set_unit(const Caller& caller, const std::string& cpc_id, const std::string& index,
                                      const json& body, const RequestContext& ctx) {
  api::Fields f(body, {"status"});
  auto status = f.text("status", true, 16);
  if (status && *status != "idle" && *status != "offline")
    f.error("status", "must be idle or offline (busy is set by leases)");
  if (!f.ok()) return std::unexpected(f.failure());
  int idx = -1;
  try {
    std::size_t used = 0;
    idx = std::stoi(index, &used);
    if (used != index.size()) idx = -1;
  } catch (...) {}
  // The cluster and its unit count are read in the transaction that sets the
  // unit, so an update racing this one cannot change them in between.
  TRY(store_.atomically([&]() -> Result<> {
    TRY_ASSIGN(Cluster c, owned(caller, cpc_id));
    if (idx < 0 || idx >= c.units)
      return fail(ErrorCode::NotFound,
                  fmt::format("cluster {} has units 0..{}; there is no unit {}", cpc_id, c.units - 1, index));
    TRY(store_.set_unit_status(c.id, idx, *status, clock_.now()));
    return audit("unit_status_changed", caller, ctx, {{"cpc_id", cpc_id}, {"unit", idx}, {"status", *status}});
  }));
  return json{{"unit", {{"index", idx}, {"status", *status}}}};
}

}  // namespace cpshare
