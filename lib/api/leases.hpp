// Leases and the ledger (issue 4; R-LEASE-*, R-API-ITM; docs/design/leases.md):
// the request and response types of each lease and billing endpoint, shared by
// the daemon and the CLI (api/endpoint.hpp). Money is integer fen, times RFC
// 3339 UTC on the wire (api::Time), unit indices integers from 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "api/endpoint.hpp"
#include "api/enums.hpp"
#include "api/evaluation.hpp"

namespace cpshare::api {

// ------------------------------------------------------------------ the cluster a lease keeps

// The cluster's public view as it was when the lease was requested (the
// catalogue's view, Viewer::Public: the lease keeps it, so later changes to the
// cluster do not change what was leased). Prices fen per unit per period, null
// when the mode is not offered.
struct LeaseClusterPrices {
  std::optional<std::int64_t> hourly, daily, monthly, yearly;
};
template <>
struct Wire<LeaseClusterPrices> {
  static constexpr auto fields =
      std::tuple{member("hourly", &LeaseClusterPrices::hourly), member("daily", &LeaseClusterPrices::daily),
                 member("monthly", &LeaseClusterPrices::monthly), member("yearly", &LeaseClusterPrices::yearly)};
};

struct LeaseClusterStorage {
  std::int64_t total_bytes = 0;  // bytes of local storage
  std::string description;       // "2x3.84TB nvme data, 480GB ssd system"
};
template <>
struct Wire<LeaseClusterStorage> {
  static constexpr auto fields = std::tuple{member("total_bytes", &LeaseClusterStorage::total_bytes),
                                            member("description", &LeaseClusterStorage::description)};
};

struct LeaseClusterSoftware {
  std::optional<std::string> cuda, cudnn, python;  // versions, null when not given
  std::vector<std::string> frameworks;             // "pytorch 2.3"
};
template <>
struct Wire<LeaseClusterSoftware> {
  static constexpr auto fields = std::tuple{
      member("cuda", &LeaseClusterSoftware::cuda), member("cudnn", &LeaseClusterSoftware::cudnn),
      member("python", &LeaseClusterSoftware::python), member("frameworks", &LeaseClusterSoftware::frameworks)};
};

// How the cluster is reached, publicly: class A {"method": "ssh"} (its admin
// access is the owner's only); class B {"method": "platform", platform_url, environments}.
struct LeaseClusterAccess {
  std::string method;                                    // "ssh" | "platform"
  std::optional<std::string> platform_url;               // class B only (key left out for A)
  std::optional<std::vector<std::string>> environments;  // class B only (key left out for A)
};
template <>
struct Wire<LeaseClusterAccess> {
  static constexpr auto fields =
      std::tuple{member("method", &LeaseClusterAccess::method),
                 member("platform_url", &LeaseClusterAccess::platform_url, Presence::Omittable),
                 member("environments", &LeaseClusterAccess::environments, Presence::Omittable)};
};

struct LeaseCluster {
  std::string cpc_id;
  std::string owner;          // the supplier's username
  std::string cluster_class;  // "class": "A" (bare metal, SSH) or "B" (platform)
  std::string resource_type;  // "GPU", "NPU", "CPU"
  std::string model;          // "A100 80GB"
  std::int64_t units = 0;
  std::int64_t units_free = 0;  // idle units at the moment of the request
  // Class A: its nodes and the free ones at the moment of the request (left
  // out for B, and in snapshots taken before nodes existed).
  std::optional<std::int64_t> nodes, nodes_free;
  std::int64_t unit_memory = 0;  // bytes per accelerator
  std::int64_t memory = 0;       // bytes of host memory
  std::int64_t vcpus = 0;
  LeaseClusterPrices prices;
  std::vector<catalog::BillingMode> billing_modes;  // the offered modes, hourly first
  std::string vendor, location, region;
  LeaseClusterStorage storage;
  LeaseClusterSoftware software;
  std::string description;
  std::optional<std::string> usage;  // class A's usage instructions; null for B
  LeaseClusterAccess access;
  catalog::ClusterStatus status = catalog::ClusterStatus::Listed;
  std::optional<Time> created_at, updated_at;
};
template <>
struct Wire<LeaseCluster> {
  static constexpr auto fields = std::tuple{
      member("cpc_id", &LeaseCluster::cpc_id),
      member("owner", &LeaseCluster::owner),
      member("class", &LeaseCluster::cluster_class),
      member("resource_type", &LeaseCluster::resource_type),
      member("model", &LeaseCluster::model),
      member("units", &LeaseCluster::units),
      member("units_free", &LeaseCluster::units_free),
      member("nodes", &LeaseCluster::nodes, Presence::Omittable),
      member("nodes_free", &LeaseCluster::nodes_free, Presence::Omittable),
      member("unit_memory", &LeaseCluster::unit_memory),
      member("memory", &LeaseCluster::memory),
      member("vcpus", &LeaseCluster::vcpus),
      member("prices", &LeaseCluster::prices),
      member("billing_modes", &LeaseCluster::billing_modes),
      member("vendor", &LeaseCluster::vendor),
      member("location", &LeaseCluster::location),
      member("region", &LeaseCluster::region),
      member("storage", &LeaseCluster::storage),
      member("software", &LeaseCluster::software),
      member("description", &LeaseCluster::description),
      member("usage", &LeaseCluster::usage),
      member("access", &LeaseCluster::access),
      member("status", &LeaseCluster::status),
      member("created_at", &LeaseCluster::created_at),
      member("updated_at", &LeaseCluster::updated_at),
  };
};

// The snapshot a lease row keeps (leases.cluster_snapshot, JSON text) read
// back; INTERNAL naming the member when the stored text does not fit.
Result<LeaseCluster> lease_cluster_from_snapshot(std::string_view text);

// ------------------------------------------------------------------ the lease

// A B-class lease's progress through its cluster's agent (R-LEASE-6), shown to
// the cluster's supplier (and admins) only; null for the user. step:
// "provision" while provisioning, "deprovision" once ended until the agent
// confirmed the units freed, "done" after that, "none" while active.
// attempts, last_error, last_error_at: that step's failed hook runs so far.
// Class A: present (step "provision") while the last redeem failed to create
// the account on a node: last_error names the node and what it printed.
struct LeaseAgentStatus {
  std::string step;
  std::int64_t attempts = 0;
  std::optional<std::string> last_error;
  std::optional<Time> last_error_at;
  std::optional<Time> units_freed_at;  // when the agent confirmed the units freed
};
template <>
struct Wire<LeaseAgentStatus> {
  static constexpr auto fields = std::tuple{
      member("step", &LeaseAgentStatus::step), member("attempts", &LeaseAgentStatus::attempts),
      member("last_error", &LeaseAgentStatus::last_error), member("last_error_at", &LeaseAgentStatus::last_error_at),
      member("units_freed_at", &LeaseAgentStatus::units_freed_at)};
};

// A lease, the task record (R-API-ITM): every member always present, null
// where it does not apply yet.
struct LeaseView {
  std::string lease_id;  // "ls-3q9x2m7k4d"
  LeaseState state = LeaseState::Requested;
  std::string cpc_id;
  std::string cluster_class;  // "class": "A" | "B"
  std::string user;           // the leasing user's username
  std::string supplier;       // the cluster's supplier's username
  std::vector<int> units;     // the leased unit indices
  catalog::BillingMode billing = catalog::BillingMode::Hourly;
  std::int64_t unit_price = 0;  // fen per unit per period, as snapshotted at the request
  std::int64_t periods = 0;     // periods planned; 0: an hourly lease without a plan
  std::int64_t estimate = 0;    // fen: the prepaid amount, or the planned hours' estimate
  // fen: an active lease's cost so far; null unless active, or when it cannot be computed.
  std::optional<std::int64_t> running_cost;
  std::optional<std::int64_t> charged;   // fen, once ended (null when bill_failed)
  std::optional<std::int64_t> refunded;  // fen, once ended (null when bill_failed)
  bool bill_failed = false;              // ended, but its bill could not be computed (the admin settles it)
  Time created_at;
  std::optional<Time> decide_by;    // a requested or approved lease lapses after this
  std::optional<Time> started_at;   // active since (billing runs)
  std::optional<Time> planned_end;  // when an active lease expires; null for pay-as-you-go
  std::optional<Time> ended_at;
  // released, expired, terminated, deregistered, rejected, lapsed; null while it holds units.
  std::optional<EndReason> end_reason;
  std::optional<std::string> note;         // the supplier's reason (reject, terminate)
  LeaseCluster cluster;                    // the cluster as it was when requested
  std::optional<std::string> environment;  // B-class: the environment chosen; null for A or none offered
  std::optional<LeaseAgentStatus> agent;   // B-class, to its supplier and admins only
};
template <>
struct Wire<LeaseView> {
  static constexpr auto fields = std::tuple{
      member("lease_id", &LeaseView::lease_id),
      member("state", &LeaseView::state),
      member("cpc_id", &LeaseView::cpc_id),
      member("class", &LeaseView::cluster_class),
      member("user", &LeaseView::user),
      member("supplier", &LeaseView::supplier),
      member("units", &LeaseView::units),
      member("billing", &LeaseView::billing),
      member("unit_price", &LeaseView::unit_price),
      member("periods", &LeaseView::periods),
      member("estimate", &LeaseView::estimate),
      member("running_cost", &LeaseView::running_cost),
      member("charged", &LeaseView::charged),
      member("refunded", &LeaseView::refunded),
      member("bill_failed", &LeaseView::bill_failed),
      member("created_at", &LeaseView::created_at),
      member("decide_by", &LeaseView::decide_by),
      member("started_at", &LeaseView::started_at),
      member("planned_end", &LeaseView::planned_end),
      member("ended_at", &LeaseView::ended_at),
      member("end_reason", &LeaseView::end_reason),
      member("note", &LeaseView::note),
      member("cluster", &LeaseView::cluster),
      member("environment", &LeaseView::environment),
      member("agent", &LeaseView::agent),
  };
};

// One leased node of an A-class lease: where to log in, and the lease's units
// on it, by their index in the cluster and as CUDA numbers them on the node.
struct LeaseNodeAccess {
  std::int64_t node = 0;  // the node's number in the cluster, from 0
  std::string host;
  int port = 22;
  std::vector<int> gpu_indices;      // the lease's units on this node (cluster-wide indices)
  std::string cuda_visible_devices;  // the same units as the node's CUDA numbers them: "0,1,2,3"
};
template <>
struct Wire<LeaseNodeAccess> {
  static constexpr auto fields =
      std::tuple{member("node", &LeaseNodeAccess::node), member("host", &LeaseNodeAccess::host),
                 member("port", &LeaseNodeAccess::port), member("gpu_indices", &LeaseNodeAccess::gpu_indices),
                 member("cuda_visible_devices", &LeaseNodeAccess::cuda_visible_devices)};
};

// How the lease's user reaches an A-class lease's units: the SSH account
// made at redeem on every leased node (R-LEASE-5; the same name, password and
// key on each, so multi-node jobs over SSH work). Only its user sees it.
// host, port and cuda_visible_devices are the first node's (a lease of one
// node needs nothing else); nodes lists them all. Leases redeemed before
// nodes existed have no nodes member: their one host is host.
struct LeaseAccess {
  std::string method = "ssh";
  std::string host;
  int port = 22;
  std::string username;  // the lease's own account, "cpl_3q9x2m7k4d"
  std::string password;
  std::optional<std::string> ssh_key;  // "your public key is installed", or null without one
  std::vector<int> gpu_indices;        // the leased units (cluster-wide indices)
  std::string cuda_visible_devices;    // the first node's: "0,1"
  std::string usage;                   // the cluster's usage instructions
  std::optional<std::vector<LeaseNodeAccess>> nodes;
};
template <>
struct Wire<LeaseAccess> {
  static constexpr auto fields = std::tuple{
      member("method", &LeaseAccess::method),
      member("host", &LeaseAccess::host),
      member("port", &LeaseAccess::port),
      member("username", &LeaseAccess::username),
      member("password", &LeaseAccess::password),
      member("ssh_key", &LeaseAccess::ssh_key),
      member("gpu_indices", &LeaseAccess::gpu_indices),
      member("cuda_visible_devices", &LeaseAccess::cuda_visible_devices),
      member("usage", &LeaseAccess::usage),
      member("nodes", &LeaseAccess::nodes, Presence::Omittable),
  };
};

// The sealed access details a lease row keeps, opened, read back; INTERNAL
// naming the member when the text does not fit.
Result<LeaseAccess> lease_access_from_text(std::string_view text);

// How the lease's user reaches a B-class lease: the supplier's platform
// service, as the cluster's provision hook handed it over (R-LEASE-6). Sealed
// at rest like LeaseAccess; only its user sees it.
struct LeasePlatformAccess {
  std::string method = "platform";
  std::string url;
  std::string username;
  std::optional<std::string> password;  // a password, a token, or both
  std::optional<std::string> token;
  std::optional<std::string> notes;        // the hook's notes, one line
  std::optional<std::string> environment;  // the environment chosen
  std::vector<int> gpu_indices;            // the leased units
};
template <>
struct Wire<LeasePlatformAccess> {
  static constexpr auto fields = std::tuple{
      member("method", &LeasePlatformAccess::method),
      member("url", &LeasePlatformAccess::url),
      member("username", &LeasePlatformAccess::username),
      member("password", &LeasePlatformAccess::password),
      member("token", &LeasePlatformAccess::token),
      member("notes", &LeasePlatformAccess::notes),
      member("environment", &LeasePlatformAccess::environment),
      member("gpu_indices", &LeasePlatformAccess::gpu_indices),
  };
};
Result<LeasePlatformAccess> lease_platform_access_from_text(std::string_view text);

// {"lease"}: request, reject, release, terminate, redeem/check.
struct LeaseData {
  LeaseView lease;
};
template <>
struct Wire<LeaseData> {
  static constexpr auto fields = std::tuple{member("lease", &LeaseData::lease)};
};

struct LeaseList {
  std::vector<LeaseView> items;  // newest first, at most 500
};
template <>
struct Wire<LeaseList> {
  static constexpr auto fields = std::tuple{member("items", &LeaseList::items)};
};

// GET /api/v1/leases/{lease_id}: the lease, and with access=true its access
// details: class A's SSH account in `access`, class B's platform service in
// `platform_access` (the other key, and both without access=true, left out).
struct LeaseDetail {
  LeaseView lease;
  std::optional<LeaseAccess> access;
  std::optional<LeasePlatformAccess> platform_access;
};
template <>
struct Wire<LeaseDetail> {
  static constexpr auto fields =
      std::tuple{member("lease", &LeaseDetail::lease), member("access", &LeaseDetail::access, Presence::Omittable),
                 member("platform_access", &LeaseDetail::platform_access, Presence::Omittable)};
};

// An approved lease and its one-time authorization code (R-LEASE-4), shown only here.
struct LeaseApproval {
  LeaseView lease;
  std::string auth_code;  // "7K2M-9X4Q-VD3H-RT8N"
  Time expires_at;        // redeem before this, or the lease lapses
};
template <>
struct Wire<LeaseApproval> {
  static constexpr auto fields =
      std::tuple{member("lease", &LeaseApproval::lease), member("auth_code", &LeaseApproval::auth_code),
                 member("expires_at", &LeaseApproval::expires_at)};
};

struct Redemption {
  LeaseView lease;
  LeaseAccess access;
};
template <>
struct Wire<Redemption> {
  static constexpr auto fields = std::tuple{member("lease", &Redemption::lease), member("access", &Redemption::access)};
};

// ------------------------------------------------------------------ the ledger

// One ledger entry (money moves only in the ledger; docs/design/leases.md).
struct LedgerItem {
  Time at;
  std::string lease_id;
  LedgerKind kind =
      LedgerKind::Charge;  // charge (the user pays: negative), refund (to the user: positive), earning (the supplier's)
  std::int64_t amount;     // fen, signed
};
template <>
struct Wire<LedgerItem> {
  static constexpr auto fields = std::tuple{member("at", &LedgerItem::at), member("lease_id", &LedgerItem::lease_id),
                                            member("kind", &LedgerItem::kind), member("amount", &LedgerItem::amount)};
};

// GET /api/v1/bills and /api/v1/earnings: one month of the caller's ledger.
struct Ledger {
  std::string month;              // "2026-11", on the platform's calendar
  std::string time_zone;          // that calendar's IANA zone, "Asia/Shanghai"
  std::vector<LedgerItem> items;  // oldest first
  // fen: the sum; null when no 64-bit integer holds it (each amount does, their sum need not).
  std::optional<std::int64_t> total;
};
template <>
struct Wire<Ledger> {
  static constexpr auto fields = std::tuple{member("month", &Ledger::month), member("time_zone", &Ledger::time_zone),
                                            member("items", &Ledger::items), member("total", &Ledger::total)};
};

// ------------------------------------------------------------------ requests

// POST /api/v1/leases (R-LEASE-1). Whether the cluster is listed, offers the
// mode, is A-class for a key, and has the units idle is the service's check.
// One of units (B-class: that many GPUs) and nodes (A-class: that many whole
// nodes, with all their online units; R-LEASE-3, §3.6) is given.
struct LeaseRequest {
  std::string cpc_id;                 // at most 32 characters
  std::optional<std::int64_t> units;  // B-class: 1..4096
  std::optional<std::int64_t> nodes;  // A-class: 1..128
  catalog::BillingMode billing = catalog::BillingMode::Hourly;
  // 1..87840 periods of `billing`; prepaid modes default to 1, hourly left out plans no end.
  std::optional<std::int64_t> periods;
  std::optional<std::string> ssh_public_key;  // one OpenSSH public key line (A-class), ≤ 16384 characters
  // B-class: one of the cluster's environments (≤ 64 characters); may be left out when it offers one or none.
  std::optional<std::string> environment;

