// The cluster catalogue (issue 3; R-CL-*, R-API-IVCPC, R-API-IUS): the request and response types
// of each endpoint, shared by the daemon and the CLI (api/endpoint.hpp). The rules of the record
// (units, sizes in bytes, prices in fen, storage) are catalog/'s: the request types call them, so
// the CLI refuses exactly what the daemon would, with the same VALIDATION_FAILED fields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "api/endpoint.hpp"
#include "api/enums.hpp"
#include "catalog/cluster.hpp"

namespace cpshare::api {

// ------------------------------------------------------------------ views

// Fen per unit per period; null = the mode is not offered.
struct PricesView {
  std::optional<std::int64_t> hourly, daily, monthly, yearly;
};
template <>
struct Wire<PricesView> {
  static constexpr auto fields =
      std::tuple{member("hourly", &PricesView::hourly), member("daily", &PricesView::daily),
                 member("monthly", &PricesView::monthly), member("yearly", &PricesView::yearly)};
};

struct StorageView {
  std::int64_t total_bytes = 0;  // bytes, computed from the description
  std::string description;       // as normalised by catalog::parse_storage
};
template <>
struct Wire<StorageView> {
  static constexpr auto fields =
      std::tuple{member("total_bytes", &StorageView::total_bytes), member("description", &StorageView::description)};
};

struct SoftwareView {
  std::optional<std::string> cuda, cudnn, python;  // null: not declared
  std::vector<std::string> frameworks;
};
template <>
struct Wire<SoftwareView> {
  static constexpr auto fields =
      std::tuple{member("cuda", &SoftwareView::cuda), member("cudnn", &SoftwareView::cudnn),
                 member("python", &SoftwareView::python), member("frameworks", &SoftwareView::frameworks)};
};

// One node of an A-class cluster as its owner and admins see it
// (catalog::Node): the platform's way in, its units, and the pinned host key.
struct NodeView {
  std::string host;
  std::int64_t port = 22;
  std::string user;
  std::int64_t units = 0;
  std::vector<std::string> device_ids;              // PCI bus ids or GPU UUIDs; empty: not given
  std::optional<std::string> host_key_fingerprint;  // null until `cluster verify` pinned it
};
template <>
struct Wire<NodeView> {
  static constexpr auto fields = std::tuple{member("host", &NodeView::host),
                                            member("port", &NodeView::port),
                                            member("user", &NodeView::user),
                                            member("units", &NodeView::units),
                                            member("device_ids", &NodeView::device_ids),
                                            member("host_key_fingerprint", &NodeView::host_key_fingerprint)};
};

// How leasers reach the cluster. A-class: {"method": "ssh"}, and to its owner and admins also the
// platform's way in: its nodes; B-class: {"method": "platform", platform_url, environments}. The
// keys a view does not carry are left out.
struct AccessView {
  std::string method;  // "ssh" | "platform"
  std::optional<std::vector<NodeView>> nodes;
  std::optional<std::string> platform_url;
  std::optional<std::vector<std::string>> environments;
};
template <>
struct Wire<AccessView> {
  static constexpr auto fields = std::tuple{
      member("method", &AccessView::method),
      member("nodes", &AccessView::nodes, Presence::Omittable),
      member("platform_url", &AccessView::platform_url, Presence::Omittable),
      member("environments", &AccessView::environments, Presence::Omittable),
  };
};

// A cluster as the API shows it (R-CL-1): integers of bytes and fen, RFC 3339 times.
struct ClusterView {
  std::string cpc_id;  // "cp-7k2m9x4qvd"
  std::string owner;   // the supplier's username
  std::string cls;     // "A" | "B" (the wire's "class")
  std::string resource_type;
  std::string model;
  std::int64_t units = 0;
  std::int64_t units_free = 0;
  // A-class only (left out for B): its nodes, and those free to lease (an
  // idle unit and none leased; an A-class lease takes whole nodes).
  std::optional<std::int64_t> nodes, nodes_free;
  std::int64_t unit_memory = 0;  // bytes per accelerator; 0 for CPU
  std::int64_t memory = 0;       // bytes of host memory
  std::int64_t vcpus = 0;
  PricesView prices;
  std::vector<catalog::BillingMode> billing_modes;  // the offered modes, hourly first
  std::string vendor, location, region;
  StorageView storage;
  SoftwareView software;
  std::string description;
  std::optional<std::string> usage;  // A-class; null for B
  AccessView access;
  catalog::ClusterStatus status = catalog::ClusterStatus::Listed;
  std::optional<Time> created_at, updated_at;  // null until stored
  // B-class only, left out for A-class (not monitored; R-LEASE-6): online or
  // offline (offline until the agent's first report and after --agent-timeout
  // without one), and when the daemon last received a report (left out: never).
  std::optional<catalog::ClusterHealth> health;
  std::optional<Time> last_report_at;
  // B-class, once its agent has reported: up minutes over the last 30 days
  // (ratio 0–1, to the millionth; R-REL-2, docs/design/monitoring.md).
  std::optional<double> reliability;
};
template <>
struct Wire<ClusterView> {
  static constexpr auto fields = std::tuple{
      member("cpc_id", &ClusterView::cpc_id),
      member("owner", &ClusterView::owner),
      member("class", &ClusterView::cls),
      member("resource_type", &ClusterView::resource_type),
      member("model", &ClusterView::model),
      member("units", &ClusterView::units),
      member("units_free", &ClusterView::units_free),
      member("nodes", &ClusterView::nodes, Presence::Omittable),
      member("nodes_free", &ClusterView::nodes_free, Presence::Omittable),
      member("unit_memory", &ClusterView::unit_memory),
      member("memory", &ClusterView::memory),
      member("vcpus", &ClusterView::vcpus),
      member("prices", &ClusterView::prices),
      member("billing_modes", &ClusterView::billing_modes),
      member("vendor", &ClusterView::vendor),
      member("location", &ClusterView::location),
      member("region", &ClusterView::region),
      member("storage", &ClusterView::storage),
      member("software", &ClusterView::software),
      member("description", &ClusterView::description),
      member("usage", &ClusterView::usage),
      member("access", &ClusterView::access),
      member("status", &ClusterView::status),
      member("created_at", &ClusterView::created_at),
      member("updated_at", &ClusterView::updated_at),
      member("health", &ClusterView::health, Presence::Omittable),
      member("last_report_at", &ClusterView::last_report_at, Presence::Omittable),
      member("reliability", &ClusterView::reliability, Presence::Omittable),
  };
};

// Who reads the view. A-class SSH access (host, port, admin user) is the platform's way in to
// create leasers' accounts: only the owner (and admins) see it; a leaser gets their own account.
enum class Viewer { Public, Owner };
ClusterView cluster_view(const catalog::Cluster& c, Viewer viewer = Viewer::Public);

// One unit of a cluster: its index (from 0) and status (idle, reserved, busy,
// offline); for a B-class unit whose GPU is lost, since when (left out when
// not lost): an idle unit goes offline then, a leased one keeps its status.
struct UnitView {
  std::int64_t index = 0;
  UnitStatus status = UnitStatus::Idle;
  std::optional<Time> gpu_lost_since;
  std::optional<std::int64_t> node;  // A-class: the node (from 0) the unit is on; left out for B
};
template <>
struct Wire<UnitView> {
  static constexpr auto fields = std::tuple{member("index", &UnitView::index), member("status", &UnitView::status),
                                            member("gpu_lost_since", &UnitView::gpu_lost_since, Presence::Omittable),
                                            member("node", &UnitView::node, Presence::Omittable)};
};

// How the platform reaches an A-class cluster: shown to its owner and admins.
struct ProvisioningView {
  std::string public_key;             // the provisioning key, an OpenSSH line: install it for every node's admin user
  std::int64_t nodes_unverified = 0;  // nodes whose host key is not pinned yet (cpshare cluster verify)
};
template <>
struct Wire<ProvisioningView> {
  static constexpr auto fields = std::tuple{member("public_key", &ProvisioningView::public_key),
                                            member("nodes_unverified", &ProvisioningView::nodes_unverified)};
};

// POST /api/v1/clusters (201).
struct PublishedCluster {
  ClusterView cluster;                                 // the owner's view
  std::optional<std::string> provisioning_public_key;  // A-class: install it for the admin user
  std::optional<std::string> agent_token;              // B-class: shown once, stored hashed
};
template <>
struct Wire<PublishedCluster> {
  static constexpr auto fields =
      std::tuple{member("cluster", &PublishedCluster::cluster),
                 member("provisioning_public_key", &PublishedCluster::provisioning_public_key),
                 member("agent_token", &PublishedCluster::agent_token)};
};

// GET /api/v1/clusters/{cpc_id}.
struct ClusterDetail {
  ClusterView cluster;
  std::vector<UnitView> units;
  std::optional<ProvisioningView> provisioning;  // null but to the owner and admins of an A-class cluster
};
template <>
struct Wire<ClusterDetail> {
  static constexpr auto fields =
      std::tuple{member("cluster", &ClusterDetail::cluster), member("units", &ClusterDetail::units),
                 member("provisioning", &ClusterDetail::provisioning)};
};

// PATCH, delist, relist: the cluster as stored (the owner's view).
struct ClusterChanged {
  ClusterView cluster;
};
template <>
struct Wire<ClusterChanged> {
  static constexpr auto fields = std::tuple{member("cluster", &ClusterChanged::cluster)};
};

// GET /api/v1/clusters: one page.
struct ClusterPage {
  std::vector<ClusterView> items;
  std::int64_t limit = 50;
  std::int64_t offset = 0;
};
template <>
struct Wire<ClusterPage> {
  static constexpr auto fields = std::tuple{member("items", &ClusterPage::items), member("limit", &ClusterPage::limit),
                                            member("offset", &ClusterPage::offset)};
};

struct UnitList {
  std::vector<UnitView> items;  // by index
};
template <>
struct Wire<UnitList> {
  static constexpr auto fields = std::tuple{member("items", &UnitList::items)};
};

struct UnitChanged {
  UnitView unit;
};
template <>
struct Wire<UnitChanged> {
  static constexpr auto fields = std::tuple{member("unit", &UnitChanged::unit)};
};

// POST /api/v1/clusters/{cpc_id}/verify.
// One node's check.
struct NodeVerified {
  std::int64_t node = 0;  // from 0
  std::string host;       // as published
  std::int64_t port = 22;
  std::string fingerprint;  // "SHA256:…"
  std::string key_type;     // "ssh-ed25519"
  bool pinned_now = false;  // the fingerprint was (re)pinned by this call
};
template <>
struct Wire<NodeVerified> {
  static constexpr auto fields =
      std::tuple{member("node", &NodeVerified::node),         member("host", &NodeVerified::host),
                 member("port", &NodeVerified::port),         member("fingerprint", &NodeVerified::fingerprint),
                 member("key_type", &NodeVerified::key_type), member("pinned_now", &NodeVerified::pinned_now)};
};

// Every node answered and had the key it was pinned to (or was pinned now).
// A node that fails makes the call fail, naming it; the nodes before it that
// answered are pinned all the same.
struct VerifyResult {
  std::vector<NodeVerified> nodes;
  Time verified_at;
};
template <>
struct Wire<VerifyResult> {
  static constexpr auto fields =
      std::tuple{member("nodes", &VerifyResult::nodes), member("verified_at", &VerifyResult::verified_at)};
};

// ------------------------------------------------------------------ requests

// GET /api/v1/clusters?filter=&sort=&limit=&offset=&mine=&region= (R-API-IVCPC, R-API-IUS).
// The CLI sends them in this order (to_query), only those given. A member left out is its default: limit 50 (1 to 500),
// offset 0, mine false; region empty = the caller's region first, "any" = no region first.
struct ListClustersQuery {
  std::optional<std::string> filter;  // the filter language (catalog/filter.hpp)
  std::optional<std::string> sort;    // "price_hourly", "price_hourly-"
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> offset;
  std::optional<bool> mine;  // the caller's own clusters, delisted and full ones included
  std::optional<std::string> region;

