// The cluster record (docs/design/catalogue.md) and its pure rules: the public id, and the reading
// of the publish and update requests (api/catalog.hpp's request types call these; the API view is
// api::ClusterView). No store, no clock, no HTTP.
//
// Wire decisions (R-API-STD: one set of units):
// - Sizes are integers of bytes, prices integers of fen per unit per period; a string such as
//   "80GB" or "12.50" is refused with the integer to send instead.
// - storage is {"description": "2x3.84TB nvme data, 480GB ssd system"}: the server parses it
//   (parse_storage) and computes total_bytes. "total_bytes" may be sent too (so the API view can
//   be sent back as is) but must then equal the computed total.
// - prices is {"hourly": fen, "daily": fen, "monthly": fen, "yearly": fen}, any non-empty subset;
//   a mode left out (or null) is not offered.
// - access for class A is {nodes: [{host, port (default 22), user, units, device_ids}, ...]},
//   one to kMaxNodes nodes whose units add up to units (which may then be left out); or, for a
//   cluster of one node, the short form {ssh_host, ssh_port, ssh_user} (the node gets all units).
//   For class B it is {platform_url, environments}; the other class's keys are refused with the
//   reason. In a patch, access.nodes replaces the list (the store refuses it while a lease holds a
//   unit); the short form changes the one node of a one-node cluster. A node whose host, port and
//   user stay keeps its pinned host key; a new or moved one must be verified again.
// - An update (PATCH) is a JSON merge patch (RFC 7386) of the publish request: a field present
//   replaces, null removes an optional value (a price mode, software, description, ssh_port →
//   22), objects prices/software/access merge key by key, storage is replaced whole. class cannot
//   change (it decides how the cluster is reached and billed: delist and publish anew).
//   resource_type, units and everything else may change; the merged cluster must satisfy the
//   publish rules. Whether units may shrink below the busy units is the store's check.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "billing/billing_mode.hpp"
#include "util/enum_table.hpp"
#include "util/error.hpp"

namespace cpshare {

// enum class ClusterStatus (clusters.status, the wire's "status"): listed in the catalogue or delisted by its owner.
// clang-format off
#define CPSHARE_CLUSTER_STATUSES(X) \
  X(Listed,   "listed")             \
  X(Delisted, "delisted")
// clang-format on
CPSHARE_ENUM(ClusterStatus, CPSHARE_CLUSTER_STATUSES);

// enum class UnitStatus (cluster_units.status, the wire's unit "status"; R-CL-3):
// idle (free to lease), reserved (held by a lease not active yet), busy (an
// active lease's), offline (withdrawn by the owner). Owners set only idle and
// offline; leases set reserved, busy and back to idle.
// clang-format off
#define CPSHARE_UNIT_STATUSES(X) \
  X(Idle,     "idle")            \
  X(Reserved, "reserved")        \
  X(Busy,     "busy")            \
  X(Offline,  "offline")
// clang-format on
CPSHARE_ENUM(UnitStatus, CPSHARE_UNIT_STATUSES);

// enum class ClusterHealth (clusters.health, the wire's "health"; R-LEASE-6,
// R-MON-1): a B-class cluster is online while its agent reports within the
// daemon's --agent-timeout, offline before its first report and after a
// silence; an offline cluster's units are not offered. A-class clusters have
// no health (the specification does not monitor them).
// clang-format off
#define CPSHARE_CLUSTER_HEALTHS(X) \
  X(Online,  "online")             \
  X(Offline, "offline")
// clang-format on
CPSHARE_ENUM(ClusterHealth, CPSHARE_CLUSTER_HEALTHS);

// enum class ClusterEventKind (cluster_events.kind, the wire's event "kind";
// R-MON-3, R-REL-2): the automatic transitions of a B-class cluster and its
// units, recorded with the change they describe.
// clang-format off
#define CPSHARE_CLUSTER_EVENT_KINDS(X)     \
  X(ClusterOnline,  "cluster_online")      \
  X(ClusterOffline, "cluster_offline")     \
  X(GpuLost,        "gpu_lost")            \
  X(GpuReturned,    "gpu_returned")
// clang-format on
CPSHARE_ENUM(ClusterEventKind, CPSHARE_CLUSTER_EVENT_KINDS);

}  // namespace cpshare

namespace cpshare::catalog {

// "cp-" + 10 chars of 0-9a-z without i l o u: 50 random bits (crypto::random_bytes).
std::string new_cpc_id();
// Exactly that shape, lower case ("cp-7k2m9x4qvd").
bool is_cpc_id(std::string_view id);
// A B-class cluster's agent token begins so ("cpa_" + 43 characters of base64url),
// which tells it from a session token wherever a token is given.
inline constexpr std::string_view kAgentTokenPrefix = "cpa_";
// What is wrong with an http(s) address (the platform_url's rules; also a B-class lease's
// access URL, api/agent_work.hpp), or "" when nothing is.
std::string url_problem(const std::string& url);

using cpshare::BillingMode;  // billing/billing_mode.hpp

// Fen per unit per period; nullopt = the mode is not offered.
struct Prices {
  std::optional<std::int64_t> hourly, daily, monthly, yearly;