  // VALIDATION_FAILED with every offending field (cpc_id, units, nodes,
  // billing, periods, ssh_public_key, environment; unknown keys too; units
  // and nodes both or neither).
  static Result<LeaseRequest> from_body(const json& body);
};
template <>
struct Wire<LeaseRequest> {
  static constexpr auto fields = std::tuple{
      member("cpc_id", &LeaseRequest::cpc_id),
      member("units", &LeaseRequest::units, Presence::Omittable),
      member("nodes", &LeaseRequest::nodes, Presence::Omittable),
      member("billing", &LeaseRequest::billing),
      member("periods", &LeaseRequest::periods, Presence::Omittable),
      member("ssh_public_key", &LeaseRequest::ssh_public_key, Presence::Omittable),
      member("environment", &LeaseRequest::environment, Presence::Omittable),
  };
};

// GET /api/v1/leases?incoming=true|false&state=S
struct LeaseListQuery {
  bool incoming = false;  // the leases of the caller's clusters (suppliers, admins) instead of the caller's own
  std::optional<LeaseState> state;  // only leases in this state

  // VALIDATION_FAILED: incoming not true/false, state not a lease state (empty: no filter).
  static Result<LeaseListQuery> from_query(const Query& q);
};
template <>
struct Wire<LeaseListQuery> {
  static constexpr auto fields = std::tuple{member("incoming", &LeaseListQuery::incoming),
                                            member("state", &LeaseListQuery::state, Presence::Omittable)};
};

// GET /api/v1/leases/{lease_id}?access=true|false
struct LeaseShowQuery {
  bool access = false;  // also the access details (the lease's user only)