  static constexpr std::int64_t kDefaultLimit = 50, kMaxLimit = 500;
  std::int64_t limit_or_default() const { return limit.value_or(kDefaultLimit); }
  std::int64_t offset_or_default() const { return offset.value_or(0); }
  // VALIDATION_FAILED on the first bad parameter: limit "must be an integer from 1 to 500", offset
  // "must be an integer from 0 to 2147483647", mine "must be true or false".
  static Result<ListClustersQuery> from_query(const Query& q);
};
template <>
struct Wire<ListClustersQuery> {
  static constexpr auto fields = std::tuple{
      member("filter", &ListClustersQuery::filter, Presence::Omittable),
      member("sort", &ListClustersQuery::sort, Presence::Omittable),
      member("limit", &ListClustersQuery::limit, Presence::Omittable),
      member("offset", &ListClustersQuery::offset, Presence::Omittable),
      member("region", &ListClustersQuery::region, Presence::Omittable),
      member("mine", &ListClustersQuery::mine, Presence::Omittable),
  };
};

// The publish request's parts (catalog/cluster.hpp gives the rules: fen per unit per period,
// storage as a description the daemon parses, access by class).
struct PricesBody {
  std::optional<std::int64_t> hourly, daily, monthly, yearly;  // fen; left out = not offered
};
template <>
struct Wire<PricesBody> {
  static constexpr auto fields = std::tuple{member("hourly", &PricesBody::hourly, Presence::Omittable),
                                            member("daily", &PricesBody::daily, Presence::Omittable),
                                            member("monthly", &PricesBody::monthly, Presence::Omittable),
                                            member("yearly", &PricesBody::yearly, Presence::Omittable)};
};

struct StorageBody {
  std::string description;                  // "2x3.84TB nvme data, 480GB ssd system"
  std::optional<std::int64_t> total_bytes;  // optional; must equal the description's total
};
template <>
struct Wire<StorageBody> {
  static constexpr auto fields = std::tuple{member("description", &StorageBody::description),
                                            member("total_bytes", &StorageBody::total_bytes, Presence::Omittable)};
};

struct SoftwareBody {
  std::optional<std::string> cuda, cudnn, python;
  std::optional<std::vector<std::string>> frameworks;
};
template <>
struct Wire<SoftwareBody> {
  static constexpr auto fields = std::tuple{member("cuda", &SoftwareBody::cuda, Presence::Omittable),
                                            member("cudnn", &SoftwareBody::cudnn, Presence::Omittable),
                                            member("python", &SoftwareBody::python, Presence::Omittable),
                                            member("frameworks", &SoftwareBody::frameworks, Presence::Omittable)};
};

// One node of access.nodes (catalog::Node's rules). host_key_fingerprint is
// accepted so a view can be sent back, and ignored: pins are the platform's.
struct NodeBody {
  std::string host;
  std::optional<std::int64_t> port;  // default 22
  std::string user;
  std::int64_t units = 0;
  std::optional<std::vector<std::string>> device_ids;
  std::optional<std::string> host_key_fingerprint;
};
template <>
struct Wire<NodeBody> {
  static constexpr auto fields =
      std::tuple{member("host", &NodeBody::host),
                 member("port", &NodeBody::port, Presence::Omittable),
                 member("user", &NodeBody::user),
                 member("units", &NodeBody::units),
                 member("device_ids", &NodeBody::device_ids, Presence::Omittable),
                 member("host_key_fingerprint", &NodeBody::host_key_fingerprint, Presence::Omittable)};
};

// A-class: nodes, or for one node ssh_host, ssh_port (default 22), ssh_user;
// B-class: platform_url, environments.
struct AccessBody {
  std::optional<std::string> method;  // may repeat the view's "ssh" / "platform"
  std::optional<std::vector<NodeBody>> nodes;
  std::optional<std::string> ssh_host;
  std::optional<std::int64_t> ssh_port;
  std::optional<std::string> ssh_user;
  std::optional<std::string> platform_url;
  std::optional<std::vector<std::string>> environments;
};
template <>
struct Wire<AccessBody> {
  static constexpr auto fields = std::tuple{
      member("method", &AccessBody::method, Presence::Omittable),
      member("nodes", &AccessBody::nodes, Presence::Omittable),
      member("ssh_host", &AccessBody::ssh_host, Presence::Omittable),
      member("ssh_port", &AccessBody::ssh_port, Presence::Omittable),
      member("ssh_user", &AccessBody::ssh_user, Presence::Omittable),
      member("platform_url", &AccessBody::platform_url, Presence::Omittable),
      member("environments", &AccessBody::environments, Presence::Omittable),
  };
};

// POST /api/v1/clusters (R-CL-1). from_body checks every field with catalog::cluster_from_publish
// (VALIDATION_FAILED naming fields by JSON path, "prices.hourly") and keeps the request as given;
// to_cluster() is the listed cluster it describes (cpc_id, owner and times for the caller to set).
struct PublishClusterRequest {
  std::string cls;  // "A" | "B" (the wire's "class")
  std::string resource_type;
  std::string model;
  std::optional<std::int64_t> units;        // required but for CPU (1)
  std::optional<std::int64_t> unit_memory;  // bytes; required but for CPU (0)
  std::int64_t memory = 0;                  // bytes
  std::int64_t vcpus = 0;
  PricesBody prices;
  std::string vendor, location, region;
  StorageBody storage;
  std::optional<SoftwareBody> software;
  std::optional<std::string> description;
  std::optional<std::string> usage;  // A-class, required there
  AccessBody access;

