#include "api/catalog.hpp"

#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "domain/fields.hpp"

namespace cpshare::api {

namespace {

// A body the catalogue's parser accepted, read as T (a request type that lists the same members).
// The parser checked every member's shape, so a mismatch here is a programming error: Internal.
template <class T>
Result<T> read_checked(const json& body) {
  T out{};
  detail::DecodeError err;
  if (!detail::decode_into(body, out, "", err))
    return fail(ErrorCode::Internal,
                fmt::format("a checked request does not fit its type: {}: expected {}", err.path, err.expected));
  return out;
}

// The first value of a query parameter, as httplib's get_param_value.
std::optional<std::string> first_param(const Query& q, const char* name) {
  auto it = q.lower_bound(name);
  if (it == q.end() || it->first != name) return std::nullopt;
  return it->second;
}

Result<std::optional<std::int64_t>> query_integer(const Query& q, const char* name, std::int64_t min,
                                                  std::int64_t max) {
  auto v = first_param(q, name);
  if (!v) return std::optional<std::int64_t>{};
  std::int64_t n = 0;
  const char* end = v->data() + v->size();
  auto [ptr, ec] = std::from_chars(v->data(), end, n);
  if (ec == std::errc() && ptr == end && !v->empty() && n >= min && n <= max) return std::optional<std::int64_t>{n};
  return fail_fields({{name, fmt::format("must be an integer from {} to {}", min, max)}});
}

}  // namespace

// ------------------------------------------------------------------ views

ClusterView cluster_view(const catalog::Cluster& c, Viewer viewer) {
  ClusterView v;
  v.cpc_id = c.cpc_id;
  v.owner = c.owner;
  v.cls = std::string(1, c.cluster_class);
  v.resource_type = c.resource_type;
  v.model = c.model;
  v.units = c.units;
  v.units_free = c.units_free;
  if (c.cluster_class == 'A') {
    v.nodes = static_cast<std::int64_t>(c.nodes.size());
    v.nodes_free = c.nodes_free;
  }
  v.unit_memory = c.unit_memory;
  v.memory = c.memory;
  v.vcpus = c.vcpus;
  v.prices = {c.prices.hourly, c.prices.daily, c.prices.monthly, c.prices.yearly};
  v.billing_modes = c.prices.modes();
  v.vendor = c.vendor;
  v.location = c.location;
  v.region = c.region;
  v.storage = {c.storage_bytes, c.storage_desc};
  v.software = {c.cuda, c.cudnn, c.python, c.frameworks};
  v.description = c.description;
  if (c.cluster_class == 'A') {
    v.usage = c.usage;
    v.access.method = "ssh";
    if (viewer == Viewer::Owner) {
      v.access.nodes.emplace();
      for (const catalog::Node& n : c.nodes)
        v.access.nodes->push_back({n.host, n.port, n.user, n.units, n.device_ids,
                                   n.host_key.empty() ? std::nullopt : std::optional<std::string>(n.host_key)});
    }
  } else {
    v.access.method = "platform";
    v.access.platform_url = c.platform_url;
    v.access.environments = c.environments;
  }
  v.status = c.status;
  if (c.created_at) v.created_at = Time{c.created_at};
  if (c.updated_at) v.updated_at = Time{c.updated_at};
  v.health = c.health;
  if (c.last_report_at) v.last_report_at = Time{*c.last_report_at};
  if (c.reliability_ppm) v.reliability = static_cast<double>(*c.reliability_ppm) / 1e6;
  return v;
}

// ------------------------------------------------------------------ requests

Result<ListClustersQuery> ListClustersQuery::from_query(const Query& q) {
  ListClustersQuery out;
  out.filter = first_param(q, "filter");
  out.sort = first_param(q, "sort");
  TRY_ASSIGN(out.limit, query_integer(q, "limit", 1, kMaxLimit));
  TRY_ASSIGN(out.offset, query_integer(q, "offset", 0, std::numeric_limits<int>::max()));
  if (auto mine = first_param(q, "mine")) {
    if (*mine != "true" && *mine != "false") return fail_fields({{"mine", "must be true or false"}});
    out.mine = *mine == "true";
  }
  out.region = first_param(q, "region");
  return out;
}

Result<PublishClusterRequest> PublishClusterRequest::from_body(const json& body) {
  TRY(catalog::cluster_from_publish(body));
  return read_checked<PublishClusterRequest>(body);
}

Result<catalog::Cluster> PublishClusterRequest::to_cluster() const {
  return catalog::cluster_from_publish(encode(*this));
}

Result<PatchClusterRequest> PatchClusterRequest::from_body(const json& body) {
  TRY(catalog::check_update(body));
  return read_checked<PatchClusterRequest>(body);
}

Result<catalog::Cluster> PatchClusterRequest::apply_to(const catalog::Cluster& current) const {
  return catalog::apply_update(current, encode(*this));
}

std::vector<std::string> PatchClusterRequest::field_names() const {
  std::vector<std::string> out;
  const json body = encode(*this);
  for (const auto& [name, _] : body.items()) out.push_back(name);
  return out;
}

Result<SetUnitRequest> SetUnitRequest::from_body(const json& body) {
  Fields f(body, {"status"});
  auto text = f.text("status", true, 16);
  const auto status = text ? enum_parse<UnitStatus>(*text) : std::nullopt;
  if (text && status != UnitStatus::Idle && status != UnitStatus::Offline)
    f.error("status", "must be idle or offline (busy is set by leases)");
  if (!f.ok()) return fail(f.failure());
  return SetUnitRequest{status.value_or(UnitStatus::Idle)};
}

Result<VerifyRequest> VerifyRequest::from_body(const json& body) {
  Fields f(body, {"repin"});
  auto repin = f.boolean("repin", false);
  if (!f.ok()) return fail(f.failure());
  return VerifyRequest{repin};
}

}  // namespace cpshare::api