  // VALIDATION_FAILED: access not true/false.
  static Result<LeaseShowQuery> from_query(const Query& q);
};
template <>
struct Wire<LeaseShowQuery> {
  static constexpr auto fields = std::tuple{member("access", &LeaseShowQuery::access)};
};

// POST .../reject and .../terminate: why, shown to the lease's user as its note.
struct LeaseReasonRequest {
  std::string reason;  // 1..500 characters, prose (NFC)

  static Result<LeaseReasonRequest> from_body(const json& body);
};
template <>
struct Wire<LeaseReasonRequest> {
  static constexpr auto fields = std::tuple{member("reason", &LeaseReasonRequest::reason)};
};

// POST /api/v1/redeem and /api/v1/redeem/check (R-LEASE-4).
struct RedeemRequest {
  std::string code;  // the authorization code, ≤ 64 characters; case, dashes and spaces do not matter

  static Result<RedeemRequest> from_body(const json& body);
};
template <>
struct Wire<RedeemRequest> {
  static constexpr auto fields = std::tuple{member("code", &RedeemRequest::code)};
};

// GET /api/v1/bills and /api/v1/earnings ?month=YYYY-MM
struct MonthQuery {
  std::optional<std::string> month;  // "2026-11" on the platform's calendar; left out (or empty): this month