  static Result<PublishClusterRequest> from_body(const json& body);
  Result<catalog::Cluster> to_cluster() const;
};
template <>
struct Wire<PublishClusterRequest> {
  using R = PublishClusterRequest;
  static constexpr auto fields = std::tuple{
      member("class", &R::cls),
      member("resource_type", &R::resource_type),
      member("model", &R::model),
      member("units", &R::units, Presence::Omittable),
      member("unit_memory", &R::unit_memory, Presence::Omittable),
      member("memory", &R::memory),
      member("vcpus", &R::vcpus),
      member("prices", &R::prices),
      member("vendor", &R::vendor),
      member("location", &R::location),
      member("region", &R::region),
      member("storage", &R::storage),
      member("software", &R::software, Presence::Omittable),
      member("description", &R::description, Presence::Omittable),
      member("usage", &R::usage, Presence::Omittable),
      member("access", &R::access),
  };
};

// The merge patch's parts: a member left out is unchanged, null removes (where a cluster may lack it).
struct PricesPatch {
  Nullable<std::int64_t> hourly, daily, monthly, yearly;  // fen; null = stop offering the mode
};
template <>
struct Wire<PricesPatch> {
  static constexpr auto fields = std::tuple{member("hourly", &PricesPatch::hourly, Presence::Omittable),
                                            member("daily", &PricesPatch::daily, Presence::Omittable),
                                            member("monthly", &PricesPatch::monthly, Presence::Omittable),
                                            member("yearly", &PricesPatch::yearly, Presence::Omittable)};
};

struct SoftwarePatch {
  Nullable<std::string> cuda, cudnn, python;
  Nullable<std::vector<std::string>> frameworks;
};
template <>
struct Wire<SoftwarePatch> {
  static constexpr auto fields = std::tuple{member("cuda", &SoftwarePatch::cuda, Presence::Omittable),
                                            member("cudnn", &SoftwarePatch::cudnn, Presence::Omittable),
                                            member("python", &SoftwarePatch::python, Presence::Omittable),
                                            member("frameworks", &SoftwarePatch::frameworks, Presence::Omittable)};
};

struct AccessPatch {
  Nullable<std::vector<NodeBody>> nodes;  // replaces the list
  Nullable<std::string> method, ssh_host;
  Nullable<std::int64_t> ssh_port;  // null = 22
  Nullable<std::string> ssh_user, platform_url;
  Nullable<std::vector<std::string>> environments;
};
template <>
struct Wire<AccessPatch> {
  static constexpr auto fields = std::tuple{
      member("method", &AccessPatch::method, Presence::Omittable),
      member("nodes", &AccessPatch::nodes, Presence::Omittable),
      member("ssh_host", &AccessPatch::ssh_host, Presence::Omittable),
      member("ssh_port", &AccessPatch::ssh_port, Presence::Omittable),
      member("ssh_user", &AccessPatch::ssh_user, Presence::Omittable),
      member("platform_url", &AccessPatch::platform_url, Presence::Omittable),
      member("environments", &AccessPatch::environments, Presence::Omittable),
  };
};

// PATCH /api/v1/clusters/{cpc_id} (R-CL-4): a JSON merge patch of the publish request
// (catalog/cluster.hpp says which fields may be removed; class cannot change). from_body checks
// what needs no stored cluster (catalog::check_update: a non-empty object of known, well-formed
// fields); apply_to() merges it into the stored cluster and checks the result (the class, units
// against resource type, at least one price, ...).
struct PatchClusterRequest {
  // "class": may only repeat the stored class. Kept as sent (any JSON): only apply_to, which knows
  // the stored class, can say what is wrong with it.
  Nullable<json> cls;
  Nullable<std::string> resource_type, model;
  Nullable<std::int64_t> units, unit_memory, memory, vcpus;
  Nullable<PricesPatch> prices;
  Nullable<std::string> vendor, location, region;
  Nullable<StorageBody> storage;  // replaced whole
  Nullable<SoftwarePatch> software;
  Nullable<std::string> description, usage;
  Nullable<AccessPatch> access;

