#include "api/leases.hpp"

#include <fmt/format.h>

#include "catalog/cluster.hpp"
#include "domain/fields.hpp"
#include "util/clock.hpp"

namespace cpshare::api {

namespace {

// The first value of a query parameter, as httplib's get_param_value; "" when absent.
std::string query_param(const Query& q, const char* name) {
  auto it = q.lower_bound(name);
  return it == q.end() || it->first != name ? std::string() : it->second;
}

// Absent: false; otherwise exactly "true" or "false".
Result<bool> query_bool(const Query& q, const char* name) {
  if (!q.contains(name)) return false;
  const std::string v = query_param(q, name);
  if (v != "true" && v != "false") return fail_fields({{name, "must be true or false"}});
  return v == "true";
}

// Stored JSON text (a lease row's) read as T; INTERNAL naming `what` and the member that does not fit.
template <class T>
Result<T> read_stored(std::string_view text, std::string_view what) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return fail(ErrorCode::Internal, fmt::format("the stored {} is not JSON", what));
  T out{};
  detail::DecodeError err;
  if (!detail::decode_into(j, out, "", err))
    return fail(ErrorCode::Internal,
                fmt::format("the stored {} does not fit: {}: expected {}", what, err.path, err.expected));
  return out;
}

}  // namespace

Result<LeaseCluster> lease_cluster_from_snapshot(std::string_view text) {
  return read_stored<LeaseCluster>(text, "cluster snapshot");
}

Result<LeaseAccess> lease_access_from_text(std::string_view text) {
  return read_stored<LeaseAccess>(text, "access details");
}

Result<LeasePlatformAccess> lease_platform_access_from_text(std::string_view text) {
  return read_stored<LeasePlatformAccess>(text, "platform access details");
}

Result<LeaseRequest> LeaseRequest::from_body(const json& body) {
  Fields f(body, {"cpc_id", "units", "nodes", "billing", "periods", "ssh_public_key", "environment"});
  auto cpc_id = f.text("cpc_id", true, 32);
  auto units = f.integer("units", false, 1, 4096);
  auto nodes = f.integer("nodes", false, 1, catalog::kMaxNodes);
  if (f.has("units") && f.has("nodes"))
    f.error("nodes", "give units (B-class: that many GPUs) or nodes (A-class: that many whole nodes), not both");
  else if (!f.has("units") && !f.has("nodes"))
    f.error("units", "is required: units N for a B-class cluster, or nodes N (whole nodes) for an A-class one");
  auto mode_text = f.text("billing", true, 16);
  auto periods = f.integer("periods", false, 1, 87840);
  auto key = f.text("ssh_public_key", false, 16384);
  auto environment = f.text("environment", false, 64);
  std::optional<catalog::BillingMode> mode;
  if (mode_text) {
    mode = enum_parse<BillingMode>(*mode_text);
    if (!mode) f.error("billing", "must be hourly, daily, monthly or yearly");
  }
  if (key && (key->find('\n') != std::string::npos || !(key->starts_with("ssh-") || key->starts_with("ecdsa-"))))
    f.error("ssh_public_key", "must be one OpenSSH public key line, e.g. the contents of ~/.ssh/id_ed25519.pub");
  if (!f.ok()) return std::unexpected(f.failure());
  return LeaseRequest{*cpc_id, units, nodes, *mode, periods, key, environment};
}

Result<LeaseListQuery> LeaseListQuery::from_query(const Query& q) {
  LeaseListQuery out;
  TRY_ASSIGN(out.incoming, query_bool(q, "incoming"));
  if (const std::string state = query_param(q, "state"); !state.empty()) {
    out.state = enum_parse<LeaseState>(state);
    if (!out.state)
      return fail_fields({{"state", "must be requested, approved, provisioning, active, ended, rejected or lapsed"}});
  }
  return out;
}

Result<LeaseShowQuery> LeaseShowQuery::from_query(const Query& q) {
  LeaseShowQuery out;
  TRY_ASSIGN(out.access, query_bool(q, "access"));
  return out;
}

Result<LeaseReasonRequest> LeaseReasonRequest::from_body(const json& body) {
  Fields f(body, {"reason"});
  auto reason = f.prose("reason", true, 500);
  if (!f.ok()) return std::unexpected(f.failure());
  return LeaseReasonRequest{*reason};
}

Result<RedeemRequest> RedeemRequest::from_body(const json& body) {
  Fields f(body, {"code"});
  auto code = f.text("code", true, 64);
  if (!f.ok()) return std::unexpected(f.failure());
  return RedeemRequest{*code};
}

Result<MonthQuery> MonthQuery::from_query(const Query& q) {
  MonthQuery out;
  if (std::string month = query_param(q, "month"); !month.empty()) {
    if (!parse_month(month))
      return fail_fields({{"month", "must be YYYY-MM with a month from 01 to 12, e.g. 2026-11"}});
    out.month = std::move(month);
  }
  return out;
}

}  // namespace cpshare::api