  // VALIDATION_FAILED: month not YYYY-MM with a month from 01 to 12.
  static Result<MonthQuery> from_query(const Query& q);
};
template <>
struct Wire<MonthQuery> {
  static constexpr auto fields = std::tuple{member("month", &MonthQuery::month, Presence::Omittable)};
};

namespace endpoint {

struct RequestLease {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/leases";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 201;
  static constexpr std::string_view summary = "Lease units of a cluster";
  using Request = LeaseRequest;
  using Response = LeaseData;
};

struct ListLeases {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/leases";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "The caller's leases, or those of the caller's clusters";
  using Request = LeaseListQuery;
  using Response = LeaseList;
};

struct ShowLease {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/leases/{lease_id}";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Show a lease (and its access, to its user)";
  using Request = LeaseShowQuery;
  using Response = LeaseDetail;
};

struct LeaseReport {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/leases/{lease_id}/report";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "A B-class lease's service report";
  using Request = NoRequest;
  using Response = LeaseReportView;
};

struct ApproveLease {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/leases/{lease_id}/approve";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Approve a lease; mint its authorization code";
  using Request = AnyBody;
  using Response = LeaseApproval;
};

struct RejectLease {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/leases/{lease_id}/reject";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Reject a lease request";
  using Request = LeaseReasonRequest;
  using Response = LeaseData;
};

struct ReleaseLease {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/leases/{lease_id}/release";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "End one's own lease";
  using Request = AnyBody;
  using Response = LeaseData;
};

struct TerminateLease {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/leases/{lease_id}/terminate";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "End a lease of one's cluster";
  using Request = LeaseReasonRequest;
  using Response = LeaseData;
};

struct Redeem {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/redeem";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Redeem an authorization code: get the lease's access";
  using Request = RedeemRequest;
  using Response = Redemption;
};

struct CheckCode {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/redeem/check";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Check an authorization code: the lease it redeems";
  using Request = RedeemRequest;
  using Response = LeaseData;
};

struct Bills {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/bills";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "The caller's ledger entries for a month";
  using Request = MonthQuery;
  using Response = Ledger;
};

struct Earnings {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/earnings";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "A supplier's earnings for a month";
  using Request = MonthQuery;
  using Response = Ledger;
};

}  // namespace endpoint

// This area's endpoints in route order: a path before a template that would
// also match it. api/endpoints.hpp joins the areas; a new endpoint of this
// area is listed here and nowhere else.
using LeaseEndpoints =
    std::tuple<endpoint::RequestLease, endpoint::ListLeases, endpoint::ShowLease, endpoint::LeaseReport,
               endpoint::ApproveLease, endpoint::RejectLease, endpoint::ReleaseLease, endpoint::TerminateLease,
               endpoint::Redeem, endpoint::CheckCode, endpoint::Bills, endpoint::Earnings>;

}  // namespace cpshare::api