  static Result<PatchClusterRequest> from_body(const json& body);
  Result<catalog::Cluster> apply_to(const catalog::Cluster& current) const;
  // The top-level members present, in name order ("model", "prices"): the audit's "fields".
  std::vector<std::string> field_names() const;
};
template <>
struct Wire<PatchClusterRequest> {
  using R = PatchClusterRequest;
  static constexpr auto fields = std::tuple{
      member("class", &R::cls, Presence::Omittable),
      member("resource_type", &R::resource_type, Presence::Omittable),
      member("model", &R::model, Presence::Omittable),
      member("units", &R::units, Presence::Omittable),
      member("unit_memory", &R::unit_memory, Presence::Omittable),
      member("memory", &R::memory, Presence::Omittable),
      member("vcpus", &R::vcpus, Presence::Omittable),
      member("prices", &R::prices, Presence::Omittable),
      member("vendor", &R::vendor, Presence::Omittable),
      member("location", &R::location, Presence::Omittable),
      member("region", &R::region, Presence::Omittable),
      member("storage", &R::storage, Presence::Omittable),
      member("software", &R::software, Presence::Omittable),
      member("description", &R::description, Presence::Omittable),
      member("usage", &R::usage, Presence::Omittable),
      member("access", &R::access, Presence::Omittable),
  };
};

// PUT /api/v1/clusters/{cpc_id}/units/{index}: {"status": "idle" | "offline"} (busy and reserved
// are set by leases). VALIDATION_FAILED: status "is required" / "must be idle or offline (busy is
// set by leases)".
struct SetUnitRequest {
  UnitStatus status = UnitStatus::Idle;  // idle or offline (busy is the leases')
  static Result<SetUnitRequest> from_body(const json& body);
};
template <>
struct Wire<SetUnitRequest> {
  static constexpr auto fields = std::tuple{member("status", &SetUnitRequest::status)};
};

// POST /api/v1/clusters/{cpc_id}/verify: {"repin": true} accepts a changed host key.
struct VerifyRequest {
  std::optional<bool> repin;
  static Result<VerifyRequest> from_body(const json& body);
};
template <>
struct Wire<VerifyRequest> {
  static constexpr auto fields = std::tuple{member("repin", &VerifyRequest::repin, Presence::Omittable)};
};

namespace endpoint {

struct PublishCluster {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/clusters";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 201;
  static constexpr std::string_view summary = "Publish a cluster";
  using Request = PublishClusterRequest;
  using Response = PublishedCluster;
};

struct ListClusters {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/clusters";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "List or filter clusters";
  using Request = ListClustersQuery;
  using Response = ClusterPage;
};

struct ShowCluster {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/clusters/{cpc_id}";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Show a cluster and its units";
  using Request = NoRequest;
  using Response = ClusterDetail;
};

struct UpdateCluster {
  static constexpr Method method = Method::Patch;
  static constexpr std::string_view path = "/api/v1/clusters/{cpc_id}";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Update a cluster";
  using Request = PatchClusterRequest;
  using Response = ClusterChanged;
};

struct DelistCluster {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/clusters/{cpc_id}/delist";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Delist a cluster";
  using Request = AnyBody;
  using Response = ClusterChanged;
};

struct RelistCluster {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/clusters/{cpc_id}/relist";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "List a delisted cluster again";
  using Request = AnyBody;
  using Response = ClusterChanged;
};

struct ClusterUnits {
  static constexpr Method method = Method::Get;
  static constexpr std::string_view path = "/api/v1/clusters/{cpc_id}/units";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "A cluster's units and their status";
  using Request = NoRequest;
  using Response = UnitList;
};

struct SetUnit {
  static constexpr Method method = Method::Put;
  static constexpr std::string_view path = "/api/v1/clusters/{cpc_id}/units/{index}";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Set a unit idle or offline";
  using Request = SetUnitRequest;
  using Response = UnitChanged;
};

struct VerifyCluster {
  static constexpr Method method = Method::Post;
  static constexpr std::string_view path = "/api/v1/clusters/{cpc_id}/verify";
  static constexpr Auth auth = Auth::Session;
  static constexpr int status = 200;
  static constexpr std::string_view summary = "Check SSH access to an A-class cluster";
  using Request = VerifyRequest;
  using Response = VerifyResult;
};

}  // namespace endpoint

// This area's endpoints in route order: a path before a template that would
// also match it. api/endpoints.hpp joins the areas; a new endpoint of this
// area is listed here and nowhere else.
using CatalogEndpoints = std::tuple<endpoint::PublishCluster, endpoint::ListClusters, endpoint::ShowCluster,
                                    endpoint::UpdateCluster, endpoint::DelistCluster, endpoint::RelistCluster,
                                    endpoint::ClusterUnits, endpoint::SetUnit, endpoint::VerifyCluster>;

}  // namespace cpshare::api