  std::optional<std::int64_t>& operator[](BillingMode m);
  const std::optional<std::int64_t>& operator[](BillingMode m) const;
  std::vector<BillingMode> modes() const;  // offered modes, in BillingMode's order
};

using cpshare::ClusterHealth;
using cpshare::ClusterStatus;
using cpshare::UnitStatus;

// Limits of the publish request.
inline constexpr std::int64_t kMaxUnits = 1024;
inline constexpr std::int64_t kMaxVcpus = 100'000;
inline constexpr std::size_t kMaxDescription = 4000;  // characters, for description and usage
inline constexpr std::size_t kMaxListItems = 32;      // frameworks, environments

// Limits of an A-class cluster's nodes.
inline constexpr std::int64_t kMaxNodes = 128;
inline constexpr std::size_t kMaxDeviceId = 64;

// One compute node of an A-class cluster (§3.1, §3.6; issue 12): an SSH
// endpoint the platform reaches as the node's admin user, and its units.
// Units are numbered across the cluster's nodes in order: node 0 holds units
// 0..units-1, node 1 the next, and so on; on the node a unit is known by its
// local index (CUDA order).
struct Node {
  std::string host;        // host name (lower case) or IP address
  int port = 22;           // 1..65535
  std::string user;        // the admin user the platform logs in as (POSIX name)
  std::int64_t units = 1;  // accelerators on the node (1 for a CPU-only node)
  // Optional, one per unit in CUDA order: a PCI bus id ("0000:3b:00.0") or a
  // GPU UUID ("GPU-1a2b…"); empty when the supplier gave none. Shown, not used.
  std::vector<std::string> device_ids;
  // The pinned host key fingerprint ("SHA256:…"), "" until `cluster verify`;
  // set by the platform, never by a request.
  std::string host_key;
  bool operator==(const Node&) const = default;
  // Same endpoint (host, port, user): a changed node must be verified again.
  bool same_endpoint(const Node& o) const { return host == o.host && port == o.port && user == o.user; }
};

struct Cluster {
  std::int64_t id = 0;           // internal; 0 until stored
  std::string cpc_id;            // set by the caller (new_cpc_id), not by the request
  std::int64_t owner_id = 0;     // set by the caller
  std::string owner;             // the owner's username, for display
  char cluster_class = 'A';      // 'A' (bare metal, SSH) or 'B' (virtualised, platform)
  std::string resource_type;     // "GPU", "NPU", "CPU"
  std::string model;             // "A100 80GB"
  std::int64_t units = 1;        // accelerators; a CPU-only cluster is 1 unit
  std::int64_t units_free = 0;   // idle units: maintained by the store; publish sets it to units
  std::int64_t unit_memory = 0;  // bytes per accelerator; 0 for CPU
  std::int64_t memory = 0;       // bytes of host memory
  std::int64_t vcpus = 0;
  Prices prices;
  std::string vendor, location, region;
  std::int64_t storage_bytes = 0;  // total local storage
  std::string storage_desc;        // normalised by parse_storage
  // Software environment (optional). Each version passes version_key, so the store can key
  // cuda for ordering with version_key(*cuda).
  std::optional<std::string> cuda, cudnn, python;
  std::vector<std::string> frameworks;  // "pytorch 2.3"; no commas (the store joins them)
  std::string description;              // may be empty; multi-line
  std::string usage;                    // A-class usage instructions (required for A, empty for B)
  // A-class: its nodes (1..kMaxNodes; units == the sum of their units), how
  // the platform reaches them to create leasers' accounts; and how many are
  // free (an idle unit and none leased): maintained by the store.
  std::vector<Node> nodes;
  std::int64_t nodes_free = 0;
  // B-class access: the supplier's platform and the environments it offers.
  std::string platform_url;
  std::vector<std::string> environments;
  ClusterStatus status = ClusterStatus::Listed;
  // B-class only (nullopt for A): online or offline, kept by the agent's
  // reports and the scheduler (service/metrics.hpp), never by publish or
  // update; and when the daemon last received a report (Unix seconds).
  std::optional<ClusterHealth> health;
  std::optional<std::int64_t> last_report_at;
  // B-class: reliability over 30 days in millionths (R-REL-2), scored by the
  // scheduler (service/metrics.hpp); nullopt before the first report and for A.
  std::optional<std::int64_t> reliability_ppm;
  std::int64_t created_at = 0, updated_at = 0;  // unix seconds, set by the caller
};

// The first unit of node k (the units of the nodes before it).
std::int64_t first_unit(const Cluster& c, std::size_t k);
// The node holding unit `unit`, or nullopt past the last node.
std::optional<std::size_t> node_of(const Cluster& c, std::int64_t unit);

// The publish request → a listed cluster with every field of R-CL-1 validated; all problems at
// once as VALIDATION_FAILED, fields named by JSON path ("prices.hourly", "access.ssh_port").
// cpc_id, owner and timestamps are left for the caller.
Result<Cluster> cluster_from_publish(const nlohmann::json& body);
// A merge patch of the publishable fields (see the header comment) → the updated cluster, or
// VALIDATION_FAILED. An empty patch is refused. id, cpc_id, owner, status, units_free and
// timestamps are kept as they are.
Result<Cluster> apply_update(const Cluster& current, const nlohmann::json& body);
// The checks of apply_update that need no stored cluster: the body is a non-empty object of known
// fields, each value well-formed (the same messages); the class and the rules across fields wait
// for apply_update. For api::PatchClusterRequest::from_body, so the CLI refuses what the daemon would.
Result<> check_update(const nlohmann::json& body);

}  // namespace cpshare::catalog
